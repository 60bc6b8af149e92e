"""Batch RL: record a dataset from a demo policy, then learn from it with no new samples."""

from dataclasses import replace

import gymnasium as gym
import numpy as np

from awr_core import dataset
from awr_core.agent import AWRAgent
from awr_core.collector import InProcessCollector
from awr_core.config import AWR_PAPER
from awr_core.offline import train_offline


def pendulum():
    return gym.make("Pendulum-v1")


RNG = np.random.default_rng(0)


def demo_policy(obs: np.ndarray, rng: np.random.Generator = RNG) -> np.ndarray:
    """A hand-written swing-up controller (about -130 per episode) plus exploration noise."""
    out = []
    for c, s, w in obs:
        th = np.arctan2(s, c)
        energy = 0.5 * w * w / 15.0 - (1.0 - c)
        if abs(th) < 0.5:
            u = -(10.0 * th + 2.0 * w)
        elif energy < 0.0:
            u = 2.0 * np.sign(w) if abs(w) > 1e-3 else 2.0
        else:
            u = -0.5 * w
        out.append([np.clip(u + rng.normal(0.0, 0.6), -2.0, 2.0)])
    return np.array(out, dtype=np.float32)


def test_record_save_load_round_trip(tmp_path):
    paths = dataset.record([pendulum], demo_policy, 1000, seed=1)
    assert sum(len(p) for p in paths) >= 1000 and all(p.obs.shape[1] == 3 for p in paths)
    dataset.save(paths, tmp_path / "demo.npz")
    back = dataset.load(tmp_path / "demo.npz")
    assert [len(p) for p in back] == [len(p) for p in paths]
    assert np.array_equal(back[0].actions, paths[0].actions) and back[-1].terminal == paths[-1].terminal


def test_awr_learns_from_a_static_dataset(tmp_path):
    data = dataset.record([pendulum], demo_policy, 20_000, seed=2)
    evaluator = InProcessCollector([pendulum], seed=3)
    cfg = replace(AWR_PAPER, optimizer="adam", actor_lr=1e-3, critic_lr=1e-3, samples_per_iter=1000, actor_steps=200, critic_steps=200,
                    gamma=0.95, test_episodes=6, normalizer_samples=20_000)  # fmt: skip
    agent = AWRAgent(evaluator.observation_space, evaluator.action_space, cfg)
    rows = train_offline(agent, data, iterations=40, run_dir=tmp_path, evaluator=evaluator, test_every=20)
    assert len(agent.buffer) == sum(len(p) for p in data)  # no new samples were added
    assert rows[-1]["test_return"] > -400, rows[-1]["test_return"]
