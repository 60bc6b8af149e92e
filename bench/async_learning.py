"""Asynchronous sampling (`--async`) against synchronous rounds: samples/s and the learning curve.

In asynchronous mode the rollout actors sample round k+1 with the policy of
round k while the learner updates, so samples lag the learner by one policy
version. This runs both modes with the same seeds, actors and budget on a task
that learns in minutes (Pendulum-v1, the test suite's AWR setting, 2 worker
processes), and reports the test return reached, the samples needed to reach
-400, wall time and samples/s. The humanoid's samples/s in both modes is in
bench/scaling.py.

  python bench/async_learning.py [--samples 60k] [--seeds 0 1 2]
"""

from __future__ import annotations

import argparse
import functools
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import gymnasium as gym  # noqa: E402

from awr_core.agent import AWRAgent  # noqa: E402
from awr_core.collector import ProcessCollector  # noqa: E402
from awr_core.config import AWRConfig, Budget  # noqa: E402
from awr_core.log import read_log  # noqa: E402
from awr_core.trainer import Trainer  # noqa: E402

CONFIG = AWRConfig(optimizer="adam", actor_lr=1e-3, critic_lr=1e-3, samples_per_iter=1000, actor_steps=200, critic_steps=200,
                   gamma=0.95, normalizer_samples=20_000, test_every=5, test_episodes=8)  # fmt: skip
SOLVED = -400.0


def run(asynchronous: bool, seed: int, samples: int, actors: int) -> dict[str, float]:
    factory = functools.partial(gym.make, "Pendulum-v1")
    collector = ProcessCollector([factory] * actors, seed=seed, asynchronous=asynchronous)
    try:
        agent = AWRAgent(collector.observation_space, collector.action_space, AWRConfig(**{**CONFIG.__dict__, "seed": seed}))
        with tempfile.TemporaryDirectory() as tmp:
            trainer = Trainer(agent, collector, tmp)
            reached, start = None, time.perf_counter()
            trainer.train(Budget(samples=samples), on_row=lambda r: None)
            wall = time.perf_counter() - start
            rows = read_log(Path(tmp) / "log.csv")
            for r in rows:
                if reached is None and r.get("test_return", float("-inf")) >= SOLVED:
                    reached = r["samples"]
            final = trainer.test()["test_return"]
    finally:
        collector.close()
    return {"final": final, "reached": reached if reached is not None else float("nan"), "wall": wall, "rate": trainer.samples / wall}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--samples", default="60k")
    ap.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    ap.add_argument("--actors", type=int, default=os.cpu_count() or 1)
    args = ap.parse_args()
    samples = int(float(args.samples.lower().rstrip("k")) * (1000 if args.samples.lower().endswith("k") else 1))
    print(f"# {time.strftime('%Y-%m-%d %H:%M')} · {platform.machine()} · {os.cpu_count()} cores · Pendulum-v1 · {samples:,} samples · "
          f"{args.actors} worker processes · seeds {args.seeds}")  # fmt: skip
    print("| mode | final test return (mean ± std) | samples to reach -400 (per seed) | wall time (s) | samples/s |")
    print("|---|---|---|---|---|")
    for asynchronous in (False, True):
        res = [run(asynchronous, s, samples, args.actors) for s in args.seeds]  # interleaving is not needed: one mode at a time
        finals = [r["final"] for r in res]
        std = statistics.stdev(finals) if len(finals) > 1 else 0.0
        reached = ", ".join(f"{r['reached']:,.0f}" for r in res)
        print(f"| {'async' if asynchronous else 'sync'} | {statistics.mean(finals):.0f} ± {std:.0f} | {reached} | "
              f"{statistics.mean(r['wall'] for r in res):.0f} | {statistics.mean(r['rate'] for r in res):,.0f} |", flush=True)  # fmt: skip


if __name__ == "__main__":
    main()
