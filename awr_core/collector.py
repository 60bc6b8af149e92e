"""Rollout collection for the learner: split a round over the actors, gather, replace the dead.

`Collector` drives any actor backend (`actors.ActorPool`): local worker processes,
Ray actors, or actors in this process. The learner (`trainer.Trainer`) sees only
`collect`, `evaluate` and `close`, whichever backend is behind it.

Fault tolerance: when an actor dies mid-round, a warning is logged, the actor is
replaced and only its share is sampled again; the other actors' samples are kept.
A worker whose own code raises (a bug, a bad clip) is not retried: that error ends
the run, in one line naming the actor.

Asynchronous mode (`asynchronous=True`): AWR is off-policy, so the next round
may be sampled while the learner updates. `collect(weights)` returns the round
started at the previous call and starts the next one with `weights`; samples are
therefore at most one policy version behind the learner.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence
from typing import Any

from awr_core.actors import ActorDied, ActorPool
from awr_core.numpy_policy import PolicyWeights
from awr_core.rollout_worker import Batch
from awr_core.sampler import EpisodeRecord
from awr_core.vector import EnvFactory

log = logging.getLogger("awr_core.collector")


class Collector:
    def __init__(self, pool: ActorPool, asynchronous: bool = False, max_replacements: int = 3) -> None:
        self.pool = pool
        self.num_workers = len(pool)
        self.asynchronous = asynchronous
        self.max_replacements = max_replacements  # per slot and round: an actor that keeps dying is an error
        self.replacements = 0  # total over the run, for the log
        self.observation_space, self.action_space = pool.spaces()
        self._pending: tuple[PolicyWeights, int] | None = None  # a round submitted and not yet gathered
        self._ready: Batch | None = None  # a round gathered early (an evaluation needed the actors)

    # ---------------------------------------------------------------- rounds
    def _shares(self, num_samples: int) -> list[int]:
        share = math.ceil(num_samples / self.num_workers)
        return [share] * self.num_workers

    def _start(self, weights: PolicyWeights, num_samples: int) -> None:
        for slot, share in enumerate(self._shares(num_samples)):
            self.pool.submit(slot, "sample", weights, share)
        self._pending = (weights, num_samples)

    def _call_with_retry(self, slot: int, method: str, args: tuple) -> Any:
        """The slot's answer to a call already submitted; re-run on a fresh actor if it died."""
        for attempt in range(self.max_replacements + 1):
            try:
                return self.pool.result(slot)
            except ActorDied as exc:
                if attempt == self.max_replacements:
                    raise
                self.replacements += 1
                log.warning("%s; replacing it and sampling its share again (%d replacements so far)", exc, self.replacements)
                self.pool.replace(slot)
                self.pool.submit(slot, method, *args)
        raise AssertionError("unreachable")

    def _gather(self) -> Batch:
        assert self._pending is not None
        weights, num_samples = self._pending
        self._pending = None
        paths, episodes = [], []
        for slot, share in enumerate(self._shares(num_samples)):
            p, e = self._call_with_retry(slot, "sample", (weights, share))
            paths.extend(p)
            episodes.extend(e)
        return paths, episodes

    # ---------------------------------------------------------------- API
    def collect(self, weights: PolicyWeights, num_samples: int) -> Batch:
        """At least `num_samples` transitions, as trajectories (sampled with `weights`, or in asynchronous
        mode with those of the previous call)."""
        if not self.asynchronous:
            self._start(weights, num_samples)
            return self._gather()
        if self._ready is not None:
            batch, self._ready = self._ready, None
        elif self._pending is not None:
            batch = self._gather()
        else:  # first round: nothing sampled ahead yet
            self._start(weights, num_samples)
            batch = self._gather()
        self._start(weights, num_samples)
        return batch

    def evaluate(self, weights: PolicyWeights, episodes: int, seed: int) -> list[EpisodeRecord]:
        if self._pending is not None:  # the actors are busy with the next round: keep it for collect()
            self._ready = self._gather()
        shares = [episodes // self.num_workers + (1 if i < episodes % self.num_workers else 0) for i in range(self.num_workers)]
        busy = [i for i in range(self.num_workers) if shares[i] > 0]
        for i in busy:
            self.pool.submit(i, "evaluate", weights, shares[i], seed + 100 * i)
        return [r for i in busy for r in self._call_with_retry(i, "evaluate", (weights, shares[i], seed + 100 * i))]

    def close(self) -> None:
        self.pool.close()


def InProcessCollector(factories: Sequence[EnvFactory], info_keys: Sequence[str] = (), seed: int = 0) -> Collector:  # noqa: N802
    """All `factories` in one actor in this process (batched stepping, no worker processes)."""
    from awr_core.local_actors import InProcessActors

    return Collector(InProcessActors([list(factories)], info_keys, seed))


def ProcessCollector(factories: Sequence[EnvFactory], info_keys: Sequence[str] = (), seed: int = 0,  # noqa: N802
                     asynchronous: bool = False, timeout_s: float = 600.0) -> Collector:  # fmt: skip
    """One worker process per factory (the default backend)."""
    from awr_core.local_actors import ProcessActors

    return Collector(ProcessActors([[f] for f in factories], info_keys, seed, timeout_s), asynchronous)


def RayCollector(factories: Sequence[EnvFactory], info_keys: Sequence[str] = (), seed: int = 0,  # noqa: N802
                 asynchronous: bool = False, cpus_per_actor: float | None = None, timeout_s: float = 600.0) -> Collector:  # fmt: skip
    """One Ray actor per factory, on the Ray instance this process is connected to (see `ray_actors.connect`)."""
    from awr_core.ray_actors import RayActors

    return Collector(RayActors([[f] for f in factories], info_keys, seed, cpus_per_actor, timeout_s), asynchronous)
