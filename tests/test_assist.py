"""The curriculum's hand at the root: its force and torque, and what it does to the humanoid."""

from dataclasses import replace

import numpy as np
import pytest

from characters.assist import AssistGains, assist_wrench, root_inertia
from characters.env import ImitationEnv
from imitate.defaults import IMITATION_ENV
from motions.rotations import rotvec_to_quat

GAINS = AssistGains(stiffness=200.0, damping=28.0, rot_stiffness=25.0, rot_damping=1.0)


def wrench(level, dp=(0, 0, 0), dv=(0, 0, 0), rotvec=(0, 0, 0), dw=(0, 0, 0)):
    z, q = np.zeros((1, 3)), np.array([[0.0, 0.0, 0.0, 1.0]])
    ref_q = rotvec_to_quat(np.array([rotvec], dtype=float))
    return assist_wrench(np.array([level]), 45.0, 7.0, z, q, z, z, np.array([dp], float), ref_q, np.array([dv], float),
                         np.array([dw], float), GAINS)  # fmt: skip


def test_force_and_torque_pull_toward_the_clip_in_proportion_to_the_level():
    force, torque = wrench(0.5, dp=(0.1, 0, 0), dv=(0, -1.0, 0))
    np.testing.assert_allclose(force, [[0.5 * 45 * 200 * 0.1, 0.5 * 45 * 28 * -1.0, 0.0]])
    np.testing.assert_allclose(torque, 0.0, atol=1e-12)
    force, torque = wrench(1.0, rotvec=(0, 0.2, 0), dw=(0, 0, 2.0))
    np.testing.assert_allclose(force, 0.0, atol=1e-12)
    np.testing.assert_allclose(torque, [[0.0, 7 * 25 * 0.2, 7 * 1.0 * 2.0]], atol=1e-12)
    force, torque = wrench(0.0, dp=(1, 1, 1), rotvec=(0.3, 0, 0))
    assert not force.any() and not torque.any()


def test_root_inertia_of_point_masses():
    assert root_inertia(np.array([2.0, 3.0]), np.array([[1.0, 0, 0], [0, 2.0, 0]]), np.zeros(3)) == pytest.approx(2 * 1 + 3 * 4)


def zero_action_steps(env, seed, limit=60):
    env.reset(seed=seed)
    for step in range(1, limit + 1):
        _, _, terminated, truncated, _ = env.step(np.zeros(env.action_space.shape))
        if terminated or truncated:
            return step
    return limit


def test_the_hand_holds_a_passive_runner_up_and_level_zero_is_the_task_itself():
    env = ImitationEnv("humanoid", "run.txt", IMITATION_ENV)
    try:
        free = [zero_action_steps(env, s) for s in (0, 1)]
        env.set_curriculum(1.0)
        held = [zero_action_steps(env, s) for s in (0, 1)]
        env.set_curriculum(0.0)
        obs_after, _ = env.reset(seed=3)
        trace = [env.step(np.zeros(env.action_space.shape))[0] for _ in range(5)]
    finally:
        env.close()
    assert max(free) < 30 and held == [60, 60], (free, held)  # zero action: the clip's pose as PD targets
    fresh = ImitationEnv("humanoid", "run.txt", IMITATION_ENV)  # never assisted: the same episode, to the bit
    try:
        obs_fresh, _ = fresh.reset(seed=3)
        np.testing.assert_array_equal(obs_after, obs_fresh)
        for obs in trace:
            np.testing.assert_array_equal(obs, fresh.step(np.zeros(fresh.action_space.shape))[0])
    finally:
        fresh.close()


def test_a_batch_steps_like_single_environments_under_the_hand():
    from characters.vector_env import ImitationVectorEnv

    cfg = replace(IMITATION_ENV, random_start=False)
    batch = ImitationVectorEnv([ImitationEnv("humanoid", "run.txt", cfg) for _ in range(2)])
    single = ImitationEnv("humanoid", "run.txt", cfg)
    try:
        batch.reset(seed=0)
        single.reset(seed=0)
        batch.set_curriculum(0.7)
        single.set_curriculum(0.7)
        action = np.full(single.action_space.shape, 0.05)
        for _ in range(4):
            obs, *_ = batch.step(np.stack([action, action]))
            one, *_ = single.step(action)
        np.testing.assert_allclose(obs[0], one, atol=1e-9)
        np.testing.assert_allclose(obs[1], one, atol=1e-9)
    finally:
        batch.close()
        single.close()


def test_levels_outside_zero_to_one_are_refused():
    env = ImitationEnv("humanoid", "run.txt", IMITATION_ENV)
    try:
        with pytest.raises(ValueError, match="curriculum level"):
            env.set_curriculum(1.5)
    finally:
        env.close()
