"""Rollout actors as Ray actors: the same `RolloutWorker`, on one machine or across a Ray cluster.

Needs the `cluster` extra (`pip install ".[cluster]"`). Every node must have this
package installed in the same Python environment. The policy weights of a round
are put into Ray's object store once and shared by all actors.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence
from typing import Any

from awr_core.actors import ActorDied, actor_seed
from awr_core.numpy_policy import PolicyWeights
from awr_core.processes import THREAD_VARS, VectorEnvError
from awr_core.rollout_worker import RolloutWorker
from awr_core.vector import EnvFactory


def import_ray() -> Any:
    try:
        import ray
    except ImportError:
        raise ImportError('the Ray backend needs the cluster extra: pip install ".[cluster]"') from None
    return ray


def connect(address: str | None = None, num_cpus: int | None = None) -> Any:
    """Join the Ray cluster at `address` ("auto": the one started by `ray start` here), or start a local one."""
    ray = import_ray()
    if not ray.is_initialized():
        kwargs: dict[str, Any] = {"include_dashboard": False, "log_to_driver": True, "configure_logging": False}
        if address:
            kwargs["address"] = address
        elif num_cpus:
            kwargs["num_cpus"] = num_cpus
        ray.init(**kwargs)
    return ray


class RayActors:
    """One Ray actor per slot, `cpus_per_actor` CPUs each.

    Default: one CPU each, or an equal share of the cluster's CPUs when there are
    more actors than CPUs (they then time-share the cores instead of waiting forever)."""

    def __init__(self, factories: Sequence[Sequence[EnvFactory]], info_keys: Sequence[str] = (), seed: int = 0,
                 cpus_per_actor: float | None = None, timeout_s: float = 600.0) -> None:  # fmt: skip
        self._ray = import_ray()
        if not self._ray.is_initialized():
            connect()
        if cpus_per_actor is None:
            cpus = float(self._ray.cluster_resources().get("CPU", 1.0))
            cpus_per_actor = min(1.0, cpus / max(1, len(factories)))
        self._factories = [list(f) for f in factories]
        self._info_keys = tuple(info_keys)
        self._seed = seed
        self._timeout_s = timeout_s
        self._generation = [0] * len(self._factories)
        env_vars = {k: "1" for k in THREAD_VARS}  # one BLAS thread per actor, as for worker processes
        # Ray starts workers at niceness 15: beside any other busy process they starve (measured 16x fewer
        # samples/s than worker processes on a busy 2-core machine); rollouts are the work, so run them at 0
        env_vars["RAY_worker_niceness"] = "0"
        self._cls = self._ray.remote(RolloutWorker).options(num_cpus=cpus_per_actor, max_restarts=0, runtime_env={"env_vars": env_vars})
        self._actors = [self._start(i) for i in range(len(self._factories))]
        self._calls: list[deque] = [deque() for _ in self._actors]
        self._put_for: tuple[int, Any, Any] | None = None
        self._spaces = self._get(0, self._actors[0].spaces.remote())
        self._pids = [self._get(i, a.pid.remote()) for i, a in enumerate(self._actors)]

    def _start(self, slot: int) -> Any:
        seed = actor_seed(self._seed, slot, self._generation[slot])
        return self._cls.remote(self._factories[slot], self._info_keys, seed)

    def _get(self, slot: int, ref: Any) -> Any:
        ray = self._ray
        try:
            return ray.get(ref, timeout=self._timeout_s)
        except ray.exceptions.RayActorError as exc:
            raise ActorDied(slot, type(exc).__name__) from None
        except ray.exceptions.GetTimeoutError:
            raise VectorEnvError(f"rollout actor {slot} did not answer within {self._timeout_s:.0f} s") from None
        except ray.exceptions.RayTaskError as exc:
            cause = exc.cause if getattr(exc, "cause", None) is not None else exc
            first = str(cause).strip().splitlines()[0] if str(cause).strip() else type(cause).__name__
            raise VectorEnvError(f"rollout actor {slot} failed: {type(cause).__name__}: {first}") from None

    def _shared(self, arg: Any) -> Any:
        """Large arguments (the policy weights) go to the object store once per round, not once per actor."""
        if not isinstance(arg, PolicyWeights):
            return arg
        if self._put_for is None or self._put_for[0] != id(arg):
            self._put_for = (id(arg), self._ray.put(arg), arg)  # keep arg alive so its id stays unique
        return self._put_for[1]

    def __len__(self) -> int:
        return len(self._actors)

    def spaces(self) -> tuple[Any, Any]:
        return self._spaces

    def submit(self, slot: int, method: str, *args: Any) -> None:
        args = tuple(self._shared(a) for a in args)
        self._calls[slot].append(getattr(self._actors[slot], method).remote(*args))

    def result(self, slot: int) -> Any:
        return self._get(slot, self._calls[slot].popleft())

    def replace(self, slot: int) -> None:
        self._ray.kill(self._actors[slot], no_restart=True)
        self._generation[slot] += 1
        self._actors[slot] = self._start(slot)
        self._calls[slot].clear()
        self._pids[slot] = self._get(slot, self._actors[slot].pid.remote())

    def pid(self, slot: int) -> int:
        return self._pids[slot]

    def close(self) -> None:
        for actor in getattr(self, "_actors", []):
            try:
                self._ray.kill(actor, no_restart=True)
            except Exception:
                pass
