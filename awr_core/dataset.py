"""Static datasets of transitions (the paper's batch-RL setting): record from any policy, save, load.

A dataset is a list of trajectories saved as one .npz: obs, actions, rewards,
path lengths, final observations and terminal flags.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from awr_core.buffer import Path as Trajectory
from awr_core.sampler import Sampler
from awr_core.vector import EnvFactory, SyncVectorEnv


def record(
    factories: Sequence[EnvFactory], policy: Callable[[np.ndarray], np.ndarray], num_samples: int, seed: int = 0
) -> list[Trajectory]:
    """Run `policy` (batch of observations -> batch of actions) for num_samples transitions.

    Episodes still running at the end are kept as non-terminal (bootstrapped) trajectories.
    """
    venv = SyncVectorEnv(factories)
    paths, _ = Sampler(venv, seed=seed).collect(policy, num_samples)
    venv.close()
    return paths


def save(paths: Sequence[Trajectory], path: str | Path) -> None:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp.npz")
    np.savez_compressed(
        tmp,
        obs=np.concatenate([p.obs for p in paths]).astype(np.float32),
        actions=np.concatenate([p.actions for p in paths]),
        rewards=np.concatenate([p.rewards for p in paths]),
        lengths=np.array([len(p) for p in paths]),
        final_obs=np.stack([p.final_obs for p in paths]).astype(np.float32),
        terminal=np.array([p.terminal for p in paths]),
    )
    tmp.replace(path)


def load(path: str | Path) -> list[Trajectory]:
    data = np.load(Path(path))
    out, start = [], 0
    for i, n in enumerate(data["lengths"].tolist()):
        end = start + n
        out.append(Trajectory(data["obs"][start:end], data["actions"][start:end], data["rewards"][start:end], data["final_obs"][i],
                              bool(data["terminal"][i])))  # fmt: skip
        start = end
    return out
