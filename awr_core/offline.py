"""Training from a static dataset: AWR updates on a fixed replay buffer, no new samples.

The buffer holds the whole dataset; each "iteration" is one AWR update (value
fit on TD(lambda) targets, then the advantage-weighted policy fit) with
`samples_per_iter` worth of gradient steps. A collector, when given, only
evaluates the policy; it never adds data.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from awr_core.agent import AWRAgent
from awr_core.buffer import Path as Trajectory
from awr_core.buffer import ReplayBuffer
from awr_core.log import IterationLog
from awr_core.trainer import summarize


def train_offline(
    agent: AWRAgent,
    dataset: Sequence[Trajectory],
    iterations: int,
    run_dir: str | Path,
    evaluator: Any | None = None,
    test_every: int = 10,
) -> list[dict[str, float]]:
    """Fit `agent` to `dataset` for `iterations` AWR updates; returns the log rows."""
    size = sum(len(p) for p in dataset)
    agent.buffer = ReplayBuffer(capacity=size)
    for p in dataset:
        agent.remember(p)
    log = IterationLog(Path(run_dir) / "log.csv", ["test_normalized_return"])
    rows = []
    for _ in range(iterations):
        row = {"iteration": agent.iteration + 1, "samples": size, **agent.update(agent.config.samples_per_iter)}
        if evaluator is not None and (row["iteration"] % test_every == 0 or row["iteration"] == iterations):
            records = evaluator.evaluate(agent.policy_weights(), agent.config.test_episodes, seed=row["iteration"])
            row.update(summarize(records, "test"))
        log.write(row)
        rows.append(row)
    return rows
