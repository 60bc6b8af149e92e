"""Worker processes behind pipes: start them, talk to them, notice when one fails or dies.

Shared by the batched environments (`vector.SubprocVectorEnv`) and the rollout
workers (`collector.ProcessCollector`). A worker answers every message with
("ok", payload) or ("error", traceback text); the parent never waits on a dead pipe.
"""

from __future__ import annotations

import contextlib
import multiprocessing as mp
import os
import traceback
from collections.abc import Callable, Iterator, Sequence
from typing import Any

THREAD_VARS = ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS")


class VectorEnvError(RuntimeError):
    """A worker failed or died; the message names the worker and its error."""


class WorkerDied(VectorEnvError):
    """The worker process is gone (killed, crashed, or closed its pipe)."""


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


def report_error(conn: Any, exc: BaseException) -> None:
    """Send a worker's exception to the parent as ("error", text) if the pipe still works."""
    summary = "".join(traceback.format_exception_only(type(exc), exc)).strip()
    try:
        conn.send(("error", f"{summary}\n{traceback.format_exc()}"))
    except (BrokenPipeError, OSError):
        pass


class WorkerProcesses:
    """One process per entry of `args`, each running `target(conn, *args[i])`."""

    def __init__(self, target: Callable[..., None], args: Sequence[tuple], label: str, timeout_s: float,
                 start_method: str = "forkserver") -> None:  # fmt: skip
        self._ctx = mp.get_context(start_method)
        self._target = target
        self.label = label
        self.timeout_s = timeout_s
        self.conns: list[Any] = []
        self.procs: list[Any] = []
        self._closed = False
        for i, worker_args in enumerate(args):
            conn, proc = self._start(i, worker_args)
            self.conns.append(conn)
            self.procs.append(proc)

    def _start(self, i: int, worker_args: tuple) -> tuple[Any, Any]:
        parent, child = self._ctx.Pipe()
        with single_threaded_children():
            proc = self._ctx.Process(target=self._target, args=(child, *worker_args), daemon=True, name=f"{self.label}-{i}")
            proc.start()
        child.close()
        return parent, proc

    def restart(self, i: int, worker_args: tuple) -> None:
        """Stop worker i (whatever its state) and start a new one in its place with `worker_args`."""
        proc = self.procs[i]
        if proc.is_alive():
            proc.kill()
        proc.join(5.0)
        self.conns[i].close()
        self.conns[i], self.procs[i] = self._start(i, worker_args)

    def __len__(self) -> int:
        return len(self.procs)

    def _died(self, i: int) -> WorkerDied:
        return WorkerDied(f"{self.label} {i} died (exit code {self.procs[i].exitcode})")

    def send(self, i: int, msg: tuple) -> None:
        try:
            self.conns[i].send(msg)
        except (BrokenPipeError, OSError):
            raise self._died(i) from None

    def receive(self, i: int) -> Any:
        conn, proc = self.conns[i], self.procs[i]
        waited = 0.0
        while not conn.poll(0.05):
            waited += 0.05
            if not proc.is_alive():
                raise self._died(i)
            if waited > self.timeout_s:
                raise VectorEnvError(f"{self.label} {i} did not answer within {self.timeout_s:.0f} s")
        try:
            status, payload = conn.recv()
        except (EOFError, ConnectionResetError):
            proc.join(1.0)
            raise self._died(i) from None
        if status == "error":
            raise VectorEnvError(f"{self.label} {i} failed: {payload.splitlines()[0]}\n{payload}")
        return payload

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        for conn, proc in zip(self.conns, self.procs, strict=True):
            if proc.is_alive():
                try:
                    conn.send(("close", None))
                except (BrokenPipeError, OSError):
                    pass
        for proc in self.procs:
            proc.join(2.0)
            if proc.is_alive():
                proc.terminate()
