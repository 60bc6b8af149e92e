"""Feet on the ground: how deep they sink and how long an untrained policy stays up.

Untrained policy (`action_modes.untrained_episode`): relative actions of zero plus
exploration noise (std 0.05 rad), episodes from random start times. Reports the mean and shortest episodes and, per
episode, the deepest foot penetration into the ground before the final step. With
`--link-friction 0.5` the body links get the URDF's friction instead of the
environment's 0.9, which is what the environment did before session 3 (a PyBullet
quirk: a link's friction given in the same changeDynamics call as damping landed
on the base); the ground stays at 0.9.

`--contact-erp 0.8` tries a stiffer contact error correction than PyBullet's default.

  python bench/contacts.py [--clip walk.txt] [--episodes 40] [--link-friction 0.5] [--contact-erp 0.8]
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pybullet as pb
from action_modes import untrained_episode  # bench/, the script's folder

from characters.config import EnvConfig
from characters.env import ImitationEnv


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--clip", default="walk.txt")
    ap.add_argument("--episodes", type=int, default=40)
    ap.add_argument("--link-friction", type=float, default=None, help="override the body links' friction (not the base's)")
    ap.add_argument("--contact-erp", type=float, default=None, help="PyBullet contactERP (default: PyBullet's)")
    args = ap.parse_args()
    env = ImitationEnv("humanoid", args.clip, EnvConfig(action_mode="relative"))
    c, body = env.client, env.body
    if args.link_friction is not None:
        for j in range(body.num_links):
            pb.changeDynamics(body.body, j, lateralFriction=args.link_friction, physicsClientId=c)
    if args.contact_erp is not None:
        pb.setPhysicsEngineParameter(contactERP=args.contact_erp, physicsClientId=c)
    if args.link_friction is not None or args.contact_erp is not None:
        env._world_state = pb.saveState(physicsClientId=c)
    feet = {body.link_index[n] for n in env.spec_.ground_contact_links}
    rng = np.random.default_rng(0)

    def foot_depth() -> float:
        """How far the feet are into the ground now (m, >= 0)."""
        points = [p[8] for p in pb.getContactPoints(body.body, env.plane, physicsClientId=c) if p[3] in feet]
        return -min([0.0, *points])

    lengths, depths, per_step = [], [], []
    for ep in range(args.episodes):
        env.reset(seed=ep)
        per_step.clear()
        steps, _ = untrained_episode(env, rng, after_step=lambda: per_step.append(foot_depth()))
        lengths.append(steps)
        depths.append(max([0.0, *per_step]))
    friction = "the environment's" if args.link_friction is None else f"{args.link_friction} (links), 0.9 (base)"
    erp = "" if args.contact_erp is None else f" · contactERP {args.contact_erp}"
    print(f"# {time.strftime('%Y-%m-%d %H:%M')} · {args.clip} · {args.episodes} episodes · body friction {friction}{erp}")
    print(f"mean episode {np.mean(lengths):.1f} steps · shortest {sorted(lengths)[:5]} · "
          f"deepest foot penetration per episode: median {100 * np.median(depths):.1f} cm, max {100 * max(depths):.1f} cm")  # fmt: skip
    env.close()


if __name__ == "__main__":
    main()
