"""What changes with the samples trained on: the exploration std."""

from __future__ import annotations

from awr_core.config import AWRConfig


def exploration_std(config: AWRConfig, samples: int) -> float:
    """`action_std` falling linearly to `action_std_final` over `action_std_anneal_samples`
    samples, then held; the fixed `action_std` when no anneal is set."""
    if config.action_std_anneal_samples <= 0:
        return config.action_std
    if config.action_std_final <= 0:
        raise ValueError(f"action_std_final must be > 0 with an anneal, got {config.action_std_final}")
    frac = min(1.0, max(0, samples) / config.action_std_anneal_samples)
    return config.action_std + frac * (config.action_std_final - config.action_std)
