"""Hand-checked numbers for the pieces of AWR."""

import math
from dataclasses import replace

import numpy as np
import pytest

from awr_core.buffer import Path, ReplayBuffer
from awr_core.config import AWR_PAPER
from awr_core.normalizer import Normalizer
from awr_core.returns import td_lambda_returns
from awr_core.weights import advantage_weights, normalize_advantages

G, L = 0.9, 0.5


def test_td_lambda_three_steps_terminal():
    # rewards r0..r2 = 1, 2, 3; V(s1) = 10, V(s2) = 20, V(s3) = 30 (ignored: the episode failed at s3)
    r = np.array([1.0, 2.0, 3.0])
    v_next = np.array([10.0, 20.0, 30.0])
    # R2 = r2 + g*0 = 3
    # R1 = r1 + g*((1-l)*V(s2) + l*R2) = 2 + 0.9*(0.5*20 + 0.5*3) = 2 + 0.9*11.5 = 12.35
    # R0 = r0 + g*((1-l)*V(s1) + l*R1) = 1 + 0.9*(0.5*10 + 0.5*12.35) = 1 + 0.9*11.175 = 11.0575
    assert td_lambda_returns(r, v_next, terminal=True, gamma=G, lam=L) == pytest.approx([11.0575, 12.35, 3.0])


def test_td_lambda_three_steps_truncated_bootstraps():
    r = np.array([1.0, 2.0, 3.0])
    v_next = np.array([10.0, 20.0, 30.0])
    # R2 = 3 + 0.9*30 = 30
    # R1 = 2 + 0.9*(0.5*20 + 0.5*30) = 2 + 0.9*25 = 24.5
    # R0 = 1 + 0.9*(0.5*10 + 0.5*24.5) = 1 + 0.9*17.25 = 16.525
    assert td_lambda_returns(r, v_next, terminal=False, gamma=G, lam=L) == pytest.approx([16.525, 24.5, 30.0])


def test_td_lambda_one_is_monte_carlo_and_zero_is_td0():
    r = np.array([1.0, 1.0, 1.0])
    v = np.array([5.0, 5.0, 5.0])
    assert td_lambda_returns(r, v, True, 0.5, 1.0)[0] == pytest.approx(1 + 0.5 + 0.25)
    assert td_lambda_returns(r, v, True, 0.5, 0.0)[0] == pytest.approx(1 + 0.5 * 5)


def test_advantage_normalization():
    adv = np.array([1.0, 2.0, 3.0, 4.0])
    # mean 2.5, population std sqrt(1.25) = 1.1180
    assert normalize_advantages(adv) == pytest.approx((adv - 2.5) / (math.sqrt(1.25) + 1e-5))


def test_weights_are_clipped_at_omega_max():
    adv = np.array([-1.0, 0.0, 1.0, 3.5])
    w, stats = advantage_weights(adv, temperature=1.0, weight_clip=20.0, normalize=False)
    assert w == pytest.approx([math.exp(-1), 1.0, math.e, 20.0])  # exp(3.5) = 33.1 -> 20
    assert stats.clip_fraction == 0.25 and stats.weight_max == 20.0
    unclipped, stats = advantage_weights(adv, 1.0, None, normalize=False)
    assert unclipped[-1] == pytest.approx(math.exp(3.5)) and stats.clip_fraction == 0.0
    half_temp, _ = advantage_weights(np.array([1.0]), 0.5, 20.0, normalize=False)
    assert half_temp[0] == pytest.approx(math.exp(2.0))


def path(start, n, terminal=False):
    obs = np.arange(start, start + n, dtype=np.float32)[:, None]
    return Path(obs, np.zeros((n, 1)), np.ones(n), np.array([start + n], dtype=np.float32), terminal)


def test_buffer_keeps_only_the_most_recent_samples():
    buf = ReplayBuffer(capacity=10)
    buf.add(path(0, 4))
    buf.add(path(4, 5))
    buf.add(path(9, 6))  # 15 samples added: the oldest 5 (0..4) go, path 4..8 loses its head
    assert len(buf) == 10 and buf.total_added == 15
    flat = buf.flat()
    assert flat.obs[:, 0].tolist() == list(range(5, 15))
    assert flat.starts.tolist() == [0, 4] and flat.ends.tolist() == [4, 10]
    assert flat.final_obs[:, 0].tolist() == [9, 15]


def test_buffer_sampling_is_uniform_over_the_window():
    buf = ReplayBuffer(capacity=50)
    for k in range(20):
        buf.add(path(10 * k, 10))
    rng = np.random.default_rng(0)
    flat = buf.flat()
    drawn = flat.obs[buf.sample_indices(rng, 200_000), 0]
    assert drawn.min() == 150 and drawn.max() == 199  # only the most recent 50 samples
    counts = np.bincount(drawn.astype(int) - 150, minlength=50)
    expected = 200_000 / 50
    chi2 = np.sum((counts - expected) ** 2 / expected)
    assert chi2 < 100  # 49 degrees of freedom: p < 1e-5 beyond 100


def test_normalizer_matches_numpy_and_freezes():
    rng = np.random.default_rng(0)
    x = rng.normal(3.0, 2.0, size=(1000, 3))
    norm = Normalizer(3, max_samples=600)
    for chunk in np.array_split(x, 7):
        norm.update(chunk)
    assert norm.count == 600
    assert norm.mean == pytest.approx(x[:600].mean(axis=0))
    assert norm.std == pytest.approx(x[:600].std(axis=0) + 1e-4)
    off = Normalizer(3, 100, enabled=False)
    off.update(x)
    assert np.array_equal(off.normalize(x[:2]), x[:2].astype(np.float32))


def test_gaussian_log_prob_matches_torch_distributions():
    import torch

    from awr_core.networks import gaussian_log_prob

    mean, actions = torch.tensor([[0.1, -0.2], [0.0, 0.5]]), torch.tensor([[0.3, 0.1], [-0.4, 0.5]])
    log_std = torch.log(torch.tensor([0.05, 0.2]))
    expected = torch.distributions.Normal(mean, log_std.exp()).log_prob(actions).sum(-1)
    assert gaussian_log_prob(mean, log_std, actions).numpy() == pytest.approx(expected.numpy(), rel=1e-6)


def test_actor_update_runs_the_policy_once_per_gradient_step():
    import gymnasium as gym

    from awr_core.agent import AWRAgent

    box = gym.spaces.Box(-1.0, 1.0, (3,), np.float32)
    cfg = replace(AWR_PAPER, samples_per_iter=64, batch_size=16, actor_steps=5, critic_steps=2, actor_layers=(8,), critic_layers=(8,))
    agent = AWRAgent(box, gym.spaces.Box(-1.0, 1.0, (2,), np.float32), cfg)
    rng = np.random.default_rng(0)
    obs = rng.normal(size=(65, 3)).astype(np.float32)
    agent.buffer.add(Path(obs[:64], rng.uniform(-1, 1, (64, 2)).astype(np.float32), rng.uniform(size=64), obs[64], terminal=True))
    calls = []
    agent.policy.net.register_forward_hook(lambda *_: calls.append(1))
    agent.update(64)
    assert len(calls) == cfg.actor_steps  # likelihood and bound penalty share one forward pass


def test_adam_is_fused_steps_like_torch_adam_and_stays_fused_after_an_old_checkpoint():
    import gymnasium as gym
    import torch

    from awr_core.agent import AWRAgent

    box = gym.spaces.Box(-1.0, 1.0, (3,), np.float32)
    cfg = replace(AWR_PAPER, optimizer="adam", samples_per_iter=64, batch_size=16, actor_steps=5, critic_steps=3,
                    actor_layers=(8,), critic_layers=(8,))
    agent = AWRAgent(box, gym.spaces.Box(-1.0, 1.0, (2,), np.float32), cfg)
    assert all(g["fused"] for opt in (agent.actor_opt, agent.critic_opt) for g in opt.param_groups)
    net = agent.value
    plain = torch.nn.Sequential(*[type(m)(m.in_features, m.out_features) if isinstance(m, torch.nn.Linear) else m for m in net.net])
    plain.load_state_dict(net.net.state_dict())
    plain_opt = torch.optim.Adam(plain.parameters(), lr=cfg.critic_lr)
    x, y = torch.randn(32, 3, generator=torch.Generator().manual_seed(0)), torch.randn(32)
    for model, opt in ((net.net, agent.critic_opt), (plain, plain_opt)):
        for _ in range(4):
            loss = ((model(x).squeeze(-1) - y) ** 2).mean()
            opt.zero_grad()
            loss.backward()
            opt.step()
    for a, b in zip(net.net.parameters(), plain.parameters(), strict=True):
        assert torch.allclose(a, b, atol=1e-6)
    old = agent.state_dict(include_buffer=False)
    for key in ("actor_opt", "critic_opt"):  # a checkpoint written before the optimizers were fused
        for g in old[key]["param_groups"]:
            g["fused"] = None
    agent.load_state_dict(old)
    assert all(g["fused"] for opt in (agent.actor_opt, agent.critic_opt) for g in opt.param_groups)
