"""The policy as plain numpy arrays: what rollout workers run (no torch in the hot loop)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class PolicyWeights:
    """Everything needed to act: layers (W [in,out], b [out]) with ReLU between them,
    the state normalizer, the action scaling and the fixed exploration std."""

    weights: tuple[np.ndarray, ...]
    biases: tuple[np.ndarray, ...]
    obs_mean: np.ndarray
    obs_std: np.ndarray
    obs_clip: float
    normalize_obs: bool
    discrete: bool
    action_center: np.ndarray
    action_half: np.ndarray
    action_std: float
    version: int = 0


class NumpyPolicy:
    """act(obs [B,O]) -> env actions [B,A] (or [B] indices for a discrete space)."""

    def __init__(self, weights: PolicyWeights, seed: int = 0) -> None:
        self.w = weights
        self.rng = np.random.default_rng(seed)

    def set_weights(self, weights: PolicyWeights) -> None:
        self.w = weights

    def net(self, obs: np.ndarray) -> np.ndarray:
        w = self.w
        x = np.asarray(obs, dtype=np.float32)
        if w.normalize_obs:
            x = np.clip((x - w.obs_mean) / w.obs_std, -w.obs_clip, w.obs_clip).astype(np.float32)
        last = len(w.weights) - 1
        for i, (W, b) in enumerate(zip(w.weights, w.biases, strict=True)):
            x = x @ W + b
            if i < last:
                np.maximum(x, 0.0, out=x)
        return x

    def act(self, obs: np.ndarray, deterministic: bool = False) -> np.ndarray:
        out = self.net(obs)
        if self.w.discrete:
            if deterministic:
                return out.argmax(-1)
            logits = out - out.max(-1, keepdims=True)
            p = np.exp(logits)
            p /= p.sum(-1, keepdims=True)
            u = self.rng.random((len(p), 1))
            return (p.cumsum(-1) < u).sum(-1).clip(0, p.shape[-1] - 1)
        if not deterministic:
            out = out + self.rng.normal(0.0, self.w.action_std, out.shape).astype(np.float32)
        return (out * self.w.action_half + self.w.action_center).astype(np.float32)
