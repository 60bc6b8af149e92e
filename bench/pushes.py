"""Pushes: how hard a controller can be hit before it falls, and whether a steered one walks on its way after.

Each trial starts at a random time of the clip, walks PUSH_AFTER_S (2-4 s, seeded), then the whole body gains a
horizontal velocity of the given size (a hit of impulse mass x size; 1 m/s on the 45-kg humanoid is about 225 N
for 0.2 s) in one of `--directions` directions around the character's heading, and the episode runs SETTLE_S more.
Only falls count (a link the clip never puts down touches the ground): the drift rule, which ends a clip tracker's
episode when it is more than a metre from a clip that runs on in world space, is off. A steered controller holds
one command (the clip's own way at the start) and has *recovered* when it did not fall and, in the second second
after the push, it travels within RECOVER_DEG of the command (the root's displacement over that second).

  python -m bench.pushes                               # every shipped controller
  python -m bench.pushes --runs runs/steer-walk        # a run folder too (its best checkpoint; --checkpoint latest)

DeepMimic's paper measures the same kind of robustness with forces on the pelvis for 0.2 s; see bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import json
import math
import platform
from dataclasses import replace
from pathlib import Path

import numpy as np
import pybullet as pb

from characters.env import ImitationEnv
from imitate.policy_source import Source, from_onnx, from_run
from imitate.shipped import list_shipped
from motions.rotations import heading_angle, wrap_angle

PUSH_AFTER_S = (2.0, 4.0)
SETTLE_S = 4.0
RECOVER_DEG = 15.0


def root_pose(env: ImitationEnv) -> tuple[np.ndarray, np.ndarray]:
    pos, quat = pb.getBasePositionAndOrientation(env.body.body, physicsClientId=env.client)
    return np.asarray(pos), np.asarray(quat)


def push_trial(env: ImitationEnv, source: Source, seed: int, size: float, direction_rad: float) -> dict:
    """One push trial (see the module's docstring): {"fell": bool, "recovered": bool | None}; direction_rad is
    measured from the character's heading at the push (0: from behind, pi/2: from its right, toward its left)."""
    rng = np.random.default_rng(seed)
    obs, _ = env.reset(seed=seed)
    steered = env.steering is not None
    if steered:
        env.steer_to(env.task.command)  # one command for the whole trial
    push_at = env.start_time + rng.uniform(*PUSH_AFTER_S)
    end = push_at + SETTLE_S
    marks: dict[float, np.ndarray] = {}
    pushed, terminated = False, False
    while env.time < end - 1e-9:
        if not pushed and env.time >= push_at - 1e-9:
            heading = float(heading_angle(root_pose(env)[1][None])[0]) + direction_rad
            env.push(size * np.array([math.cos(heading), 0.0, -math.sin(heading)]))
            pushed, push_time = True, env.time
        obs, _, terminated, _, _ = env.step(source.policy(obs, env.action_base_pose()))
        if terminated:
            break
        if pushed:
            for mark in (1.0, 2.0):
                if mark not in marks and env.time - push_time >= mark - 1e-9:
                    marks[mark] = root_pose(env)[0]
    recovered = None
    if steered:
        recovered = False
        if not terminated and len(marks) == 2:
            d = marks[2.0] - marks[1.0]
            recovered = abs(math.degrees(wrap_angle(math.atan2(-d[2], d[0]) - env.task.command))) <= RECOVER_DEG
    return {"fell": bool(terminated), "recovered": recovered}


def measure(source: Source, sizes: list[float], directions: int, trials: int) -> list[dict]:
    """Per push size: the fall rate (and a steered controller's recovery rate) over directions x trials pushes."""
    env = ImitationEnv(source.character, source.clip_path, replace(source.env, pose_termination_m=0.0))
    rows = []
    try:
        for size in sizes:
            results = [push_trial(env, source, seed=1000 * d + t, size=size, direction_rad=2 * math.pi * d / directions)
                       for d in range(directions) for t in range(trials)]  # fmt: skip
            row = {"push_m_s": size, "trials": len(results), "fall_rate": float(np.mean([r["fell"] for r in results]))}
            if results[0]["recovered"] is not None:
                row["recovered_rate"] = float(np.mean([r["recovered"] for r in results]))
            by_direction = [float(np.mean([r["fell"] for r in results[d * trials : (d + 1) * trials]])) for d in range(directions)]
            row["fall_rate_by_direction"] = by_direction
            rows.append(row)
    finally:
        env.close()
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--runs", type=Path, nargs="*", default=[], help="run folders to measure too")
    ap.add_argument("--checkpoint", choices=("best", "latest"), default="best", help="the runs' checkpoint (default: best)")
    ap.add_argument("--no-shipped", action="store_true", help="only the --runs")
    ap.add_argument("--sizes", type=float, nargs="+", default=[0.5, 1.0, 1.5, 2.0], help="push sizes, m/s (default: 0.5 1 1.5 2)")
    ap.add_argument("--directions", type=int, default=8, help="directions around the heading (default: 8)")
    ap.add_argument("--trials", type=int, default=4, help="trials per direction and size (default: 4)")
    ap.add_argument("--json", type=Path, default=None, help="also write the results here")
    args = ap.parse_args()
    sources = [] if args.no_shipped else [from_onnx(folder / "controller.onnx", None, None) for folder in list_shipped()]
    sources += [from_run(run, args.checkpoint) for run in args.runs]
    print(f"pushes: {args.directions} directions x {args.trials} trials per size, pushed 2-4 s in, {SETTLE_S:g} s after; "
          f"{platform.processor() or platform.machine()}")  # fmt: skip
    out = {}
    for source in sources:
        rows = measure(source, args.sizes, args.directions, args.trials)
        out[source.label] = rows
        steered = "recovered_rate" in rows[0]
        print(f"\n{source.label} ({source.character}, {Path(source.clip_path).name}{', steered' if steered else ''})")
        print("  push m/s | falls | " + ("recovered | " if steered else "") + "falls by direction (from behind, then counter-clockwise)")
        for r in rows:
            rec = f"{r['recovered_rate']:>9.0%} | " if steered else ""
            dirs = " ".join(f"{f:.0%}" for f in r["fall_rate_by_direction"])
            print(f"  {r['push_m_s']:>8g} | {r['fall_rate']:>5.0%} | {rec}{dirs}")
    if args.json:
        args.json.write_text(json.dumps(out, indent=2) + "\n")


if __name__ == "__main__":
    main()
