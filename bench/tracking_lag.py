"""Does a trained controller trail its clip in time, and what would anchoring its relative actions
further ahead give it, without retraining?

Part 1, the lag: deterministic episodes with the run's own settings. After every control step the
simulated character is compared with the clip at the same time shifted by a few physics steps
(negative: the clip earlier). The errors are the reward's own squared errors (pose: weighted squared
joint angles; end effectors: summed squared positions, `characters.rewards.imitation_errors`). A
character that trails the clip matches it best at a negative shift.

Part 2, re-anchored: the same policy, with its relative actions added to the clip's pose
`--lookaheads` control steps ahead instead of the run's own `relative_lookahead_steps` (the
policy's outputs unchanged). Normalized return, episode steps and success over the same episodes.

  python bench/tracking_lag.py runs/s15-std02-run [--episodes 6] [--shifts -24,-16,-8,0,8] [--lookaheads 1,2,3]
  python bench/tracking_lag.py imitate/controllers/humanoid-humanoid3d_run/controller.onnx
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from characters.rewards import imitation_errors  # noqa: E402
from imitate.defaults import SUCCESS_BODY_ERROR_M  # noqa: E402
from imitate.imitation import open_env  # noqa: E402
from imitate.policy_source import from_onnx, from_run  # noqa: E402


def shifted_errors(env, policy, seed: int, shifts: np.ndarray, max_steps: int) -> np.ndarray:
    """One deterministic episode -> [S,2] mean (pose, end-effector) squared errors against the clip shifted by
    `shifts` [S] physics steps, over the steps the episode lasted."""
    obs, _ = env.reset(seed=seed)
    total, steps = np.zeros((len(shifts), 2)), 0
    for _ in range(max_steps):
        obs, _, terminated, truncated, _ = env.step(policy(obs, env.action_base_pose()))
        if terminated:  # the step that ends in a fall is not a tracking sample
            break
        sim, _ = env.sim_state()
        for k, s in enumerate(shifts):
            e = imitation_errors(sim, env.reference.state_at(env.time + s / env.config.sim_hz), env.layout, env._ee, env.config.reward)
            total[k] += (e["pose"], e["end_effector"])
        steps += 1
        if truncated:
            break
    return total / max(steps, 1)


def scored_episode(env, policy, seed: int, max_steps: int) -> tuple[float, int, bool]:
    """One deterministic episode -> (normalized return, steps, success: no fall, mean body error < 0.5 m)."""
    obs, _ = env.reset(seed=seed)
    rewards, infos, terminated = [], [], False
    for _ in range(max_steps):
        obs, r, terminated, truncated, info = env.step(policy(obs, env.action_base_pose()))
        rewards.append(r)
        infos.append(info)
        if terminated or truncated:
            break
    body_err = float(np.mean([i.get("body_pos_err_m", np.nan) for i in infos]))
    return float(np.mean(rewards)), len(rewards), (not terminated) and body_err < SUCCESS_BODY_ERROR_M


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("run", type=Path, help="a run folder or an exported controller (.onnx)")
    ap.add_argument("--episodes", type=int, default=6)
    ap.add_argument("--seed", type=int, default=100)
    ap.add_argument("--checkpoint", choices=("best", "latest"), default="latest")
    ap.add_argument("--shifts", default="-24,-20,-16,-12,-8,-4,0,4,8", help="physics steps to shift the clip by, comma-separated")
    ap.add_argument("--lookaheads", default="1,1.5,2,2.5,3", help="control steps ahead to anchor relative actions at")
    args = ap.parse_args()
    source = from_onnx(args.run, None, None) if args.run.suffix == ".onnx" else from_run(args.run, args.checkpoint)
    if source.env.action_mode != "relative":
        raise SystemExit(f"{args.run}: actions are {source.env.action_mode!r}, not relative: nothing to re-anchor")
    shifts = np.array([int(s) for s in args.shifts.split(",")])
    max_steps = int(round(source.env.episode_seconds * source.env.control_hz))
    seeds = [args.seed + i for i in range(args.episodes)]
    print(f"# {time.strftime('%Y-%m-%d %H:%M')} · {source.label} · {Path(source.clip_path).name} · "
          f"{args.episodes} deterministic episodes · trained with relative actions anchored "
          f"{source.env.relative_lookahead_steps:g} control step(s) ahead")  # fmt: skip

    env = open_env(source.character, source.clip_path, source.env)
    errors = np.mean([shifted_errors(env, source.policy, s, shifts, max_steps) for s in seeds], axis=0)
    env.close()
    ms = 1000.0 / source.env.sim_hz
    print("\n| clip shifted by (physics steps) | (ms) | pose error (rad^2, weighted) | end-effector error (m^2, summed) |")
    print("|---|---|---|---|")
    for s, (pose, ee) in zip(shifts, errors, strict=True):
        print(f"| {s:+d} | {s * ms:+.0f} | {pose:.4f} | {ee:.4f} |")
    best_pose, best_ee = shifts[np.argmin(errors[:, 0])], shifts[np.argmin(errors[:, 1])]
    print(f"\nbest match: pose at {best_pose:+d} physics steps ({best_pose * ms:+.0f} ms), "
          f"end effectors at {best_ee:+d} ({best_ee * ms:+.0f} ms)")

    print("\n| relative actions anchored (control steps ahead) | normalized return | episode steps | success |")
    print("|---|---|---|---|")
    for la in [float(x) for x in args.lookaheads.split(",")]:
        env = open_env(source.character, source.clip_path, replace(source.env, relative_lookahead_steps=la))
        rows = [scored_episode(env, source.policy, s, max_steps) for s in seeds]
        env.close()
        own = " (trained)" if la == source.env.relative_lookahead_steps else ""
        ret, steps, success = np.mean(rows, axis=0)
        print(f"| {la:g}{own} | {ret:.3f} | {steps:.1f} | {success:.0%} |")


if __name__ == "__main__":
    main()
