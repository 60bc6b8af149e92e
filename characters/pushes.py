"""Pushes: random hits during training, so a controller learns to recover from them (legged_gym's push_robots).

At random times the whole body gains a horizontal velocity of random size and direction (`ImitationEnv.push`),
as from a hit of impulse mass x size. Only a task whose reference follows the character (steering) can be
recovered from: a clip that runs on in world space leaves a pushed character behind.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class PushConfig:
    """every_seconds: the time between pushes, drawn uniformly from this range (s); max_speed_m_s: a push's size,
    drawn uniformly from [0, max_speed_m_s] (m/s, 1 m/s is about 225 N for 0.2 s on the 45-kg humanoid)."""

    every_seconds: tuple[float, float] = (3.0, 8.0)
    max_speed_m_s: float = 1.5

    def __post_init__(self) -> None:
        low, high = self.every_seconds
        if not 0 < low <= high:
            raise ValueError(f"every_seconds must be 0 < low <= high, got {self.every_seconds}")
        if self.max_speed_m_s < 0:
            raise ValueError(f"max_speed_m_s must be >= 0, got {self.max_speed_m_s}")


def draw_push(rng: np.random.Generator, cfg: PushConfig) -> tuple[np.ndarray, float]:
    """One push: the velocity [3] (horizontal: y is up) and the seconds until the next."""
    size, angle = rng.uniform(0.0, cfg.max_speed_m_s), rng.uniform(-np.pi, np.pi)
    return np.array([size * np.cos(angle), 0.0, -size * np.sin(angle)]), float(rng.uniform(*cfg.every_seconds))
