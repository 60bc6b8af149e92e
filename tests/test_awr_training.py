"""AWR learns, resumes, checkpoints atomically, and runs discrete and continuous spaces."""

import csv
from dataclasses import replace

import gymnasium as gym
import numpy as np
import pytest
import torch

from awr_core.agent import AWRAgent
from awr_core.checkpoint import CheckpointError, load_checkpoint, save_checkpoint
from awr_core.collector import InProcessCollector
from awr_core.config import AWR_PAPER
from awr_core.sampler import evaluate
from awr_core.trainer import Budget, Trainer
from awr_core.vector import SyncVectorEnv

PENDULUM = replace(AWR_PAPER, optimizer="adam", actor_lr=1e-3, critic_lr=1e-3, samples_per_iter=1000, actor_steps=200,
                     critic_steps=200, gamma=0.95, normalizer_samples=20_000, test_every=5, test_episodes=4)  # fmt: skip


def pendulum():
    return gym.make("Pendulum-v1")


def test_pendulum_learns_in_a_ci_sized_budget(tmp_path):
    torch.set_num_threads(2)
    collector = InProcessCollector([pendulum])
    agent = AWRAgent(collector.observation_space, collector.action_space, PENDULUM)
    trainer = Trainer(agent, collector, tmp_path, learner_threads=2)
    # a sample budget, so a busy machine makes the test slower, not flaky (about a minute on 2 free cores)
    reason = trainer.train(Budget(samples=80_000), stop_when=lambda r: "good" if r.get("test_return", -1e9) > -250 else None)
    records = evaluate(SyncVectorEnv([pendulum]), lambda o: agent.act(o, deterministic=True), 10, seed=123)
    mean = np.mean([r.ret for r in records])
    assert mean > -400, f"mean test return {mean:.0f} after {trainer.samples} samples ({reason})"


def test_categorical_policy_on_cartpole(tmp_path):
    collector = InProcessCollector([lambda: gym.make("CartPole-v1")])
    cfg = replace(AWR_PAPER,
        optimizer="adam",
        actor_lr=1e-3,
        critic_lr=1e-3,
        samples_per_iter=500,
        actor_steps=50,
        critic_steps=50,
        test_every=2,
        test_episodes=2,
    )
    agent = AWRAgent(collector.observation_space, collector.action_space, cfg)
    trainer = Trainer(agent, collector, tmp_path)
    trainer.train(Budget(samples=1500))
    actions = agent.act(np.zeros((3, 4), dtype=np.float32))
    assert actions.shape == (3,) and set(actions.tolist()) <= {0, 1}


def test_resume_continues_the_same_run(tmp_path):
    cfg = replace(AWR_PAPER, samples_per_iter=300, actor_steps=20, critic_steps=20, test_every=2, test_episodes=1, seed=7)

    def make():
        collector = InProcessCollector([pendulum], seed=cfg.seed)
        return Trainer(AWRAgent(collector.observation_space, collector.action_space, cfg), collector, tmp_path)

    first = make()
    first.train(Budget(samples=600))  # tested at iterations 1 and 2; the resumed iteration 3 is not a test iteration
    iteration, samples = first.agent.iteration, first.samples
    weights = [p.detach().clone() for p in first.agent.policy.parameters()]
    second = make()
    second.resume()
    assert second.agent.iteration == iteration and second.samples == samples
    assert len(second.agent.buffer) == len(first.agent.buffer)
    assert all(torch.equal(a, b) for a, b in zip(weights, second.agent.policy.parameters(), strict=True))
    assert np.array_equal(second.agent.obs_norm.mean, first.agent.obs_norm.mean)
    second.train(Budget(samples=600))
    with (tmp_path / "log.csv").open() as f:
        rows = list(csv.DictReader(f))
    assert [int(r["iteration"]) for r in rows] == list(range(1, second.agent.iteration + 1))  # the curve continues
    assert float(rows[2]["test_return"]) == float(rows[1]["test_return"])  # the last test result carries over the resume


def test_paper_defaults_and_one_flag_ablations(tmp_path):
    cfg = AWR_PAPER
    assert (cfg.actor_layers, cfg.critic_layers, cfg.optimizer, cfg.momentum) == ((128, 64), (128, 64), "sgd", 0.9)
    assert (cfg.actor_lr, cfg.critic_lr, cfg.weight_clip, cfg.buffer_size, cfg.batch_size) == (5e-5, 1e-4, 20.0, 50_000, 256)
    assert (cfg.critic_steps, cfg.actor_steps) == (200, 1000)
    collector = InProcessCollector([pendulum])
    for flags in ({"clip_weights": False}, {"normalize_states": False, "scale_rewards": False}, {"rwr": True}):
        cfg = replace(AWR_PAPER, samples_per_iter=200, actor_steps=5, critic_steps=5, **flags)
        trainer = Trainer(AWRAgent(collector.observation_space, collector.action_space, cfg), collector, tmp_path / str(len(flags)))
        row = trainer.iterate()
        assert np.isfinite(row["actor_loss"]) and np.isfinite(row["critic_loss"])


def test_checkpoint_write_is_atomic(tmp_path, monkeypatch):
    path = tmp_path / "ck.pt"
    save_checkpoint(path, {"x": torch.ones(3)})

    def crash(obj, f):
        f.write(b"half a checkpoint")
        raise KeyboardInterrupt

    monkeypatch.setattr(torch, "save", crash)
    with pytest.raises(KeyboardInterrupt):
        save_checkpoint(path, {"x": torch.zeros(3)})
    monkeypatch.undo()
    assert torch.equal(load_checkpoint(path)["x"], torch.ones(3))
    assert [p.name for p in tmp_path.iterdir()] == ["ck.pt"]  # no temporary file left behind


def test_corrupt_and_foreign_checkpoints_give_one_line(tmp_path):
    bad = tmp_path / "bad.pt"
    bad.write_bytes(b"\x00garbage" * 10)
    with pytest.raises(CheckpointError, match=r"bad\.pt: corrupt or not a checkpoint") as err:
        load_checkpoint(bad)
    assert "\n" not in str(err.value) and "weights_only" not in str(err.value)  # torch's advice does not apply here
    foreign = tmp_path / "foreign.pt"
    torch.save({"weights": torch.ones(2)}, foreign)
    with pytest.raises(CheckpointError, match="not an awr-checkpoint file"):
        load_checkpoint(foreign)
    with pytest.raises(CheckpointError, match="no such checkpoint"):
        load_checkpoint(tmp_path / "missing.pt")


def test_exploration_std_anneals_with_the_samples_trained_on(tmp_path):
    """std 0.4 -> 0.1 over 600 samples of 300 per iteration: 0.4, then 0.25, then 0.1 and held; the log records it."""
    from awr_core.schedule import exploration_std

    cfg = replace(AWR_PAPER, samples_per_iter=300, actor_steps=5, critic_steps=5, test_every=100, test_episodes=1,
                    action_std=0.4, action_std_final=0.1, action_std_anneal_samples=600)  # fmt: skip
    assert [exploration_std(cfg, s) for s in (0, 150, 600, 10**6)] == pytest.approx([0.4, 0.325, 0.1, 0.1])
    assert exploration_std(replace(AWR_PAPER, action_std=0.3), 10**6) == 0.3
    collector = InProcessCollector([pendulum], seed=cfg.seed)
    trainer = Trainer(AWRAgent(collector.observation_space, collector.action_space, cfg), collector, tmp_path)
    trainer.train(Budget(samples=1200))
    with (tmp_path / "log.csv").open() as f:
        stds = [float(r["action_std"]) for r in csv.DictReader(f)]
    # 0, 300, 600 and 900 samples trained on before each iteration's sampling
    assert stds == pytest.approx([0.4, 0.25, 0.1, 0.1], abs=1e-6)
    assert trainer.agent.policy_weights().action_std == pytest.approx(0.1)
