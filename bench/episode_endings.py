"""Why a trained controller's episodes end: a fall (a link other than the feet touches the
ground) or pose drift (a link more than `pose_termination_m` from the clip), and where
the character is then relative to the clip.

Deterministic episodes from random start times with the run's policy; one row per
episode and a summary, then how far the root trails the clip as the episodes go on
(the mean root offset of the episodes still running, every `--offsets-every` steps).
`--pose-termination-m 0` switches the drift rule off (DeepMimic's rule: falls only) to see
whether a drifting character would also have fallen, and when. `--close-seam` / `--no-close-seam`
plays the clip with its loop's seam closed or as in the file (`motions.seam`), whatever the run trained on.

  python bench/episode_endings.py runs/ship-walk [--episodes 12] [--pose-termination-m 0]
  python bench/episode_endings.py imitate/controllers/humanoid-humanoid3d_walk/controller.onnx
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from characters.env import pb  # noqa: E402
from imitate.imitation import open_env  # noqa: E402
from imitate.policy_source import from_onnx, from_run  # noqa: E402


def ground_contacts(env) -> list[str]:
    """Links within DeepMimic's 1 mm contact tolerance of the ground now."""
    names = {index: name for name, index in env.body.link_index.items()}
    points = pb.getContactPoints(bodyA=env.body.body, bodyB=env.plane, physicsClientId=env.client)
    return sorted({names.get(p[3], "root") for p in points if p[8] <= 1e-3})


def root_offset(env) -> np.ndarray:
    """[3] the simulated root's position minus the clip's root position now (m, world axes: y up; the walk and
    run clips move along +x, so x is forward and z sideways)."""
    sim, _ = env.sim_state()
    return sim.pose.root_pos - env.reference.state_at(env.time).pose.root_pos


def episode(env, policy, seed: int) -> dict:
    obs, info = env.reset(seed=seed)
    start_phase, steps, offsets = info["phase"], 0, []
    while True:
        obs, _, terminated, truncated, info = env.step(policy(obs, env.action_base_pose()))
        steps += 1
        offsets.append(root_offset(env))
        if terminated or truncated:
            break
    offset = offsets[-1]
    ended = "fall" if info.get("fell") else "drift" if info.get("drifted") else "blow-up" if info.get("blow_up") else "time"
    return {"start_phase": start_phase, "steps": steps, "ended": ended, "touching": ground_contacts(env),
            "body_err_m": info.get("body_pos_err_m", float("nan")), "root_offset_m": offset, "offsets": np.array(offsets)}  # fmt: skip


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("run", type=Path, help="a run folder or an exported controller (.onnx)")
    ap.add_argument("--episodes", type=int, default=12)
    ap.add_argument("--seed", type=int, default=100)
    ap.add_argument("--offsets-every", type=int, default=15, help="steps between rows of the root-offset table")
    ap.add_argument("--checkpoint", choices=("best", "latest"), default="latest")
    ap.add_argument("--pose-termination-m", type=float, default=None, help="override the run's drift rule (0: off)")
    ap.add_argument("--close-seam", action=argparse.BooleanOptionalAction, default=None,
                    help="override whether the clip's seam is closed (motions.seam)")
    args = ap.parse_args()
    source = from_onnx(args.run, None, None) if args.run.suffix == ".onnx" else from_run(args.run, args.checkpoint)
    config = source.env if args.pose_termination_m is None else replace(source.env, pose_termination_m=args.pose_termination_m)
    config = config if args.close_seam is None else replace(config, close_seam=args.close_seam)
    env = open_env(source.character, source.clip_path, config)
    print(f"# {time.strftime('%Y-%m-%d %H:%M')} · {source.label} · {Path(source.clip_path).name} · "
          f"drift rule {config.pose_termination_m:g} m (0 = off) · seam {'closed' if config.close_seam else 'as in the file'} · "
          f"{args.episodes} deterministic episodes")  # fmt: skip
    print("| episode | start phase | steps | ended by | links on the ground | body error (m) | root offset x, y, z (m) |")
    print("|---|---|---|---|---|---|---|")
    rows = [episode(env, source.policy, args.seed + i) for i in range(args.episodes)]
    for i, r in enumerate(rows):
        dx, dy, dz = r["root_offset_m"]
        print(f"| {i} | {r['start_phase']:.2f} | {r['steps']} | {r['ended']} | {', '.join(r['touching']) or '-'} | "
              f"{r['body_err_m']:.2f} | {dx:+.2f}, {dy:+.2f}, {dz:+.2f} |")  # fmt: skip
    ends = [r["ended"] for r in rows]
    offsets = np.array([r["root_offset_m"] for r in rows])
    counts = ", ".join(f"{k} {ends.count(k)}" for k in sorted(set(ends)))
    print(f"\nmean {np.mean([r['steps'] for r in rows]):.1f} steps; ended by {counts}"
          + f"; mean root offset at the end x {offsets[:, 0].mean():+.2f}, y {offsets[:, 1].mean():+.2f}, "
          f"z {offsets[:, 2].mean():+.2f} m")  # fmt: skip
    print("\n| step | episodes still running | mean root offset x, y, z (m) | mean horizontal distance from the clip's root (m) |")
    print("|---|---|---|---|")
    for k in range(args.offsets_every, max(r["steps"] for r in rows) + 1, args.offsets_every):
        at = np.array([r["offsets"][k - 1] for r in rows if r["steps"] >= k])
        dx, dy, dz = at.mean(axis=0)
        print(f"| {k} | {len(at)} | {dx:+.2f}, {dy:+.2f}, {dz:+.2f} | {np.linalg.norm(at[:, [0, 2]], axis=1).mean():.2f} |")
    env.close()


if __name__ == "__main__":
    main()
