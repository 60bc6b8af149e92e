"""What every rollout backend provides: a fixed number of actor slots, each holding one `RolloutWorker`.

A backend starts the actors, forwards calls to them, returns their answers and
can replace the actor in a slot. Backends: `local_actors.InProcessActors` (this
process), `local_actors.ProcessActors` (one worker process per actor, the
default), `ray_actors.RayActors` (Ray actors, on one machine or a cluster).
`collector.Collector` drives any of them; the learner only sees the collector.
"""

from __future__ import annotations

from typing import Any, Protocol

SLOT_SEED_STRIDE = 1000  # actor in slot i starts from seed + 1000 * i ...
REPLACEMENT_SEED_STRIDE = 1_000_000  # ... and its k-th replacement from that + 1,000,000 * k


class ActorDied(RuntimeError):
    """The actor in a slot is gone (its process was killed or crashed); the slot can be refilled."""

    def __init__(self, slot: int, detail: str) -> None:
        super().__init__(f"rollout actor {slot} died ({detail})")
        self.slot = slot


def actor_seed(seed: int, slot: int, generation: int) -> int:
    return seed + SLOT_SEED_STRIDE * slot + REPLACEMENT_SEED_STRIDE * generation


class ActorPool(Protocol):
    """Slots 0..len-1. `submit` never blocks; `result` waits for the slot's oldest submitted call."""

    def __len__(self) -> int: ...

    def submit(self, slot: int, method: str, *args: Any) -> None: ...

    def result(self, slot: int) -> Any:
        """The answer, or raises ActorDied (replace and retry) or VectorEnvError (the worker's code failed)."""
        ...

    def replace(self, slot: int) -> None:
        """Discard the slot's actor and any calls in flight; start a fresh one (next seed generation)."""
        ...

    def pid(self, slot: int) -> int: ...

    def close(self) -> None: ...
