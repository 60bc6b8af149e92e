"""A training curriculum: the level falls with the samples, reaches the environments, and never the tests."""

import gymnasium as gym
import numpy as np
import pytest

from awr_core.agent import AWRAgent
from awr_core.collector import InProcessCollector, ProcessCollector
from awr_core.config import AWRConfig
from awr_core.log import read_log
from awr_core.schedule import curriculum_level, lower_curriculum
from awr_core.trainer import Budget, Trainer


class LevelEnv(gym.Env):
    """One-dimensional toy whose observation is its curriculum level: each sample says where it was taken."""

    observation_space = gym.spaces.Box(-np.inf, np.inf, (1,), np.float32)
    action_space = gym.spaces.Box(-1.0, 1.0, (1,), np.float32)

    def __init__(self) -> None:
        self.level, self.t = 0.0, 0

    def set_curriculum(self, level: float) -> None:
        self.level = float(level)

    def reset(self, *, seed=None, options=None):
        super().reset(seed=seed)
        self.t = 0
        return np.array([self.level], np.float32), {}

    def step(self, action):
        self.t += 1
        return np.array([self.level], np.float32), 1.0 - self.level, False, self.t >= 10, {}


def test_the_level_falls_linearly_to_zero_then_stays():
    cfg = AWRConfig(curriculum_samples=1000)
    assert [curriculum_level(cfg, s, 0.3) for s in (0, 250, 500, 1000, 5000)] == [1.0, 0.75, 0.5, 0.0, 0.0]
    assert curriculum_level(AWRConfig(), 0, 1.0) == 0.0  # no curriculum: always the task itself


def test_the_adaptive_level_falls_only_after_long_enough_episodes():
    cfg = AWRConfig(curriculum_episode_steps=100, curriculum_step=0.25)
    assert curriculum_level(cfg, 10**6, 0.5) == 0.5  # the level is the trainer's state, not the samples'
    assert lower_curriculum(cfg, 0.5, 99.0) == 0.5
    assert lower_curriculum(cfg, 0.5, 100.0) == 0.25
    assert lower_curriculum(cfg, 0.5, float("nan")) == 0.25  # no episode ended in the round: all were longer
    assert lower_curriculum(cfg, 0.1, 500.0) == 0.0


@pytest.mark.parametrize(("episode_steps", "levels"), [(10, [1.0, 0.75, 0.5, 0.25, 0.0, 0.0]), (11, [1.0] * 6)])
def test_the_trainer_lowers_an_adaptive_level_and_resumes_it(tmp_path, episode_steps, levels):
    cfg = AWRConfig(samples_per_iter=100, actor_steps=2, critic_steps=2, test_every=1, test_episodes=2, normalize_states=False,
                    curriculum_episode_steps=episode_steps, curriculum_step=0.25)  # fmt: skip
    collector = InProcessCollector([LevelEnv])  # its episodes last 10 steps
    trainer = Trainer(AWRAgent(collector.observation_space, collector.action_space, cfg), collector, tmp_path)
    trainer.train(Budget(samples=300))
    resumed = Trainer(AWRAgent(collector.observation_space, collector.action_space, cfg), collector, tmp_path)
    resumed.resume()
    resumed.train(Budget(samples=300))
    assert [r["curriculum"] for r in read_log(tmp_path / "log.csv")] == levels


@pytest.mark.parametrize("processes", [False, True])
def test_samples_are_taken_at_the_scheduled_level_and_tests_at_zero(tmp_path, processes):
    cfg = AWRConfig(samples_per_iter=100, actor_steps=2, critic_steps=2, test_every=1, test_episodes=2, curriculum_samples=400,
                    normalize_states=False)  # fmt: skip
    collector = ProcessCollector([LevelEnv]) if processes else InProcessCollector([LevelEnv])
    try:
        agent = AWRAgent(collector.observation_space, collector.action_space, cfg)
        trainer = Trainer(agent, collector, tmp_path)
        trainer.train(Budget(samples=600))
    finally:
        collector.close()
    rows = read_log(tmp_path / "log.csv")
    assert [r["curriculum"] for r in rows] == [1.0, 0.75, 0.5, 0.25, 0.0, 0.0]
    # the buffer's samples carry the level they were taken at: the last 100 at 0, the 100 before them at 0.25 ...
    levels = np.concatenate([p.obs[:, 0] for p in agent.buffer.paths])
    assert sorted(set(np.round(levels, 2).tolist())) == [0.0, 0.25, 0.5, 0.75, 1.0]
    # tests run the task itself: reward 1 per step, 10 steps
    assert all(r["test_return"] == 10.0 for r in rows)


def test_an_environment_without_a_curriculum_is_refused_by_name(tmp_path):
    cfg = AWRConfig(samples_per_iter=50, actor_steps=1, critic_steps=1, curriculum_samples=100)
    collector = InProcessCollector([lambda: gym.make("Pendulum-v1")])
    agent = AWRAgent(collector.observation_space, collector.action_space, cfg)
    with pytest.raises(TypeError, match="PendulumEnv has none"):
        Trainer(agent, collector, tmp_path).train(Budget(samples=50))
