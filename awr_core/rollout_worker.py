"""The rollout actor: an environment (or a few, or one batch of them) and a numpy copy of the policy.

One object with three calls, the same wherever it lives (this process, a worker
process, a Ray actor): `sample(weights, n)` -> trajectories of at least n steps
as numpy arrays, `evaluate(weights, episodes, seed)` -> finished deterministic
episodes, `pid()`. Its environments and
unfinished episodes persist between calls.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

from awr_core.buffer import Path
from awr_core.numpy_policy import NumpyPolicy, PolicyWeights
from awr_core.sampler import EpisodeRecord, Sampler, evaluate
from awr_core.vector import EnvFactory, build_vector_env

Batch = tuple[list[Path], list[EpisodeRecord]]


class RolloutWorker:
    def __init__(self, factories: Sequence[EnvFactory], info_keys: Sequence[str], seed: int) -> None:
        self.venv = build_vector_env(factories)
        self.info_keys = tuple(info_keys)
        self.seed = seed
        self.policy: NumpyPolicy | None = None
        self.sampler = Sampler(self.venv, self.info_keys, seed=seed)

    def spaces(self) -> tuple[Any, Any]:
        return self.venv.observation_space, self.venv.action_space

    def pid(self) -> int:
        return os.getpid()

    def _set_weights(self, weights: PolicyWeights) -> None:
        if self.policy is None:
            self.policy = NumpyPolicy(weights, seed=self.seed + 7)
        else:
            self.policy.set_weights(weights)

    def sample(self, weights: PolicyWeights, num_steps: int) -> Batch:
        self._set_weights(weights)
        return self.sampler.collect(lambda o: self.policy.act(o), num_steps)

    def evaluate(self, weights: PolicyWeights, episodes: int, seed: int) -> list[EpisodeRecord]:
        """Deterministic episodes. An environment with `set_training(on)` has its training-only perturbations
        (e.g. random pushes) off while they run."""
        self._set_weights(weights)
        training = getattr(self.venv, "set_training", None)
        if training is not None:
            training(False)
        try:
            records = evaluate(self.venv, lambda o: self.policy.act(o, deterministic=True), episodes, self.info_keys, seed=seed)
        finally:
            if training is not None:
                training(True)
        self.sampler.restart(seed=seed + 1)
        return records

    def close(self) -> None:
        self.venv.close()
