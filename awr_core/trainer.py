"""The training loop: sample, update, evaluate, log, checkpoint; stops on a budget or a goal."""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import torch

from awr_core.agent import AWRAgent
from awr_core.checkpoint import load_checkpoint, save_checkpoint
from awr_core.config import Budget
from awr_core.log import IterationLog
from awr_core.sampler import EpisodeRecord
from awr_core.schedule import exploration_std

LATEST = "latest.pt"
BEST = "best.pt"

INTERRUPTED = "interrupted (Ctrl-C); latest checkpoint saved"  # what `train` returns when stopped by a signal


def summarize(records: list[EpisodeRecord], prefix: str, success: Callable[[EpisodeRecord], bool] | None = None) -> dict[str, float]:
    """Mean return, length, failure rate, info means and (given a test) success rate of a set of episodes."""
    if not records:
        return {f"{prefix}_return": math.nan, f"{prefix}_episode_length": math.nan}
    out = {
        f"{prefix}_return": float(np.mean([r.ret for r in records])),
        f"{prefix}_episode_length": float(np.mean([r.length for r in records])),
        f"{prefix}_fail_rate": float(np.mean([r.terminated for r in records])),
        f"{prefix}_normalized_return": float(np.mean([r.ret / max(r.length, 1) for r in records])),
    }
    if success is not None:
        out[f"{prefix}_success_rate"] = float(np.mean([success(r) for r in records]))
    keys = sorted({k for r in records for k in r.info_means})
    for key in keys:
        out[f"{prefix}_{key}"] = float(np.mean([r.info_means[key] for r in records if key in r.info_means]))
    return out


class Trainer:
    """Runs AWR iterations with a rollout collector, writing `log.csv` and checkpoints into run_dir."""

    def __init__(
        self,
        agent: AWRAgent,
        collector: Any,
        run_dir: str | Path,
        info_keys: tuple[str, ...] = (),
        extra_metrics: Callable[[list[EpisodeRecord]], dict[str, float]] | None = None,
        extra_columns: list[str] | None = None,
        meta: dict[str, Any] | None = None,
        learner_threads: int | None = None,
        success: Callable[[EpisodeRecord], bool] | None = None,
    ) -> None:
        self.success = success
        self.agent = agent
        self.collector = collector
        self.run_dir = Path(run_dir)
        self.info_keys = info_keys
        self.extra_metrics = extra_metrics
        self.meta = meta or {}
        self.learner_threads = learner_threads or torch.get_num_threads()  # respects OMP_NUM_THREADS
        self.samples = 0
        self.wall_time = 0.0
        self.best_test = -math.inf
        self.last_test: dict[str, float] = {}
        columns = ["train_normalized_return", "train_fail_rate", "test_normalized_return", "test_fail_rate"]
        if success is not None:
            columns += ["train_success_rate", "test_success_rate"]
        columns += [f"{p}_{k}" for k in info_keys for p in ("train", "test")] + (extra_columns or [])
        self.log = IterationLog(self.run_dir / "log.csv", columns)

    # ---------------------------------------------------------- checkpoints
    def _payload(self) -> dict[str, Any]:
        last_test = {k: float(v) for k, v in self.last_test.items()}  # logged until the next test, also after a resume
        state = {"samples": self.samples, "wall_time": self.wall_time, "best_test": self.best_test, "last_test": last_test}
        return {"trainer": state, "meta": self.meta}

    def save(self, name: str = LATEST, include_buffer: bool = True) -> Path:
        path = self.run_dir / "checkpoints" / name
        save_checkpoint(path, {"agent": self.agent.state_dict(include_buffer=include_buffer), **self._payload()})
        return path

    def resume(self, path: str | Path | None = None) -> None:
        """Continue from a checkpoint (default: the run's latest): networks, optimizers, buffer, RNG, counters."""
        data = load_checkpoint(path or self.run_dir / "checkpoints" / LATEST)
        self.agent.load_state_dict(data["agent"])
        state = data["trainer"]
        self.samples, self.wall_time, self.best_test = int(state["samples"]), float(state["wall_time"]), float(state["best_test"])
        self.last_test = dict(state.get("last_test", {}))
        self.log.truncate_after(self.agent.iteration)

    # ---------------------------------------------------------- loop
    def iterate(self) -> dict[str, float]:
        """One iteration of Algorithm 1; returns its log row."""
        cfg = self.agent.config
        t0 = time.perf_counter()
        self.agent.set_action_std(exploration_std(cfg, self.samples))
        paths, episodes = self.collector.collect(self.agent.policy_weights(), cfg.samples_per_iter)
        t1 = time.perf_counter()
        new = sum(len(p) for p in paths)
        for p in paths:
            self.agent.remember(p)
        threads = torch.get_num_threads()
        torch.set_num_threads(self.learner_threads)
        try:
            stats = self.agent.update(new)
        finally:
            torch.set_num_threads(threads)
        t2 = time.perf_counter()
        self.samples += new
        row: dict[str, float] = {"iteration": self.agent.iteration, "samples": self.samples, "action_std": self.agent.action_std, **stats}
        row.update(summarize(episodes, "train", self.success))
        if self.agent.iteration % cfg.test_every == 0 or self.agent.iteration == 1:
            self.last_test = self.test()
            if self.last_test["test_return"] > self.best_test:
                self.best_test = self.last_test["test_return"]
                self.save(BEST, include_buffer=False)
        row.update(self.last_test)
        if self.extra_metrics is not None:
            row.update(self.extra_metrics(episodes))
        t3 = time.perf_counter()
        self.wall_time += t3 - t0
        row.update(
            wall_time_h=self.wall_time / 3600, sample_seconds=t1 - t0, update_seconds=t2 - t1, samples_per_second=new / max(t3 - t0, 1e-9)
        )
        self.log.write(row)
        self.save(LATEST)
        return row

    def test(self, episodes: int | None = None) -> dict[str, float]:
        """Deterministic evaluation episodes (`test_episodes` unless told); the training envs are reset afterwards."""
        cfg = self.agent.config
        records = self.collector.evaluate(self.agent.policy_weights(), episodes or cfg.test_episodes,
                                          seed=cfg.seed + 10_000 + self.agent.iteration)  # fmt: skip
        return summarize(records, "test", self.success)

    def confirm(self, episodes: int, test: Callable[[dict, int], dict] | None = None) -> dict:
        """A longer deterministic test of the current policy (before stopping on a goal); its time counts as training time.
        test(policy_weights, episodes), when given, runs it instead of the collector (the caller's own episodes: a task
        longer than training's, or fixed start times)."""
        start = time.perf_counter()
        try:
            if test is None:
                return self.test(episodes)
            return test(self.agent.policy_weights(), episodes)
        finally:
            self.wall_time += time.perf_counter() - start

    def train(self, budget: Budget, stop_when: Callable[[dict], str | None] | None = None,
              on_row: Callable[[dict], None] | None = None) -> str:  # fmt: skip
        """Iterate until the budget is spent, `stop_when` returns a reason, or Ctrl-C (saved first)."""
        start_samples, start_time = self.samples, time.perf_counter()
        try:
            while True:
                row = self.iterate()
                if on_row is not None:
                    on_row(row)
                reason = stop_when(row) if stop_when else None
                if reason:
                    return reason
                if budget.samples is not None and self.samples - start_samples >= budget.samples:
                    return f"sample budget reached ({self.samples - start_samples:,} samples)"
                if budget.seconds is not None and time.perf_counter() - start_time >= budget.seconds:
                    return f"time budget reached ({(time.perf_counter() - start_time) / 60:.1f} min)"
        except KeyboardInterrupt:
            self.save(LATEST)
            return INTERRUPTED
