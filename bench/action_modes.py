"""Where learning starts: an untrained policy (action-box centre + exploration noise) in each action parameterization.

A freshly initialized AWR policy outputs the centre of the action box plus Gaussian
noise (std 0.05 of the half-range). With DeepMimic's absolute targets that centre is
a half-crouch the character collapses from; with targets relative to the clip it is
the clip itself. Episode length and return at the start tell how much must be learned
before any balance can be.

  python bench/action_modes.py [--clip walk.txt] [--episodes 20]
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from characters.config import EnvConfig
from characters.env import ImitationEnv


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--clip", default="walk.txt")
    ap.add_argument("--episodes", type=int, default=20)
    args = ap.parse_args()
    print(f"# {time.strftime('%Y-%m-%d %H:%M')} · {args.clip} · {args.episodes} episodes each, random start times (seeds 0..)")
    print("| action mode | mean episode (steps) | mean episode (s) | mean return | normalized return |")
    print("|---|---|---|---|---|")
    for mode in ("absolute", "relative"):
        env = ImitationEnv("humanoid", args.clip, EnvConfig(action_mode=mode))
        centre = 0.5 * (env.action_space.low + env.action_space.high)
        half = 0.5 * (env.action_space.high - env.action_space.low)
        rng = np.random.default_rng(0)
        lengths, returns = [], []
        for ep in range(args.episodes):
            env.reset(seed=ep)
            steps, total = 0, 0.0
            while True:
                _, r, term, trunc, _ = env.step(centre + rng.normal(0.0, 0.05, centre.shape) * half)
                steps, total = steps + 1, total + r
                if term or trunc:
                    break
            lengths.append(steps)
            returns.append(total)
        n, ret = float(np.mean(lengths)), float(np.mean(returns))
        print(f"| {mode} | {n:.1f} | {n / env.config.control_hz:.2f} | {ret:.2f} | {ret / n:.3f} |")
        env.close()


if __name__ == "__main__":
    main()
