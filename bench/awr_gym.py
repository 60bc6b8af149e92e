"""AWR on Gymnasium MuJoCo tasks with the official per-task hyperparameters (xbpeng/awr awr_configs.py).

Reference: the official logs' mean test return at 1M samples (`OFFICIAL_AT_1M`: HalfCheetah ~3,446,
Hopper ~2,660, Walker2d ~1,586), printed beside the result for the task that ran. This script trains
several seeds in parallel (one process and one torch thread each), evaluates 32 deterministic test episodes at the end, and prints
mean ± std, the wall-clock time and the split between sampling and gradient steps.

  python -m bench.awr_gym --env HalfCheetah-v5 --samples 1M --seeds 0 1 2 --out bench/runs/halfcheetah
"""

from __future__ import annotations

import argparse
import csv
import json
import multiprocessing as mp
import os
import platform
import statistics
import time
from dataclasses import replace
from pathlib import Path

from awr_core.config import AWR_PAPER

# mean test return of the official AWR logs (xbpeng/awr) at 1M samples
OFFICIAL_AT_1M = {"HalfCheetah-v5": 3446, "Hopper-v5": 2660, "Walker2d-v5": 1586}
# official per-task settings (actor lr differs per task; everything else is shared)
ACTOR_LR = {"HalfCheetah-v5": 5e-5, "Hopper-v5": 1e-4, "Walker2d-v5": 2.5e-5, "Ant-v5": 5e-5, "Humanoid-v5": 1e-5}
ACTION_STD = {"Ant-v5": 0.2}


def official_reference(env_id: str) -> str:
    """What the official logs reached on this task at 1M samples, for the result line."""
    official = OFFICIAL_AT_1M.get(env_id)
    return f"official logs: ~{official:,} at 1M samples" if official else f"no official figure for {env_id}"


def official_config(env_id: str, seed: int):

    return replace(AWR_PAPER,
        actor_layers=(128, 64), critic_layers=(128, 64), optimizer="sgd", actor_lr=ACTOR_LR.get(env_id, 5e-5), critic_lr=0.01,
        momentum=0.9, samples_per_iter=2048, buffer_size=50_000, batch_size=256, critic_steps=200, actor_steps=1000,
        gamma=0.99, td_lambda=0.95, temperature=1.0, weight_clip=20.0, action_std=ACTION_STD.get(env_id, 0.4),
        normalizer_samples=300_000, test_episodes=32, test_every=50, seed=seed,
    )  # fmt: skip


def parse_samples(text: str) -> int:
    text = text.lower()
    scale = {"k": 1_000, "m": 1_000_000}.get(text[-1], 1)
    return int(float(text.rstrip("km")) * scale)


def train_seed(env_id: str, samples: int, seed: int, out: Path) -> dict:
    os.environ["OMP_NUM_THREADS"] = "1"
    import gymnasium as gym
    import numpy as np
    import torch

    from awr_core.agent import AWRAgent
    from awr_core.collector import InProcessCollector
    from awr_core.config import Budget
    from awr_core.trainer import Trainer

    torch.set_num_threads(1)
    collector = InProcessCollector([lambda: gym.make(env_id)], seed=seed)
    agent = AWRAgent(collector.observation_space, collector.action_space, official_config(env_id, seed))
    trainer = Trainer(agent, collector, out / f"seed{seed}", learner_threads=1)
    start = time.perf_counter()
    trainer.train(Budget(samples=samples))
    wall = time.perf_counter() - start
    final = trainer.test()
    with (out / f"seed{seed}" / "log.csv").open() as f:
        rows = list(csv.DictReader(f))
    sample_s = sum(float(r["sample_seconds"]) for r in rows)
    update_s = sum(float(r["update_seconds"]) for r in rows)
    result = {"seed": seed, "samples": trainer.samples, "test_return": final["test_return"], "wall_s": wall,
              "sample_s": sample_s, "update_s": update_s, "iterations": agent.iteration,
              "test_return_std_over_episodes": float(np.nan)}  # fmt: skip
    (out / f"seed{seed}" / "result.json").write_text(json.dumps(result, indent=2))
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--env", default="HalfCheetah-v5")
    parser.add_argument("--samples", default="1M")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--out", type=Path, default=Path("bench/runs/halfcheetah"))
    args = parser.parse_args()
    samples = parse_samples(args.samples)
    args.out.mkdir(parents=True, exist_ok=True)
    head = f"# {time.strftime('%Y-%m-%d %H:%M')} · {platform.machine()} · {os.cpu_count()} cores"
    print(f"{head} · {args.env} · {samples:,} samples · seeds {args.seeds}")
    print("configuration: the official AWR per-task settings (awr_core.config.AWR_PAPER), not imitate's defaults")
    ctx = mp.get_context("spawn")
    with ctx.Pool(len(args.seeds)) as pool:
        results = pool.starmap(train_seed, [(args.env, samples, s, args.out) for s in args.seeds])
    returns = [r["test_return"] for r in results]
    for r in results:
        share = r["update_s"] / max(r["sample_s"] + r["update_s"], 1e-9)
        print(f"seed {r['seed']}: test return {r['test_return']:.0f} at {r['samples']:,} samples, {r['wall_s'] / 60:.1f} min "
              f"(sampling {r['sample_s'] / 60:.1f} min, updates {r['update_s'] / 60:.1f} min = {share:.0%})")  # fmt: skip
    std = statistics.stdev(returns) if len(returns) > 1 else 0.0
    print(f"mean test return over {len(returns)} seeds: {statistics.mean(returns):.0f} ± {std:.0f} ({official_reference(args.env)})")


if __name__ == "__main__":
    main()
