"""TD(lambda) return targets, computed backwards along each trajectory."""

from __future__ import annotations

import numpy as np


def td_lambda_returns(rewards: np.ndarray, next_values: np.ndarray, terminal: bool, gamma: float, lam: float) -> np.ndarray:
    """lambda-returns over one trajectory.

    Shapes: rewards [T], next_values [T] = V(s_{t+1}) -> returns [T].
    R_{T-1} = r_{T-1} + gamma * V(s_T), with V(s_T) = 0 when the trajectory
    ended because the agent failed (terminated); a truncated one bootstraps.
    R_t = r_t + gamma * ((1 - lam) * V(s_{t+1}) + lam * R_{t+1}).
    """
    T = rewards.shape[0]
    out = np.empty(T)
    last_value = 0.0 if terminal else float(next_values[-1])
    out[-1] = rewards[-1] + gamma * last_value
    for t in range(T - 2, -1, -1):
        out[t] = rewards[t] + gamma * ((1.0 - lam) * next_values[t] + lam * out[t + 1])
    return out
