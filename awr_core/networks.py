"""Policy and value networks: MLPs with ReLU hidden layers and a linear output."""

from __future__ import annotations

import math

import torch
from torch import nn


def mlp(sizes: list[int], out_init_scale: float | None = None) -> nn.Sequential:
    """Linear layers of `sizes` with ReLU between them, Xavier-initialized; the
    output layer U(-s, s) when out_init_scale is given."""
    layers: list[nn.Module] = []
    for i in range(len(sizes) - 1):
        linear = nn.Linear(sizes[i], sizes[i + 1])
        nn.init.xavier_uniform_(linear.weight)
        nn.init.zeros_(linear.bias)
        layers.append(linear)
        if i < len(sizes) - 2:
            layers.append(nn.ReLU())
    if out_init_scale is not None:
        last = layers[-1]
        nn.init.uniform_(last.weight, -out_init_scale, out_init_scale)
        nn.init.zeros_(last.bias)
    return nn.Sequential(*layers)


def gaussian_log_prob(mean: torch.Tensor, log_std: torch.Tensor, actions: torch.Tensor) -> torch.Tensor:
    """log N(actions; mean, diag(exp(log_std))^2): mean [B,A], log_std [A], actions [B,A] -> [B]."""
    z = (actions - mean) / log_std.exp()
    return -0.5 * (z**2).sum(-1) - log_std.sum() - 0.5 * actions.shape[-1] * math.log(2 * math.pi)


class GaussianPolicy(nn.Module):
    """Mean from an MLP, fixed (not learned) std; works in normalized action units."""

    def __init__(self, obs_size: int, act_size: int, layers: tuple[int, ...], action_std: float, init_scale: float) -> None:
        super().__init__()
        self.net = mlp([obs_size, *layers, act_size], init_scale)
        self.register_buffer("log_std", torch.full((act_size,), math.log(action_std)))

    def forward(self, obs: torch.Tensor) -> torch.Tensor:
        """obs [B,O] (normalized) -> mean [B,A] (normalized action units)."""
        return self.net(obs)

    def log_prob(self, obs: torch.Tensor, actions: torch.Tensor) -> torch.Tensor:
        """log pi(a|s) for normalized actions [B,A] -> [B]."""
        return gaussian_log_prob(self.net(obs), self.log_std, actions)

    def sample(self, obs: torch.Tensor, generator: torch.Generator | None = None) -> torch.Tensor:
        mean = self.net(obs)
        noise = torch.randn(mean.shape, generator=generator)
        return mean + noise * self.log_std.exp()


class CategoricalPolicy(nn.Module):
    """Logits from an MLP for a discrete action space."""

    def __init__(self, obs_size: int, num_actions: int, layers: tuple[int, ...], init_scale: float) -> None:
        super().__init__()
        self.net = mlp([obs_size, *layers, num_actions], init_scale)

    def forward(self, obs: torch.Tensor) -> torch.Tensor:
        """obs [B,O] -> logits [B,K]."""
        return self.net(obs)

    def log_prob(self, obs: torch.Tensor, actions: torch.Tensor) -> torch.Tensor:
        logits = torch.log_softmax(self.net(obs), dim=-1)
        return logits.gather(-1, actions.long().view(-1, 1)).squeeze(-1)

    def sample(self, obs: torch.Tensor, generator: torch.Generator | None = None) -> torch.Tensor:
        probs = torch.softmax(self.net(obs), dim=-1)
        return torch.multinomial(probs, 1, generator=generator).squeeze(-1)


class ValueNet(nn.Module):
    def __init__(self, obs_size: int, layers: tuple[int, ...]) -> None:
        super().__init__()
        self.net = mlp([obs_size, *layers, 1])

    def forward(self, obs: torch.Tensor) -> torch.Tensor:
        """obs [B,O] -> V [B]."""
        return self.net(obs).squeeze(-1)
