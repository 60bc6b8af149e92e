"""How a policy leaves its clip: the root's heading, height and ground offset from the clip's, step by step.

Each of `--episodes` deterministic episodes starts at a random time of the clip (seeded) and runs as `imitate eval`
runs it. At a few control steps the script averages, over the episodes still running, how far the character's
root is from the clip's: its heading, its height, and its ground offset along and across the clip's heading. It
also fits how far the character turns when the clip turns over the first TURN_STEPS steps (1: with the clip, 0:
not at all, below 0: the other way). `--zero` runs the clip's own pose as the PD target (zero actions), no policy.

  python -m bench.drift runs/dance_b                   # a run folder (its latest checkpoint; --checkpoint best)
  python -m bench.drift --motion walk.txt              # the shipped controller
  python -m bench.drift --motion dance_b.txt --zero    # no policy
"""

from __future__ import annotations

import argparse
import math
from pathlib import Path

import numpy as np

from characters.env import ImitationEnv
from characters.state import CharacterState
from imitate.policy_source import clip_only, from_run, resolve_source
from motions.rotations import heading_angle, wrap_angle, yaw_matrix

STEPS = (5, 10, 20, 30)  # control steps at which the offsets are averaged
TURN_STEPS = 20  # the turn fit's window, control steps from the start


def root_offsets(env: ImitationEnv) -> np.ndarray:
    """[heading error rad, height m, along m, across m] of the character's root from the clip's now, the ground
    offset in the clip's heading frame (along: its x axis, across: its z axis)."""
    return offsets_between(env.sim_state()[0], env.reference.state_at(env.time))


def offsets_between(sim: CharacterState, ref: CharacterState) -> np.ndarray:
    """`root_offsets` of a simulated state from a clip state."""
    ref_heading = float(heading_angle(ref.pose.root_quat))
    d = yaw_matrix(-ref_heading) @ (sim.pose.root_pos - ref.pose.root_pos)
    return np.array([wrap_angle(heading_angle(sim.pose.root_quat) - ref_heading), d[1], d[0], d[2]])


def turn_slope(clip_turn: np.ndarray, own_turn: np.ndarray) -> float:
    """Least-squares slope through the origin of the character's turn on the clip's, over episodes [E] (radians)."""
    return float(clip_turn @ own_turn / max(clip_turn @ clip_turn, 1e-12))


def run(source, episodes: int, zero: bool) -> tuple[dict[int, np.ndarray], float, float]:
    """({step: mean |offsets| [4] and the number of episodes alive there}, turn slope, mean episode seconds)."""
    env = ImitationEnv(source.character, source.clip_path, source.env)
    rows: dict[int, list[np.ndarray]] = {k: [] for k in STEPS}
    turns, lengths = np.zeros((episodes, 2)), []  # per episode: the clip's and the character's unwrapped turns (rad)
    try:
        for i in range(episodes):
            obs, _ = env.reset(seed=i)
            last = headings(env.sim_state()[0], env.reference.state_at(env.time))
            steps = 0
            while True:
                action = np.zeros(env.action_space.shape) if zero else source.policy(obs, env.action_base_pose())
                obs, _, terminated, truncated, _ = env.step(action)
                steps += 1
                sim, ref = env.sim_state()[0], env.reference.state_at(env.time)
                if steps in rows:
                    rows[steps].append(np.abs(offsets_between(sim, ref)))
                if steps <= TURN_STEPS and not terminated:
                    now = headings(sim, ref)
                    turns[i] += wrap_angle(now - last)
                    last = now
                if terminated or truncated:
                    break
            lengths.append(steps / source.env.control_hz)
    finally:
        env.close()
    means = {k: np.append(np.mean(v, axis=0), len(v)) for k, v in rows.items() if v}
    return means, turn_slope(turns[:, 0], turns[:, 1]), float(np.mean(lengths))


def headings(sim: CharacterState, ref: CharacterState) -> np.ndarray:
    """[the clip's root heading, the character's] (rad) of a clip state and a simulated state."""
    return np.array([heading_angle(ref.pose.root_quat), heading_angle(sim.pose.root_quat)])


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("run", nargs="?", type=Path, help="a run folder (default: the shipped controller of --motion)")
    ap.add_argument("--motion", help="a clip: its shipped controller, or with --zero the clip alone")
    ap.add_argument("--character", default="humanoid")
    ap.add_argument("--checkpoint", default="latest", choices=("best", "latest"))
    ap.add_argument("--zero", action="store_true", help="zero actions: the clip's own pose as the PD target")
    ap.add_argument("--episodes", type=int, default=30)
    args = ap.parse_args(argv)
    if args.zero:
        source = clip_only(args.motion, args.character)
    elif args.run is not None:
        source = from_run(args.run, args.checkpoint)
    else:
        source = resolve_source(None, None, args.motion, args.character)
    if source.policy is None and not args.zero:
        raise SystemExit(f"{args.motion}: no shipped controller; give a run folder or --zero")
    means, slope, seconds = run(source, args.episodes, args.zero)
    print(f"{source.label}: {args.episodes} episodes of {seconds:.2f} s on average")
    print(f"turning over the first {TURN_STEPS} steps: {slope:+.2f} of the clip's turn")
    print("step  episodes  heading (deg)  height (cm)  along (cm)  across (cm)   (mean absolute offsets from the clip's root)")
    for k, m in means.items():
        print(f"{k:4d}  {int(m[4]):8d}  {math.degrees(m[0]):13.1f}  {m[1] * 100:11.1f}  {m[2] * 100:10.1f}  {m[3] * 100:11.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
