"""The task's mirror image (characters.mirror): the mirrored character, acting with the mirrored
action, is the character half a cycle later in the clip; and AWR learns from such images."""

from dataclasses import replace

import numpy as np
import pytest

from awr_core.config import AWR_PAPER
from characters.config import DEEPMIMIC_ENV
from characters.env import ImitationEnv

CONFIG = replace(DEEPMIMIC_ENV, action_mode="relative", reference_obs_steps=(1, 4), reference_obs_links=("root",))


def test_walk_and_run_are_their_own_mirror_images_half_a_cycle_later():
    from characters.mirror import half_cycle_mirror_error

    for clip, tolerance in (("walk.txt", 0.01), ("run.txt", 0.02)):
        env = ImitationEnv("humanoid", clip, CONFIG)
        names = [n for n, _ in sorted(env.body.link_index.items(), key=lambda kv: kv[1])]
        pos_err, rot_err = half_cycle_mirror_error(env.spec_, names, env.reference, env.clip.duration)
        assert rot_err < tolerance and pos_err < 0.005, (clip, pos_err, rot_err)
        # a quarter cycle is not a mirror image: the measure tells them apart
        wrong = half_cycle_mirror_error(env.spec_, names, env.reference, env.clip.duration / 2)
        assert wrong[1] > 0.2
        env.close()


def test_a_clip_that_is_not_symmetric_is_refused_by_name():
    env = ImitationEnv("humanoid", "spinkick.txt", CONFIG)
    with pytest.raises(ValueError, match=r"humanoid3d_spinkick\.txt: not its own mirror image"):
        env.mirror_map()
    env.close()


def test_the_mirror_twice_is_the_identity():
    env = ImitationEnv("humanoid", "walk.txt", CONFIG)
    m = env.mirror_map()
    rng = np.random.default_rng(0)
    obs = rng.normal(size=(5, env.observation_space.shape[0])).astype(np.float32)
    obs[:, 0] = rng.uniform(0, 1, 5)
    act = rng.normal(size=(5, env.action_space.shape[0])).astype(np.float32)
    np.testing.assert_allclose(m.observation(m.observation(obs)), obs, atol=1e-6)
    np.testing.assert_allclose(m.action(m.action(act)), act)
    assert m.observation(obs).shape == obs.shape and m.observation(obs).dtype == np.float32
    env.close()


@pytest.mark.parametrize("mode, clip", [("relative", "walk.txt"), ("absolute", "run.txt")])
def test_the_mirrored_character_with_the_mirrored_action_is_the_character_half_a_cycle_later(mode, clip):
    config = replace(DEEPMIMIC_ENV, action_mode=mode, reference_obs_steps=(1, 4), reference_obs_links=("root",))
    env, later = ImitationEnv("humanoid", clip, config), ImitationEnv("humanoid", clip, config)
    m = env.mirror_map()
    duration, frame = env.clip.duration, env.clip.durations[0]
    rng = np.random.default_rng(1)
    for _ in range(4):
        t = rng.uniform(0.0, duration / 2 - 6 * frame)  # clear of the loop's seam, where the clip is not symmetric
        obs, _ = env.reset(options={"start_time": t})
        obs_later, _ = later.reset(options={"start_time": t + duration / 2})
        assert np.abs(m.observation(obs) - obs_later).max() < 0.05
        if mode == "relative":
            action = rng.normal(0.0, 0.1, env.action_space.shape)
        else:
            base = env.action_base_pose()
            action = env.actions.action_for(base, base) + rng.normal(0.0, 0.05, env.action_space.shape)
        for _ in range(3):
            obs, reward, *_ = env.step(action)
            obs_later, reward_later, *_ = later.step(m.action(action))
        # velocities reach ~10 rad/s; positions and rotations are O(1)
        assert np.abs(m.observation(obs) - obs_later).max() < 0.1
        assert abs(reward - reward_later) < 1e-3
    # the same action without its mirror image moves the two apart: the check can fail
    later.reset(options={"start_time": t + duration / 2})
    env.reset(options={"start_time": t})
    for _ in range(3):
        obs, *_ = env.step(action)
        obs_later, *_ = later.step(action)
    assert np.abs(m.observation(obs) - obs_later).max() > 0.5
    env.close()
    later.close()


def test_awr_learns_the_mirror_image_of_what_it_saw():
    """A 1-D task with the mirror x -> -x, a -> -a: the buffer holds only x > 0 with action +0.5. With
    the mirror, the policy at x < 0 learns -0.5 it never saw; without it, it does not."""
    import gymnasium as gym

    from awr_core.agent import AWRAgent
    from awr_core.buffer import Path

    class Flip:
        def observation(self, obs: np.ndarray) -> np.ndarray:
            return -obs

        def action(self, action: np.ndarray) -> np.ndarray:
            return -action

    obs_space = gym.spaces.Box(-np.inf, np.inf, (1,), np.float32)
    act_space = gym.spaces.Box(-1.0, 1.0, (1,), np.float32)
    rng = np.random.default_rng(0)
    x = rng.uniform(0.5, 1.5, (256, 1)).astype(np.float32)
    means = {}
    for mirror in (False, True):
        cfg = replace(AWR_PAPER, actor_layers=(32,), critic_layers=(32,), optimizer="adam", actor_lr=3e-3, critic_lr=3e-3, batch_size=64,
                        actor_steps=300, critic_steps=50, samples_per_iter=256, action_std=0.2, mirror=mirror)  # fmt: skip
        agent = AWRAgent(obs_space, act_space, cfg, Flip() if mirror else None)
        agent.remember(Path(x, np.full((256, 1), 0.5, np.float32), np.ones(256), x[-1], terminal=False))
        if mirror:  # the normalizer saw both sides: symmetric statistics
            assert abs(agent.obs_norm.mean[0]) < 1e-6
        for _ in range(3):
            agent.update(256)
        means[mirror] = float(agent.act(np.array([[-1.0]], np.float32), deterministic=True)[0, 0])
        assert abs(float(agent.act(np.array([[1.0]], np.float32), deterministic=True)[0, 0]) - 0.5) < 0.1
    assert abs(means[True] + 0.5) < 0.1, means
    assert means[False] > 0.0, means


def test_awr_learns_without_mirror_images_when_the_task_has_no_symmetry():
    """AWRConfig.mirror (on by default) uses the task's symmetry where one is given; without one an agent
    learns from its own samples alone: 4 states, not 8, reach the normalizer."""
    import gymnasium as gym

    from awr_core.agent import AWRAgent
    from awr_core.buffer import Path

    agent = AWRAgent(gym.spaces.Box(-1, 1, (1,)), gym.spaces.Box(-1, 1, (1,)), replace(AWR_PAPER, mirror=True))
    agent.remember(Path(np.zeros((4, 1), np.float32), np.zeros((4, 1), np.float32), np.ones(4), np.zeros(1, np.float32), terminal=True))
    assert agent.obs_norm.count == 4


def test_the_upcoming_poses_of_every_link_mirror_too():
    config = replace(DEEPMIMIC_ENV, action_mode="relative", reference_obs_steps=(1, 4))  # clip+K blocks of all 15 links
    env, later = ImitationEnv("humanoid", "walk.txt", config), ImitationEnv("humanoid", "walk.txt", config)
    m = env.mirror_map()
    for t in (0.1, 0.3, 0.45):
        obs, _ = env.reset(options={"start_time": t})
        obs_later, _ = later.reset(options={"start_time": t + env.clip.duration / 2})
        assert obs.shape == (2 + 13 * 15 + 2 * 7 * 15,)
        assert np.abs(m.observation(obs) - obs_later).max() < 0.05
    env.close()
    later.close()
