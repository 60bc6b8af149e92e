"""FIFO replay buffer of whole trajectories: the most recent `capacity` samples.

Trajectories (paths) stay contiguous so TD(lambda) can run backwards along
them. When the buffer is full the oldest samples go first: whole paths, and the
head of the oldest remaining path if it straddles the limit.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

import numpy as np


@dataclass
class Path:
    """One trajectory segment. obs [T,O], actions [T,A], rewards [T], final_obs [O] = s_T.

    terminal: the segment ended because the agent failed (no bootstrap);
    False for a time limit or a segment cut at the end of a sampling round.
    """

    obs: np.ndarray
    actions: np.ndarray
    rewards: np.ndarray
    final_obs: np.ndarray
    terminal: bool

    def __len__(self) -> int:
        return int(self.rewards.shape[0])


@dataclass(frozen=True)
class FlatBuffer:
    """All buffered samples concatenated. obs [N,O], actions [N,A], rewards [N];
    starts/ends [P]: each path's slice; final_obs [P,O]; terminal [P]."""

    obs: np.ndarray
    actions: np.ndarray
    rewards: np.ndarray
    starts: np.ndarray
    ends: np.ndarray
    final_obs: np.ndarray
    terminal: np.ndarray


class ReplayBuffer:
    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self.paths: deque[Path] = deque()
        self.size = 0
        self.total_added = 0

    def __len__(self) -> int:
        return self.size

    def add(self, path: Path) -> None:
        if len(path) == 0:
            return
        self.paths.append(path)
        self.size += len(path)
        self.total_added += len(path)
        while self.size > self.capacity:
            oldest = self.paths[0]
            excess = self.size - self.capacity
            if len(oldest) <= excess:
                self.paths.popleft()
                self.size -= len(oldest)
            else:
                self.paths[0] = Path(
                    oldest.obs[excess:], oldest.actions[excess:], oldest.rewards[excess:], oldest.final_obs, oldest.terminal
                )
                self.size -= excess

    def flat(self) -> FlatBuffer:
        lengths = np.array([len(p) for p in self.paths])
        ends = np.cumsum(lengths)
        return FlatBuffer(
            obs=np.concatenate([p.obs for p in self.paths]),
            actions=np.concatenate([p.actions for p in self.paths]),
            rewards=np.concatenate([p.rewards for p in self.paths]),
            starts=ends - lengths,
            ends=ends,
            final_obs=np.stack([p.final_obs for p in self.paths]),
            terminal=np.array([p.terminal for p in self.paths]),
        )

    def sample_indices(self, rng: np.random.Generator, batch_size: int) -> np.ndarray:
        """Uniform minibatch indices into `flat()` order."""
        return rng.integers(0, self.size, size=batch_size)

    def state_dict(self) -> dict:
        if not self.paths:
            return {"capacity": self.capacity, "total_added": self.total_added, "empty": True}
        f = self.flat()
        return {
            "capacity": self.capacity,
            "total_added": self.total_added,
            "empty": False,
            "obs": f.obs.astype(np.float32),
            "actions": f.actions.astype(np.float32),
            "rewards": f.rewards,
            "lengths": f.ends - f.starts,
            "final_obs": f.final_obs.astype(np.float32),
            "terminal": f.terminal,
        }

    def load_state_dict(self, d: dict) -> None:
        self.capacity = int(d["capacity"])
        self.paths.clear()
        self.size = 0
        if not d["empty"]:
            start = 0
            for i, n in enumerate(np.asarray(d["lengths"]).tolist()):
                end = start + n
                self.paths.append(
                    Path(d["obs"][start:end], d["actions"][start:end], d["rewards"][start:end], d["final_obs"][i], bool(d["terminal"][i]))
                )
                self.size += n
                start = end
        self.total_added = int(d["total_added"])
