"""Running mean / std of states (paper Eq. 58), frozen after a set number of samples."""

from __future__ import annotations

import numpy as np


class Normalizer:
    """Per-feature running statistics; `normalize(x) = (x - mean) / std`."""

    def __init__(self, size: int, max_samples: int, enabled: bool = True, eps: float = 1e-4, clip: float = 10.0) -> None:
        self.size = size
        self.max_samples = max_samples
        self.enabled = enabled
        self.eps = eps
        self.clip = clip
        self.count = 0
        self.mean = np.zeros(size)
        self.m2 = np.zeros(size)

    @property
    def std(self) -> np.ndarray:
        if self.count < 2:
            return np.ones(self.size)
        return np.sqrt(self.m2 / self.count) + self.eps

    def update(self, x: np.ndarray) -> None:
        """Fold a batch [N, size] into the statistics (Chan et al.), until max_samples are seen."""
        if not self.enabled or self.count >= self.max_samples or len(x) == 0:
            return
        x = np.asarray(x, dtype=np.float64)[: self.max_samples - self.count]
        n, mean, m2 = len(x), x.mean(axis=0), x.var(axis=0) * len(x)
        total = self.count + n
        delta = mean - self.mean
        self.mean = self.mean + delta * n / total
        self.m2 = self.m2 + m2 + delta**2 * self.count * n / total
        self.count = total

    def normalize(self, x: np.ndarray) -> np.ndarray:
        if not self.enabled:
            return np.asarray(x, dtype=np.float32)
        return np.clip((x - self.mean) / self.std, -self.clip, self.clip).astype(np.float32)

    def state_dict(self) -> dict:
        return {
            "count": self.count,
            "mean": self.mean.copy(),
            "m2": self.m2.copy(),
            "max_samples": self.max_samples,
            "enabled": self.enabled,
        }

    def load_state_dict(self, d: dict) -> None:
        self.count, self.mean, self.m2 = int(d["count"]), np.asarray(d["mean"]), np.asarray(d["m2"])
        self.max_samples, self.enabled = int(d["max_samples"]), bool(d["enabled"])
