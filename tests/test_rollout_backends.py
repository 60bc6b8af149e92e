"""Rollout backends: local worker processes and Ray actors give the same run; a killed actor is replaced.

The Ray tests need the `cluster` extra; they are skipped (with that reason) only where it is not installed.
"""

import dataclasses
import functools
import logging
import os
import signal
import sys
import time
from dataclasses import replace

import gymnasium as gym
import numpy as np
import pytest

from awr_core.agent import AWRAgent
from awr_core.collector import InProcessCollector, ProcessCollector, RayCollector
from awr_core.config import AWR_PAPER
from awr_core.trainer import Trainer

CONFIG = replace(AWR_PAPER, optimizer="adam", actor_lr=1e-3, critic_lr=1e-3, samples_per_iter=400, actor_steps=20, critic_steps=20,
                   actor_layers=(32, 32), critic_layers=(32, 32), normalizer_samples=5_000,
                   test_every=2, test_episodes=2, seed=3)  # fmt: skip
TIMING = {"wall_time_h", "sample_seconds", "update_seconds", "samples_per_second"}
pendulum = functools.partial(gym.make, "Pendulum-v1")


class SlowPendulum:
    """Pendulum that takes 2 ms per step, so a sampling round is still running when the test kills an actor."""

    def __call__(self):
        return _Slow(gym.make("Pendulum-v1"))


class _Slow(gym.Wrapper):
    def step(self, action):
        time.sleep(0.002)
        return self.env.step(action)


def train(collector, run_dir, iterations, config=CONFIG):
    agent = AWRAgent(collector.observation_space, collector.action_space, config)
    trainer = Trainer(agent, collector, run_dir, learner_threads=1)
    rows = [trainer.iterate() for _ in range(iterations)]
    return trainer, [{k: v for k, v in r.items() if k not in TIMING} for r in rows]


def niceness(pid):
    """The nice value of a process, from /proc (field 19 of stat)."""
    stat = open(f"/proc/{pid}/stat").read()
    return int(stat[stat.rindex(")") + 2 :].split()[16])


def assert_same_rows(a, b):
    assert len(a) == len(b)
    for ra, rb in zip(a, b, strict=True):
        assert ra.keys() == rb.keys()
        for k in ra:
            assert ra[k] == rb[k] or (np.isnan(ra[k]) and np.isnan(rb[k])), k


# ------------------------------------------------------------------ local backend
def test_local_backend_replaces_a_killed_worker_and_keeps_the_others_samples(tmp_path, caplog):
    collector = ProcessCollector([SlowPendulum(), SlowPendulum()], seed=1, asynchronous=True)
    try:
        weights = AWRAgent(collector.observation_space, collector.action_space, CONFIG).policy_weights()
        collector.collect(weights, 2000)  # returns round 1, leaves round 2 (1 s per actor) in flight
        healthy, doomed = collector.pool.pid(0), collector.pool.pid(1)
        os.kill(doomed, signal.SIGKILL)
        with caplog.at_level(logging.WARNING, logger="awr_core.collector"):
            paths, _ = collector.collect(weights, 2000)
        assert collector.replacements == 1
        assert "rollout actor 1 died" in caplog.text and "replacing it" in caplog.text
        assert collector.pool.pid(0) == healthy and collector.pool.pid(1) != doomed
        assert sum(len(p) for p in paths) >= 2000
    finally:
        collector.close()


def test_in_process_and_worker_processes_give_the_same_run(tmp_path):
    _, one = train(InProcessCollector([pendulum], seed=CONFIG.seed), tmp_path / "a", 2)
    _, two = train(ProcessCollector([pendulum], seed=CONFIG.seed), tmp_path / "b", 2)
    assert_same_rows(one, two)


# ------------------------------------------------------------------ Ray backend
@pytest.fixture(scope="module")
def ray():
    ray = pytest.importorskip("ray", reason="the cluster extra is not installed (pip install '.[cluster]')")
    ray.cloudpickle.register_pickle_by_value(sys.modules[__name__])  # Ray workers cannot import this test file
    ray.init(num_cpus=2, include_dashboard=False, configure_logging=False)
    yield ray
    ray.shutdown()


def test_ray_and_local_backends_give_identical_samples_and_losses(ray, tmp_path):
    local = ProcessCollector([pendulum, pendulum], seed=CONFIG.seed)
    try:
        _, a = train(local, tmp_path / "local", 2)
    finally:
        local.close()
    remote = RayCollector([pendulum, pendulum], seed=CONFIG.seed)
    try:
        # Ray would run workers at niceness 15, where any busy process starves them
        assert all(niceness(remote.pool.pid(i)) == niceness(os.getpid()) for i in range(2))
        _, b = train(remote, tmp_path / "ray", 2)
    finally:
        remote.close()
    assert_same_rows(a, b)
    assert a[-1]["samples"] == 800 and np.isfinite(a[-1]["actor_loss"])


def test_ray_training_goes_on_after_an_actor_is_killed(ray, tmp_path, caplog):
    collector = RayCollector([SlowPendulum(), SlowPendulum()], seed=CONFIG.seed, asynchronous=True)
    try:
        # no test after iteration 1, so when iteration 2 returns, round 3 (0.4 s per actor) is being sampled
        trainer, rows = train(collector, tmp_path, 2, dataclasses.replace(CONFIG, test_every=10))
        doomed = collector.pool.pid(0)
        os.kill(doomed, signal.SIGKILL)
        with caplog.at_level(logging.WARNING, logger="awr_core.collector"):
            row = trainer.iterate()
        assert collector.replacements == 1 and "rollout actor 0 died" in caplog.text
        assert collector.pool.pid(0) != doomed
        assert row["iteration"] == 3 and row["samples"] >= 3 * CONFIG.samples_per_iter
        assert np.isfinite(row["actor_loss"])
    finally:
        collector.close()


def test_imitate_trains_on_ray_actors_asynchronously(tmp_path):
    pytest.importorskip("ray", reason="the cluster extra is not installed (pip install '.[cluster]')")
    from test_cli_train import TINY, imitate

    out = imitate("--motion", "walk.txt", "--out", tmp_path / "run", "--backend", "ray", "--async", *TINY)
    assert out.returncode == 0, out.stderr
    assert "2 Ray actors x 3 environments, asynchronous" in out.stdout and "stopped: sample budget reached" in out.stdout
    assert (tmp_path / "run" / "checkpoints" / "latest.pt").exists()


def test_ray_address_without_ray_backend_is_refused(tmp_path):
    from test_cli_train import imitate

    out = imitate("--motion", "walk.txt", "--out", tmp_path / "run", "--ray-address", "auto")
    assert out.returncode == 2 and out.stderr.strip().splitlines()[-1].endswith("--ray-address needs --backend ray")
