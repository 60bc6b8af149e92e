"""How closely the PD controller alone follows each clip's joints: the root held on the clip, zero actions.

Zero relative actions make the PD target the clip's own pose, so what the character does then is what the policy
starts from and corrects. Holding the root on the clip (teleported to the clip's root position, rotation and
velocities before every control step) takes balance out: what is left is how well the joints follow the clip. For
each rule of the PD targets the script runs `--starts` start times of every clip for `--steps` control steps and
averages the imitation reward's pose, joint-velocity and end-effector terms (1 = exact).

Rules (`EnvConfig.pd_target_velocity`): "zero" targets velocity 0, as DeepMimic does, and the clip's pose 2 control
steps ahead to make up for the lag that damping toward 0 causes; "clip" (the default) targets the clip's pose and
joint velocities 1 control step ahead, the state the step should end in.

  python -m bench.pd_tracking                       # every humanoid clip
  python -m bench.pd_tracking --clips kick spin
"""

from __future__ import annotations

import argparse
from dataclasses import replace

import numpy as np
import pybullet as pb

from bench.library import CLIPS
from characters.config import EnvConfig
from characters.env import ImitationEnv
from imitate.policy_source import clip_only

RULES = {"zero": {"pd_target_velocity": "zero", "relative_lookahead_steps": 2},
         "clip": {"pd_target_velocity": "clip", "relative_lookahead_steps": 1}}  # fmt: skip
TERMS = ("pose", "velocity", "end_effector")


def held_terms(character: str, clip_path: str, env: EnvConfig, starts: int, steps: int) -> np.ndarray:
    """Mean [pose, velocity, end_effector] reward terms [3] over `starts` seeded start times of `steps` control
    steps each, the root put on the clip's before every step, zero actions."""
    sim = ImitationEnv(character, clip_path, replace(env, pose_termination_m=0.0))
    rows = []
    try:
        for seed in range(starts):
            sim.reset(seed=seed)
            for _ in range(steps):
                ref = sim.reference.state_at(sim.time)
                body, c = sim.body.body, sim.client
                pb.resetBasePositionAndOrientation(body, ref.pose.root_pos.tolist(), ref.pose.root_quat.tolist(), physicsClientId=c)
                pb.resetBaseVelocity(body, ref.velocity.root_lin.tolist(), ref.velocity.root_ang.tolist(), physicsClientId=c)
                _, _, _, truncated, info = sim.step(np.zeros(sim.action_space.shape))
                if "reward_terms" in info:
                    rows.append([info["reward_terms"][t] for t in TERMS])
                if truncated:  # a one-shot clip's end
                    break
    finally:
        sim.close()
    return np.mean(rows, axis=0)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--clips", nargs="+", default=list(CLIPS), metavar="CLIP", help="humanoid clips (default: all 15)")
    ap.add_argument("--starts", type=int, default=10, help="start times per clip (seeds 0..N-1)")
    ap.add_argument("--steps", type=int, default=45, help="control steps from each start (45: 1.5 s)")
    args = ap.parse_args(argv)
    print("| clip | " + " | ".join(f"{rule}: pose, velocity, end effectors" for rule in RULES) + " |")
    print("|---|" + "---|" * len(RULES))
    for clip in args.clips:
        source = clip_only(f"{clip}.txt", "humanoid")
        cells = []
        for settings in RULES.values():
            m = held_terms(source.character, source.clip_path, replace(source.env, **settings), args.starts, args.steps)
            cells.append(", ".join(f"{v:.3f}" for v in m))
        print(f"| {clip} | " + " | ".join(cells) + " |", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
