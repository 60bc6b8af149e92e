"""Where learning starts: an untrained policy (action-box centre + exploration noise) under each lever.

A freshly initialized AWR policy outputs the centre of the action box plus Gaussian
noise (std 0.05 of the half-range). With DeepMimic's absolute targets that centre is
a half-crouch the character collapses from; with targets relative to the clip it is
the clip itself. Episode length and return at the start tell how much must be learned
before any balance can be. Rows: the action mode, then (relative actions) how far
ahead in the clip the relative targets are anchored, then the physics rate.

  python bench/action_modes.py [--clip walk.txt] [--episodes 20]
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable

import numpy as np

from characters.config import EnvConfig
from characters.env import ImitationEnv


def untrained_episode(env: ImitationEnv, rng: np.random.Generator, after_step: Callable[[], None] | None = None) -> tuple[int, float]:
    """Run the episode `env` was just reset into with an untrained policy: the action box centre plus
    Gaussian noise of std 0.05 of the half-range. `after_step` runs after each step that does not end it.
    Returns (steps, return)."""
    centre = 0.5 * (env.action_space.low + env.action_space.high)
    half = 0.5 * (env.action_space.high - env.action_space.low)
    steps, total = 0, 0.0
    while True:
        _, r, term, trunc, _ = env.step(centre + rng.normal(0.0, 0.05, centre.shape) * half)
        steps, total = steps + 1, total + r
        if term or trunc:
            return steps, total
        if after_step is not None:
            after_step()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--clip", default="walk.txt")
    ap.add_argument("--episodes", type=int, default=20)
    args = ap.parse_args()
    print(f"# {time.strftime('%Y-%m-%d %H:%M')} · {args.clip} · {args.episodes} episodes each, random start times (seeds 0..)")
    print("| setting | mean episode (steps) | mean episode (s) | mean return | normalized return |")
    print("|---|---|---|---|---|")
    levers = [
        ("absolute", EnvConfig(action_mode="absolute")),
        ("relative, lookahead 0 (the clip now)", EnvConfig(action_mode="relative", relative_lookahead_steps=0)),
        ("relative, lookahead 1 (default)", EnvConfig(action_mode="relative", relative_lookahead_steps=1)),
        ("relative, lookahead 2", EnvConfig(action_mode="relative", relative_lookahead_steps=2)),
        ("relative, lookahead 1, 120 Hz physics", EnvConfig(action_mode="relative", sim_hz=120.0)),
    ]
    for mode, config in levers:
        env = ImitationEnv("humanoid", args.clip, config)
        rng = np.random.default_rng(0)
        lengths, returns = [], []
        for ep in range(args.episodes):
            env.reset(seed=ep)
            steps, total = untrained_episode(env, rng)
            lengths.append(steps)
            returns.append(total)
        n, ret = float(np.mean(lengths)), float(np.mean(returns))
        print(f"| {mode} | {n:.1f} | {n / env.config.control_hz:.2f} | {ret:.2f} | {ret / n:.3f} |")
        env.close()


if __name__ == "__main__":
    main()
