"""Rollout collection behind one actor-shaped interface: set weights -> sample N steps -> trajectories.

`InProcessCollector` runs its environments in this process; `ProcessCollector`
gives each worker process its own environment and a numpy copy of the policy,
so one sampling round costs one message per worker instead of one per step.
The learner code is the same for both.
"""

from __future__ import annotations

import contextlib
import math
import multiprocessing as mp
import os
import signal
import traceback
from collections.abc import Iterator, Sequence
from typing import Any

from awr_core.buffer import Path
from awr_core.numpy_policy import NumpyPolicy, PolicyWeights
from awr_core.sampler import EpisodeRecord, Sampler, evaluate
from awr_core.vector import EnvFactory, SyncVectorEnv, VectorEnvError

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


THREAD_VARS = ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS")


@contextlib.contextmanager
def single_threaded_children() -> Iterator[None]:
    """Child processes started inside see one BLAS/OpenMP thread each.

    The variables must be set before a child imports numpy: an OpenBLAS pool
    of spinning threads per worker, on top of one worker per core, made
    sampling three times slower here (measured: 1,200 vs 400 samples/s).
    """
    saved = {k: os.environ.get(k) for k in THREAD_VARS}
    os.environ.update({k: "1" for k in THREAD_VARS})
    try:
        yield
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


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
        summary = "".join(traceback.format_exception_only(type(exc), exc)).strip()
        try:
            conn.send(("error", f"{summary}\n{traceback.format_exc()}"))
        except (BrokenPipeError, OSError):
            pass


class ProcessCollector:
    """`num_workers` processes, each with its own environment(s) and policy copy."""

    def __init__(self, factories: Sequence[EnvFactory], info_keys: Sequence[str] = (), seed: int = 0, timeout_s: float = 600.0) -> None:
        ctx = mp.get_context("forkserver")
        self.num_workers = len(factories)
        self.timeout_s = timeout_s
        self._conns, self._procs = [], []
        with single_threaded_children():
            for i, factory in enumerate(factories):
                parent, child = ctx.Pipe()
                proc = ctx.Process(target=_serve, args=(child, [factory], info_keys, seed + 1000 * i), daemon=True, name=f"rollout-{i}")
                proc.start()
                child.close()
                self._conns.append(parent)
                self._procs.append(proc)
        spaces = [self._receive(i) for i in range(self.num_workers)]
        self.observation_space, self.action_space = spaces[0]
        self._closed = False

    def _receive(self, i: int) -> Any:
        conn, proc = self._conns[i], self._procs[i]
        waited = 0.0
        while not conn.poll(0.1):
            waited += 0.1
            if not proc.is_alive():
                raise VectorEnvError(f"rollout worker {i} died (exit code {proc.exitcode})")
            if waited > self.timeout_s:
                raise VectorEnvError(f"rollout worker {i} did not answer within {self.timeout_s:.0f} s")
        try:
            status, payload = conn.recv()
        except (EOFError, ConnectionResetError):
            proc.join(1.0)
            raise VectorEnvError(f"rollout worker {i} died (exit code {proc.exitcode})") from None
        if status == "error":
            raise VectorEnvError(f"rollout worker {i} failed: {payload.splitlines()[0]}\n{payload}")
        return payload

    def _send(self, i: int, msg: tuple) -> None:
        try:
            self._conns[i].send(msg)
        except (BrokenPipeError, OSError):
            raise VectorEnvError(f"rollout worker {i} died (exit code {self._procs[i].exitcode})") from None

    def collect(self, weights: PolicyWeights, num_samples: int) -> Batch:
        share = math.ceil(num_samples / self.num_workers)
        for i in range(self.num_workers):
            self._send(i, ("sample", (weights, share)))
        paths: list[Path] = []
        episodes: list[EpisodeRecord] = []
        for i in range(self.num_workers):
            p, e = self._receive(i)
            paths.extend(p)
            episodes.extend(e)
        return paths, episodes

    def evaluate(self, weights: PolicyWeights, episodes: int, seed: int) -> list[EpisodeRecord]:
        shares = [episodes // self.num_workers + (1 if i < episodes % self.num_workers else 0) for i in range(self.num_workers)]
        busy = [i for i in range(self.num_workers) if shares[i] > 0]
        for i in busy:
            self._send(i, ("evaluate", (weights, shares[i], seed + 100 * i)))
        return [r for i in busy for r in self._receive(i)]

    def close(self) -> None:
        if getattr(self, "_closed", True):
            return
        self._closed = True
        for i, conn in enumerate(self._conns):
            if self._procs[i].is_alive():
                try:
                    conn.send(("close", None))
                except (BrokenPipeError, OSError):
                    pass
        for proc in self._procs:
            proc.join(2.0)
            if proc.is_alive():
                proc.terminate()

    def __del__(self) -> None:
        try:
            self.close()
        except Exception:
            pass
