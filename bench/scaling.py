"""Rollout scaling: samples/s with 1, 2, 4 and 8 rollout actors, local worker processes vs Ray actors.

Short training runs of the humanoid on walk with `imitate`'s default AWR setting
(the learner is part of the loop, so its share of wall time is reported too).
Each configuration runs one warm-up iteration (start-up, first evaluation), then
`--iterations` measured ones. With more actors than cores the actors time-share
the cores: those rows say what the code does, not what more machines would give.
Ray actors then ask for a fraction of a CPU each (2 cores / N actors).
`--async` rows sample the next round while the learner updates (local backend: the
learner then gets the cores the actors leave free, at least one thread).

`--envs-per-worker K [K ...]` repeats every configuration with each actor stepping
K environments as one batch.

  python -m bench.scaling [--actors 1 2 4 8] [--iterations 3] [--backends local ray] [--async-too] [--envs-per-worker 1 8]
"""

from __future__ import annotations

import argparse
import os
import platform
import tempfile
import time

from awr_core.config import AWRConfig
from awr_core.trainer import Trainer
from characters.config import EnvConfig
from imitate.defaults import DEFAULT_ENVS_PER_WORKER
from imitate.imitation import INFO_KEYS, connect_ray, learner_threads, make_agent, make_collector, task_mirror
from motions import resolve_clip


def measure(backend: str, actors: int, asynchronous: bool, iterations: int, clip: str, per_worker: int = 1) -> dict[str, float]:
    config = AWRConfig(test_every=10_000)
    collector = make_collector("humanoid", clip, EnvConfig(), actors, seed=0, backend=backend, asynchronous=asynchronous,
                               envs_per_worker=per_worker)  # fmt: skip
    try:
        agent = make_agent(collector, config, task_mirror("humanoid", clip, EnvConfig()) if config.mirror else None)
        with tempfile.TemporaryDirectory() as tmp:
            trainer = Trainer(agent, collector, tmp, info_keys=INFO_KEYS, learner_threads=learner_threads(backend, asynchronous, actors))
            trainer.iterate()  # warm-up: start-up costs and the first evaluation
            start, samples0 = time.perf_counter(), trainer.samples
            rows = [trainer.iterate() for _ in range(iterations)]
            wall = time.perf_counter() - start
    finally:
        collector.close()
    learner = sum(r["update_seconds"] for r in rows)
    return {"samples_per_s": (trainer.samples - samples0) / wall, "learner_share": learner / wall}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--actors", type=int, nargs="+", default=[1, 2, 4, 8])
    ap.add_argument("--iterations", type=int, default=3)
    ap.add_argument("--backends", nargs="+", default=["local", "ray"], choices=["local", "ray"])
    ap.add_argument("--async-too", action="store_true",
                    help="also measure --async for each backend: one actor per core, and one core left to the learner")  # fmt: skip
    ap.add_argument("--clip", default="walk.txt")
    ap.add_argument("--envs-per-worker", type=int, nargs="+", default=[DEFAULT_ENVS_PER_WORKER],
                    help=f"environments each actor steps as one batch (default: imitate's, {DEFAULT_ENVS_PER_WORKER})")  # fmt: skip
    args = ap.parse_args()
    cores = os.cpu_count() or 1
    clip = str(resolve_clip(args.clip, "humanoid3d_"))
    print(f"# {time.strftime('%Y-%m-%d %H:%M')} · {platform.processor() or platform.machine()} · {cores} cores · "
          f"actor {AWRConfig().actor_layers}, {AWRConfig().samples_per_iter} samples/iter, {args.iterations} iterations")  # fmt: skip
    print("| backend | actors | envs per actor | mode | samples/s | vs the first row | learner share of wall time |")
    print("|---|---|---|---|---|---|---|")
    base = None
    runs = [(n, False) for n in args.actors] + ([(n, True) for n in sorted({max(1, cores - 1), cores})] if args.async_too else [])
    for backend in args.backends:
        if backend == "ray":
            connect_ray(None, cores)
        for n, asynchronous in runs:
            for k in args.envs_per_worker:
                r = measure(backend, n, asynchronous, args.iterations, clip, k)
                base = base or r["samples_per_s"]
                label = f"{n}" + (" (more actors than cores)" if n > cores else "")
                print(f"| {backend} | {label} | {k} | {'async' if asynchronous else 'sync'} | {r['samples_per_s']:,.0f} | "
                      f"{r['samples_per_s'] / base:.2f}x | {r['learner_share']:.0%} |", flush=True)  # fmt: skip


if __name__ == "__main__":
    main()
