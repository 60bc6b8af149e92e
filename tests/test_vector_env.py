"""Batched environments in worker processes: same results as in-process, failures reported."""

import os
from dataclasses import replace

import numpy as np
import pytest

from awr_core.vector import SubprocVectorEnv, SyncVectorEnv, VectorEnvError, default_num_envs
from characters.config import DEEPMIMIC_ENV, EnvConfig
from characters.factory import ImitationEnvFactory


def factories(n, motion="run.txt"):
    return [ImitationEnvFactory("humanoid", motion, replace(DEEPMIMIC_ENV, episode_seconds=0.5)) for _ in range(n)]


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


@pytest.mark.parametrize("motion,config", [
    ("run.txt", replace(DEEPMIMIC_ENV, episode_seconds=0.5)),  # absolute actions, short episodes: auto-resets on the way
    ("walk.txt", EnvConfig(episode_seconds=0.6)),  # the defaults: relative actions two steps ahead, the clip's root ahead
])  # fmt: skip
def test_a_batch_steps_like_its_environments_one_by_one(motion, config):
    """ImitationVectorEnv runs the numpy work of K environments in one pass: the same observations,
    rewards, endings and infos as stepping K ImitationEnvs each on its own (to rounding)."""
    from awr_core.vector import build_vector_env
    from characters.factory import ImitationBatchFactory

    k = 3
    batch = build_vector_env([ImitationBatchFactory("humanoid", motion, config, k)])
    assert batch.num_envs == k and type(batch).__name__ == "ImitationVectorEnv"
    single = SyncVectorEnv([ImitationEnvFactory("humanoid", motion, config) for _ in range(k)])
    try:
        a, _ = batch.reset(seed=5)
        b, _ = single.reset(seed=5)
        assert np.array_equal(a, b)
        rng = np.random.default_rng(1)
        half = 0.5 * (batch.action_space.high - batch.action_space.low)
        center = 0.5 * (batch.action_space.high + batch.action_space.low)
        endings = 0
        for _ in range(30):
            act = center + rng.normal(0.0, 0.05, size=(k, half.size)) * half
            ra, rb = batch.step(act), single.step(act)
            assert np.allclose(ra[0], rb[0], atol=1e-5) and np.allclose(ra[1], rb[1], rtol=1e-9, atol=1e-12)
            assert np.array_equal(ra[2], rb[2]) and np.array_equal(ra[3], rb[3])
            for ia, ib in zip(ra[4], rb[4], strict=True):
                assert set(ia) == set(ib)
                assert ia["reward_terms"] == pytest.approx(ib["reward_terms"], rel=1e-9, abs=1e-12)
                assert ia["body_pos_err_m"] == pytest.approx(ib["body_pos_err_m"], rel=1e-9)
                if "final_obs" in ia:
                    endings += 1
                    assert ia["episode_steps"] == ib["episode_steps"]
                    assert np.allclose(ia["final_obs"], ib["final_obs"], atol=1e-5)
        assert endings >= k  # every environment finished an episode and was reset
    finally:
        batch.close()
        single.close()


def test_a_batch_refuses_environments_that_differ():
    from characters.env import ImitationEnv
    from characters.vector_env import ImitationVectorEnv

    envs = [ImitationEnv("humanoid", "run.txt"), ImitationEnv("humanoid", "walk.txt")]
    with pytest.raises(ValueError, match="share character, clip and config"):
        ImitationVectorEnv(envs)
    for env in envs:
        env.close()


def test_a_batch_of_resets_starts_each_episode_as_its_own_reset_does():
    """start_episodes runs the numpy work of several resets at once: each environment gets the observation,
    time and infos its own reset at that start time gives (to rounding), and the clip ahead is in both."""
    from characters.env import ImitationEnv, start_episodes

    config = replace(DEEPMIMIC_ENV, action_mode="relative", reference_obs_steps=(1, 4))
    starts = np.array([0.0, 0.31, 0.77])
    batch = [ImitationEnv("humanoid", "run.txt", config) for _ in starts]
    alone = ImitationEnv("humanoid", "run.txt", config)
    try:
        obs, infos = start_episodes(batch, starts)
        assert obs.shape == (3, batch[0].observation_space.shape[0])
        for env, ob, info, start in zip(batch, obs, infos, starts, strict=True):
            own, own_info = alone.reset(options={"start_time": float(start)})
            assert np.allclose(ob, own, atol=1e-6)
            assert env.time == env.start_time == start and env.steps == 0
            assert info["start_time"] == start and info["phase"] == pytest.approx(own_info["phase"])
            assert info["lift_m"] == pytest.approx(own_info["lift_m"], abs=1e-12)
        assert len({ob.tobytes() for ob in obs}) == 3  # three different starts
    finally:
        for env in [*batch, alone]:
            env.close()
