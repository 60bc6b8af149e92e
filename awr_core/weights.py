"""Advantage weights of the AWR policy update (paper Eq. 57 and weight clipping)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class WeightStats:
    adv_mean: float
    adv_std: float
    weight_min: float
    weight_mean: float
    weight_max: float
    clip_fraction: float


def normalize_advantages(adv: np.ndarray, eps: float = 1e-5) -> np.ndarray:
    """(A - mean) / (std + eps) over the whole buffer. [N] -> [N]."""
    return (adv - adv.mean()) / (adv.std() + eps)


def advantage_weights(
    adv: np.ndarray, temperature: float, weight_clip: float | None, normalize: bool = True
) -> tuple[np.ndarray, WeightStats]:
    """w = min(exp(A_bar / beta), omega_max). adv [N] -> weights [N], stats.

    weight_clip None: no clipping (the paper's Fig. 9 ablation). The exponent is
    capped at 80 so an unclipped weight stays finite in float64.
    """
    a = normalize_advantages(adv) if normalize else adv
    w = np.exp(np.minimum(a / temperature, 80.0))
    clipped = np.zeros_like(w, dtype=bool) if weight_clip is None else w > weight_clip
    if weight_clip is not None:
        w = np.minimum(w, weight_clip)
    stats = WeightStats(float(adv.mean()), float(adv.std()), float(w.min()), float(w.mean()), float(w.max()), float(clipped.mean()))
    return w, stats
