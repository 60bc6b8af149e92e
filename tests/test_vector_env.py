"""Batched environments in worker processes: same results as in-process, failures reported."""

import os

import numpy as np
import pytest

from awr_core.vector import SubprocVectorEnv, SyncVectorEnv, VectorEnvError, default_num_envs
from characters.config import EnvConfig
from characters.factory import ImitationEnvFactory


def factories(n, motion="run.txt"):
    return [ImitationEnvFactory("humanoid", motion, EnvConfig(episode_seconds=0.5)) for _ in range(n)]


def test_subprocess_matches_in_process():
    sync = SyncVectorEnv(factories(2))
    procs = SubprocVectorEnv(factories(2))
    try:
        a, _ = sync.reset(seed=10)
        b, _ = procs.reset(seed=10)
        assert np.array_equal(a, b)
        rng = np.random.default_rng(0)
        for _ in range(25):  # crosses episode ends: auto-reset
            act = rng.uniform(-1, 1, size=(2, 36)).astype(np.float32) * 0.1
            ra, rb = sync.step(act), procs.step(act)
            for x, y in zip(ra[:4], rb[:4], strict=True):
                assert np.array_equal(x, y)
            for ia, ib in zip(ra[4], rb[4], strict=True):
                assert ("final_obs" in ia) == ("final_obs" in ib)
    finally:
        sync.close()
        procs.close()
    assert default_num_envs() >= 1


class ExplodingFactory:
    def __call__(self):
        raise ValueError("motion file is broken")


def test_worker_exception_is_reported():
    with pytest.raises(VectorEnvError, match="env worker 0 failed: ValueError: motion file is broken"):
        SubprocVectorEnv([ExplodingFactory()])


def test_dead_worker_is_reported_not_hung():
    venv = SubprocVectorEnv(factories(2))
    try:
        venv.reset(seed=0)
        os.kill(venv._procs[1].pid, 9)
        venv._procs[1].join(5)
        with pytest.raises(VectorEnvError, match="env worker 1 died"):
            venv.step(np.zeros((2, 36), dtype=np.float32))
    finally:
        venv.close()
