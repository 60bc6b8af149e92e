"""What changes with the samples trained on: the exploration std and the environments' curriculum level."""

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


def curriculum_level(config: AWRConfig, samples: int) -> float:
    """The environments' curriculum level: 1 falling linearly to 0 over `curriculum_samples` samples,
    then 0 (the task itself); always 0 without a curriculum."""
    if config.curriculum_samples <= 0:
        return 0.0
    return max(0.0, 1.0 - max(0, samples) / config.curriculum_samples)
