"""Rollout actors on this machine: in this process, or one worker process each (the default backend).

Worker processes get one BLAS/OpenMP thread each and a numpy copy of the policy,
so a sampling round costs one message per actor, not one per step.
"""

from __future__ import annotations

import signal
from collections import deque
from collections.abc import Sequence
from typing import Any

from awr_core.actors import ActorDied, actor_seed
from awr_core.processes import WorkerDied, WorkerProcesses, report_error
from awr_core.rollout_worker import RolloutWorker
from awr_core.vector import EnvFactory


class InProcessActors:
    """Actors that live in this process; a call runs when its result is asked for."""

    def __init__(self, factories: Sequence[Sequence[EnvFactory]], info_keys: Sequence[str] = (), seed: int = 0) -> None:
        self._factories = [list(f) for f in factories]
        self._info_keys = tuple(info_keys)
        self._seed = seed
        self._generation = [0] * len(self._factories)
        self._workers = [RolloutWorker(f, self._info_keys, actor_seed(seed, i, 0)) for i, f in enumerate(self._factories)]
        self._calls: list[deque] = [deque() for _ in self._workers]

    def __len__(self) -> int:
        return len(self._workers)

    def spaces(self) -> tuple[Any, Any]:
        return self._workers[0].spaces()

    def submit(self, slot: int, method: str, *args: Any) -> None:
        self._calls[slot].append((method, args))

    def result(self, slot: int) -> Any:
        method, args = self._calls[slot].popleft()
        return getattr(self._workers[slot], method)(*args)

    def replace(self, slot: int) -> None:
        self._workers[slot].close()
        self._generation[slot] += 1
        seed = actor_seed(self._seed, slot, self._generation[slot])
        self._workers[slot] = RolloutWorker(self._factories[slot], self._info_keys, seed)
        self._calls[slot].clear()

    def pid(self, slot: int) -> int:
        return self._workers[slot].pid()

    def close(self) -> None:
        for worker in self._workers:
            worker.close()


def _serve(conn: Any, factories: Sequence[EnvFactory], info_keys: Sequence[str], seed: int) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    try:
        worker = RolloutWorker(factories, info_keys, seed)
        conn.send(("ok", worker.spaces()))
        while True:
            method, args = conn.recv()
            if method == "close":
                worker.close()
                conn.send(("ok", None))
                return
            conn.send(("ok", getattr(worker, method)(*args)))
    except EOFError:
        return
    except Exception as exc:
        report_error(conn, exc)


class ProcessActors:
    """One worker process per actor; a killed or crashed process raises ActorDied for its slot."""

    def __init__(self, factories: Sequence[Sequence[EnvFactory]], info_keys: Sequence[str] = (), seed: int = 0,
                 timeout_s: float = 600.0) -> None:  # fmt: skip
        self._factories = [list(f) for f in factories]
        self._info_keys = tuple(info_keys)
        self._seed = seed
        self._generation = [0] * len(self._factories)
        self._pool = WorkerProcesses(_serve, [self._args(i) for i in range(len(self._factories))], "rollout actor", timeout_s)
        self._spaces = [self._receive(i) for i in range(len(self._factories))]
        self._pids = [proc.pid for proc in self._pool.procs]

    def _args(self, slot: int) -> tuple:
        return (self._factories[slot], self._info_keys, actor_seed(self._seed, slot, self._generation[slot]))

    def _receive(self, slot: int) -> Any:
        try:
            return self._pool.receive(slot)
        except WorkerDied as exc:
            raise ActorDied(slot, str(exc)) from None

    def __len__(self) -> int:
        return len(self._factories)

    def spaces(self) -> tuple[Any, Any]:
        return self._spaces[0]

    def submit(self, slot: int, method: str, *args: Any) -> None:
        try:
            self._pool.send(slot, (method, args))
        except WorkerDied:
            pass  # reported by result(), which the caller always asks for

    def result(self, slot: int) -> Any:
        return self._receive(slot)

    def replace(self, slot: int) -> None:
        self._generation[slot] += 1
        self._pool.restart(slot, self._args(slot))
        self._receive(slot)  # the new actor's greeting (its spaces)
        self._pids[slot] = self._pool.procs[slot].pid

    def pid(self, slot: int) -> int:
        return self._pids[slot]

    def close(self) -> None:
        if hasattr(self, "_pool"):
            self._pool.close()
