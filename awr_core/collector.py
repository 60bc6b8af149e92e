"""Rollout collection behind one actor-shaped interface: set weights -> sample N steps -> trajectories.

`InProcessCollector` runs its environments in this process; `ProcessCollector`
gives each worker process its own environment and a numpy copy of the policy,
so one sampling round costs one message per worker instead of one per step.
The learner code is the same for both.
"""

from __future__ import annotations

import math
import signal
from collections.abc import Sequence
from typing import Any

from awr_core.buffer import Path
from awr_core.numpy_policy import NumpyPolicy, PolicyWeights
from awr_core.processes import WorkerProcesses, report_error
from awr_core.sampler import EpisodeRecord, Sampler, evaluate
from awr_core.vector import EnvFactory, SyncVectorEnv

Batch = tuple[list[Path], list[EpisodeRecord]]


class RolloutWorker:
    """One environment (or a few) and a policy copy; lives in a worker process or in-process."""

    def __init__(self, factories: Sequence[EnvFactory], info_keys: Sequence[str], seed: int) -> None:
        self.venv = SyncVectorEnv(factories)
        self.info_keys = tuple(info_keys)
        self.seed = seed
        self.policy: NumpyPolicy | None = None
        self.sampler = Sampler(self.venv, self.info_keys, seed=seed)

    @property
    def spaces(self) -> tuple[Any, Any]:
        return self.venv.observation_space, self.venv.action_space

    def set_weights(self, weights: PolicyWeights) -> None:
        if self.policy is None:
            self.policy = NumpyPolicy(weights, seed=self.seed + 7)
        else:
            self.policy.set_weights(weights)

    def sample(self, num_steps: int) -> Batch:
        return self.sampler.collect(lambda o: self.policy.act(o), num_steps)

    def evaluate(self, episodes: int, seed: int) -> list[EpisodeRecord]:
        records = evaluate(self.venv, lambda o: self.policy.act(o, deterministic=True), episodes, self.info_keys, seed=seed)
        self.sampler.restart(seed=seed + 1)
        return records

    def close(self) -> None:
        self.venv.close()


class InProcessCollector:
    def __init__(self, factories: Sequence[EnvFactory], info_keys: Sequence[str] = (), seed: int = 0) -> None:
        self.worker = RolloutWorker(factories, info_keys, seed)
        self.observation_space, self.action_space = self.worker.spaces
        self.num_workers = 1

    def collect(self, weights: PolicyWeights, num_samples: int) -> Batch:
        self.worker.set_weights(weights)
        return self.worker.sample(num_samples)

    def evaluate(self, weights: PolicyWeights, episodes: int, seed: int) -> list[EpisodeRecord]:
        self.worker.set_weights(weights)
        return self.worker.evaluate(episodes, seed)

    def close(self) -> None:
        self.worker.close()


def _serve(conn: Any, factories: Sequence[EnvFactory], info_keys: Sequence[str], seed: int) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    try:
        worker = RolloutWorker(factories, info_keys, seed)
        conn.send(("ok", worker.spaces))
        while True:
            cmd, args = conn.recv()
            if cmd == "close":
                worker.close()
                conn.send(("ok", None))
                return
            worker.set_weights(args[0])
            result = worker.sample(args[1]) if cmd == "sample" else worker.evaluate(args[1], args[2])
            conn.send(("ok", result))
    except EOFError:
        return
    except Exception as exc:
        report_error(conn, exc)


class ProcessCollector:
    """`num_workers` processes, each with its own environment(s) and policy copy."""

    def __init__(self, factories: Sequence[EnvFactory], info_keys: Sequence[str] = (), seed: int = 0, timeout_s: float = 600.0) -> None:
        self.num_workers = len(factories)
        args = [([factory], info_keys, seed + 1000 * i) for i, factory in enumerate(factories)]
        self._pool = WorkerProcesses(_serve, args, "rollout worker", timeout_s)
        spaces = [self._pool.receive(i) for i in range(self.num_workers)]
        self.observation_space, self.action_space = spaces[0]

    def collect(self, weights: PolicyWeights, num_samples: int) -> Batch:
        share = math.ceil(num_samples / self.num_workers)
        for i in range(self.num_workers):
            self._pool.send(i, ("sample", (weights, share)))
        paths: list[Path] = []
        episodes: list[EpisodeRecord] = []
        for i in range(self.num_workers):
            p, e = self._pool.receive(i)
            paths.extend(p)
            episodes.extend(e)
        return paths, episodes

    def evaluate(self, weights: PolicyWeights, episodes: int, seed: int) -> list[EpisodeRecord]:
        shares = [episodes // self.num_workers + (1 if i < episodes % self.num_workers else 0) for i in range(self.num_workers)]
        busy = [i for i in range(self.num_workers) if shares[i] > 0]
        for i in busy:
            self._pool.send(i, ("evaluate", (weights, shares[i], seed + 100 * i)))
        return [r for i in busy for r in self._pool.receive(i)]

    def close(self) -> None:
        if hasattr(self, "_pool"):
            self._pool.close()

    def __del__(self) -> None:
        try:
            self.close()
        except Exception:
            pass
