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


def curriculum_level(config: AWRConfig, samples: int, level: float) -> float:
    """The environments' curriculum level for the next round, in [0, 1] (0: the task itself; always 0 without a curriculum).

    Linear (`curriculum_samples` > 0): 1 falling to 0 over that many samples, then 0. Adaptive
    (`curriculum_episode_steps` > 0): `level`, the level the last round was sampled at, is what
    `lower_curriculum` made of it; it starts at 1."""
    if config.curriculum_samples > 0:
        return max(0.0, 1.0 - max(0, samples) / config.curriculum_samples)
    return level if config.curriculum_episode_steps > 0 else 0.0


def lower_curriculum(config: AWRConfig, level: float, episode_length: float) -> float:
    """Adaptive curriculum: the level after a round whose finished training episodes lasted `episode_length`
    steps on average (NaN: none finished, all of them longer than the round): one `curriculum_step` lower
    when they reached `curriculum_episode_steps`, else the same. It never rises."""
    if config.curriculum_episode_steps <= 0:
        return level
    if episode_length != episode_length or episode_length >= config.curriculum_episode_steps:  # NaN: none ended
        return max(0.0, level - config.curriculum_step)
    return level
