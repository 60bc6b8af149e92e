"""Where one control step of the ImitationEnv spends its time: physics against our Python/numpy work.

Wraps the parts of `ImitationEnv.step` with timers (the real step runs unchanged)
and steps the humanoid on the run clip with the same actions as env_throughput.py.

  python bench/env_step_profile.py [--steps 3000]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from env_throughput import ReferenceActions  # noqa: E402

import characters.env as env_module  # noqa: E402
from characters.config import EnvConfig  # noqa: E402
from characters.env import ImitationEnv  # noqa: E402

SPENT: dict[str, float] = {}


def timed(name, fn):
    def wrapper(*args, **kwargs):
        t = time.perf_counter()
        try:
            return fn(*args, **kwargs)
        finally:
            SPENT[name] = SPENT.get(name, 0.0) + time.perf_counter() - t

    return wrapper


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--steps", type=int, default=3000)
    args = ap.parse_args()
    env = ImitationEnv("humanoid", "run.txt", EnvConfig())
    acts = ReferenceActions(env)
    rng = np.random.default_rng(0)
    env.body.apply_pd = timed("stable-PD command (8 per step)", env.body.apply_pd)
    env_module.pb.stepSimulation = timed("stepSimulation (8 per step)", env_module.pb.stepSimulation)
    env.sim_state = timed("state reads", env.sim_state)
    env_module.errors_and_metrics = timed("error pass", env_module.errors_and_metrics)
    env_module.build_observation = timed("observation", env_module.build_observation)
    env.actions.targets = timed("action -> PD targets", env.actions.targets)
    env.reference.state_at = timed("reference lookup", env.reference.state_at)
    env.reset(seed=1)
    total, resets = 0.0, 0.0
    for _ in range(args.steps):
        a = acts.sample(env.time, rng)
        t = time.perf_counter()
        _, _, term, trunc, _ = env.step(a)
        total += time.perf_counter() - t
        if term or trunc:
            saved = dict(SPENT)  # the parts a reset calls are not the step's
            t = time.perf_counter()
            env.reset()
            resets += time.perf_counter() - t
            SPENT.clear()
            SPENT.update(saved)
    n = args.steps
    print(f"# {time.strftime('%Y-%m-%d %H:%M')} · run clip · {n} control steps · µs per control step")
    print("| part | µs per step |")
    print("|---|---|")
    for name, seconds in SPENT.items():
        if name != "reference lookup":
            print(f"| {name} | {seconds / n * 1e6:.1f} |")
    print(f"| reference lookup | {SPENT.get('reference lookup', 0.0) / n * 1e6:.1f} |")
    rest = total - sum(v for k, v in SPENT.items() if k not in ("reference lookup",))
    print(f"| rest of step (reference lookup, checks, info, reward sum) | {rest / n * 1e6:.1f} |")
    print(f"| whole step | {total / n * 1e6:.1f} |")
    print(f"| resets, amortized | {resets / n * 1e6:.1f} |")


if __name__ == "__main__":
    main()
