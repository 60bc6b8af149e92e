"""Where one control step of the environment spends its time: physics against our Python/numpy work.

Wraps the parts of `characters.env.step_many` with timers (the real step runs unchanged)
and steps a batch of K humanoids on the run clip (K = --batch, by default as many as a
rollout worker steps: `imitate.defaults.DEFAULT_ENVS_PER_WORKER`; 1 = one ImitationEnv) with the same actions as env_throughput.py. Figures
are per control step of one environment.

  python bench/env_step_profile.py [--steps 3000] [--batch K]
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
import characters.vector_env as vector_module  # noqa: E402
from characters.config import EnvConfig  # noqa: E402
from characters.env import ImitationEnv  # noqa: E402
from characters.vector_env import ImitationVectorEnv  # noqa: E402
from imitate.defaults import DEFAULT_ENVS_PER_WORKER  # noqa: E402

SPENT: dict[str, float] = {}


def timed(name, fn):
    def wrapper(*args, **kwargs):
        t = time.perf_counter()
        try:
            return fn(*args, **kwargs)
        finally:
            SPENT[name] = SPENT.get(name, 0.0) + time.perf_counter() - t

    return wrapper


def timed_whole(name, fn):
    """Like `timed`, but the parts timed inside (a reset reads states too) count only under `name`."""

    def wrapper(*args, **kwargs):
        saved, t = dict(SPENT), time.perf_counter()
        try:
            return fn(*args, **kwargs)
        finally:
            elapsed = time.perf_counter() - t
            SPENT.clear()
            SPENT.update(saved)
            SPENT[name] = SPENT.get(name, 0.0) + elapsed

    return wrapper


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--steps", type=int, default=3000, help="control steps per environment")
    ap.add_argument("--batch", type=int, default=DEFAULT_ENVS_PER_WORKER, help="environments stepped as one batch")
    args = ap.parse_args()
    venv = ImitationVectorEnv([ImitationEnv("humanoid", "run.txt", EnvConfig()) for _ in range(args.batch)])
    first = venv.envs[0]
    acts = ReferenceActions(first)
    rng = np.random.default_rng(0)
    for env in venv.envs:
        env.body.apply_pd = timed("stable-PD command (8 per step)", env.body.apply_pd)
        env._fell = timed("fall check (contacts)", env._fell)
        env.body.append_state = timed("state reads (PyBullet)", env.body.append_state)
    vector_module.start_episodes = timed_whole("resets (amortized)", vector_module.start_episodes)
    env_module.pb.stepSimulation = timed("stepSimulation (8 per step)", env_module.pb.stepSimulation)
    env_module.states_from_values = timed("state reads (to numpy)", env_module.states_from_values)
    env_module.batch_errors_and_metrics = timed("error pass", env_module.batch_errors_and_metrics)
    env_module.observe = timed("observation", env_module.observe)
    first.actions.targets = timed("action -> PD targets", first.actions.targets)
    first.reference.states_at = timed("reference lookup", first.reference.states_at)
    venv.reset(seed=1)
    SPENT.clear()
    total = 0.0
    for _ in range(args.steps):
        a = acts.sample_batch(np.array([env.time for env in venv.envs]), rng)
        t = time.perf_counter()
        venv.step(a)
        total += time.perf_counter() - t
    n = args.steps * args.batch
    print(f"# {time.strftime('%Y-%m-%d %H:%M')} · run clip · a batch of {args.batch} · {args.steps} control steps each · "
          "µs per control step of one environment")  # fmt: skip
    print("| part | µs per step |")
    print("|---|---|")
    for name, seconds in SPENT.items():
        print(f"| {name} | {seconds / n * 1e6:.1f} |")
    print(f"| rest (rewards, termination, infos, auto-reset bookkeeping) | {(total - sum(SPENT.values())) / n * 1e6:.1f} |")
    print(f"| whole step | {total / n * 1e6:.1f} |")


if __name__ == "__main__":
    main()
