"""Batched environments: N Gymnasium envs behind one reset/step on arrays.

`SyncVectorEnv` steps them in this process; `SubprocVectorEnv` gives each one a
worker process (one per core by default). Both auto-reset: when an episode
ends, `infos[i]["final_obs"]` holds its last observation and `obs[i]` is the
first observation of the next episode. A worker that raises or dies is
reported as `VectorEnvError` naming the worker and its error; the parent never
waits on a dead pipe.
"""

from __future__ import annotations

import os
import signal
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from awr_core.processes import VectorEnvError, WorkerProcesses, report_error  # noqa: F401  (VectorEnvError: part of this module's API)

EnvFactory = Callable[[], Any]
StepResult = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, list[dict]]


def default_num_envs() -> int:
    """One environment per core available to this process."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def _step_one(env: Any, action: np.ndarray) -> tuple[np.ndarray, float, bool, bool, dict]:
    obs, reward, terminated, truncated, info = env.step(action)
    if terminated or truncated:
        info = dict(info)
        info["final_obs"] = obs
        info["episode_steps"] = getattr(env, "steps", None)
        obs, _ = env.reset()
    return obs, reward, terminated, truncated, info


class SyncVectorEnv:
    """N environments stepped one after another in this process."""

    def __init__(self, factories: Sequence[EnvFactory]) -> None:
        self.envs = [f() for f in factories]
        self.num_envs = len(self.envs)
        self.observation_space = self.envs[0].observation_space
        self.action_space = self.envs[0].action_space

    def reset(self, seed: int | None = None) -> tuple[np.ndarray, list[dict]]:
        results = [env.reset(seed=None if seed is None else seed + i) for i, env in enumerate(self.envs)]
        return np.stack([r[0] for r in results]), [r[1] for r in results]

    def step(self, actions: np.ndarray) -> StepResult:
        results = [_step_one(env, a) for env, a in zip(self.envs, actions, strict=True)]
        return _collate(results)

    def set_training(self, on: bool) -> None:
        """Training-only perturbations on or off, in the environments that have them (see `RolloutWorker.evaluate`)."""
        for env in self.envs:
            if hasattr(env, "set_training"):
                env.set_training(on)

    def close(self) -> None:
        for env in self.envs:
            env.close()


def build_vector_env(factories: Sequence[EnvFactory]) -> Any:
    """The vector env of one rollout actor: `SyncVectorEnv` over the factories, unless there is a single
    factory and it builds a vector env itself (an object with `num_envs`: a batch of environments that
    steps them as one, such as `characters.vector_env.ImitationVectorEnv`)."""
    if len(factories) == 1:
        env = factories[0]()
        return env if hasattr(env, "num_envs") else SyncVectorEnv([lambda: env])
    return SyncVectorEnv(factories)


def _collate(results: list) -> StepResult:
    obs, rewards, terminated, truncated, infos = zip(*results, strict=True)
    return np.stack(obs), np.array(rewards, dtype=np.float64), np.array(terminated), np.array(truncated), list(infos)


def _worker(conn: Any, factory: EnvFactory) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle; it closes us
    try:
        env = factory()
        conn.send(("ok", (env.observation_space, env.action_space)))
        while True:
            cmd, data = conn.recv()
            if cmd == "reset":
                conn.send(("ok", env.reset(seed=data)))
            elif cmd == "step":
                conn.send(("ok", _step_one(env, data)))
            elif cmd == "close":
                env.close()
                conn.send(("ok", None))
                return
    except (KeyboardInterrupt, EOFError):
        return
    except Exception as exc:  # report, do not hang the parent
        report_error(conn, exc)


class SubprocVectorEnv:
    """N environments, each in its own worker process."""

    def __init__(self, factories: Sequence[EnvFactory], start_method: str = "forkserver", timeout_s: float = 120.0) -> None:
        self.num_envs = len(factories)
        self._pool = WorkerProcesses(_worker, [(f,) for f in factories], "env worker", timeout_s, start_method)
        spaces = [self._pool.receive(i) for i in range(self.num_envs)]
        self.observation_space, self.action_space = spaces[0]

    @property
    def _procs(self) -> list[Any]:
        return self._pool.procs

    def reset(self, seed: int | None = None) -> tuple[np.ndarray, list[dict]]:
        for i in range(self.num_envs):
            self._pool.send(i, ("reset", None if seed is None else seed + i))
        results = [self._pool.receive(i) for i in range(self.num_envs)]
        return np.stack([r[0] for r in results]), [r[1] for r in results]

    def step(self, actions: np.ndarray) -> StepResult:
        for i in range(self.num_envs):
            self._pool.send(i, ("step", np.asarray(actions[i])))
        return _collate([self._pool.receive(i) for i in range(self.num_envs)])

    def close(self) -> None:
        if hasattr(self, "_pool"):
            self._pool.close()

    def __del__(self) -> None:
        try:
            self.close()
        except Exception:
            pass
