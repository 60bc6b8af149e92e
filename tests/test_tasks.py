"""A new goal plugs into the environment loop as a `characters.task.Task`, with no change to the loop."""

import numpy as np
import pytest

import characters.env as env_module
from characters.config import EnvConfig
from characters.env import ImitationEnv


class MoveAlongX:
    """A toy goal: the centre of mass moving along +x at 0.5 m/s, observed as that speed; it leaves the clip alone."""

    obs_size, weight, blend = 1, 0.25, 0.0

    def __init__(self):
        self.begun = 0

    def begin(self, tasks, times, rngs):
        for t in tasks:
            t.begun += 1

    def advance(self, tasks, new_times, rngs):
        pass

    def reference(self, tasks, refs, n, sim):
        return refs

    def reward_and_infos(self, tasks, sim, new_times):
        reward = np.exp(-np.abs(sim.com_vel[:, 0] - 0.5))
        return reward, [{"x_speed": float(v)} for v in sim.com_vel[:, 0]]

    def observe(self, tasks, sim):
        return np.full((len(tasks), 1), 0.5, dtype=np.float32)

    def obs_mirror(self, polar):
        return np.arange(1), np.ones(1)

    def arrow(self):
        return 0.0


def test_a_new_task_runs_in_the_loop_unchanged(monkeypatch):
    plain = ImitationEnv("humanoid", "walk.txt", EnvConfig())
    monkeypatch.setattr(env_module, "task_for", lambda config, clip: MoveAlongX())
    tasked = ImitationEnv("humanoid", "walk.txt", EnvConfig())
    assert tasked.observation_space.shape[0] == plain.observation_space.shape[0] + 1
    obs, _ = tasked.reset(seed=4, options={"start_time": 0.3})
    plain_obs, _ = plain.reset(seed=4, options={"start_time": 0.3})
    assert tasked.task.begun == 1 and obs[-1] == 0.5
    np.testing.assert_allclose(obs[:-1], plain_obs, atol=1e-6)
    rng = np.random.default_rng(0)
    for _ in range(10):
        action = rng.normal(0.0, 0.1, tasked.action_space.shape)
        obs, reward, *_, info = tasked.step(action)
        _, plain_reward, *_ = plain.step(action)
        goal = np.exp(-abs(info["x_speed"] - 0.5))
        assert reward == pytest.approx(0.75 * plain_reward + 0.25 * goal, abs=1e-6)  # imitation and goal mixed by the task's weight
    mirror = tasked.mirror_map()
    assert len(mirror.obs_perm) == tasked.observation_space.shape[0] and mirror.obs_perm[-1] == len(mirror.obs_perm) - 1
    plain.close()
    tasked.close()
