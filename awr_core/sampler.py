"""Rollouts: run a policy on a batched environment and cut the stream into trajectories.

Works with any vector env of `awr_core.vector` (auto-reset, `final_obs` in the
info of a finished episode). Episodes that are still running when a sampling
round ends are cut: the piece becomes a non-terminal path (bootstrapped), and
the episode goes on in the next round as a new path.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from awr_core.buffer import Path

Policy = Callable[[np.ndarray], np.ndarray]


@dataclass
class EpisodeRecord:
    """A finished episode: return, length, whether it failed, and the mean of selected info scalars."""

    ret: float
    length: int
    terminated: bool
    info_means: dict[str, float] = field(default_factory=dict)


class _Track:
    def __init__(self) -> None:
        self.obs: list[np.ndarray] = []
        self.actions: list[np.ndarray] = []
        self.rewards: list[float] = []
        self.ep_return = 0.0
        self.ep_length = 0
        self.info_sums: dict[str, float] = {}

    def cut(self, final_obs: np.ndarray, terminal: bool) -> Path:
        path = Path(
            np.array(self.obs, dtype=np.float32),
            np.array(self.actions),
            np.array(self.rewards),
            np.asarray(final_obs, dtype=np.float32),
            terminal,
        )
        self.obs, self.actions, self.rewards = [], [], []
        return path


class Sampler:
    """Keeps the vector env's current observations and unfinished episodes between rounds."""

    def __init__(self, venv, info_keys: Sequence[str] = (), seed: int | None = None) -> None:
        self.venv = venv
        self.info_keys = tuple(info_keys)
        self.obs, _ = venv.reset(seed=seed)
        self.tracks = [_Track() for _ in range(venv.num_envs)]

    def restart(self, seed: int | None = None) -> None:
        """Drop unfinished episodes and reset every env (after an evaluation used the envs)."""
        self.obs, _ = self.venv.reset(seed=seed)
        self.tracks = [_Track() for _ in range(self.venv.num_envs)]

    def collect(self, policy: Policy, num_samples: int) -> tuple[list[Path], list[EpisodeRecord]]:
        """Step all envs until at least num_samples transitions are gathered."""
        paths: list[Path] = []
        episodes: list[EpisodeRecord] = []
        steps = 0
        while steps < num_samples:
            actions = policy(self.obs)
            next_obs, rewards, terminated, truncated, infos = self.venv.step(actions)
            for i, track in enumerate(self.tracks):
                track.obs.append(self.obs[i])
                track.actions.append(actions[i])
                track.rewards.append(float(rewards[i]))
                track.ep_return += float(rewards[i])
                track.ep_length += 1
                for key in self.info_keys:
                    if key in infos[i]:
                        track.info_sums[key] = track.info_sums.get(key, 0.0) + float(infos[i][key])
                if terminated[i] or truncated[i]:
                    paths.append(track.cut(infos[i]["final_obs"], bool(terminated[i])))
                    means = {k: v / track.ep_length for k, v in track.info_sums.items()}
                    episodes.append(EpisodeRecord(track.ep_return, track.ep_length, bool(terminated[i]), means))
                    self.tracks[i] = _Track()
            steps += len(self.tracks)
            self.obs = next_obs
        for i, track in enumerate(self.tracks):
            if track.rewards:  # cut the unfinished episode here; it continues as a new path
                paths.append(track.cut(self.obs[i], terminal=False))
        return paths, episodes


def evaluate(venv, policy: Policy, episodes: int, info_keys: Sequence[str] = (), seed: int | None = None) -> list[EpisodeRecord]:
    """Run `episodes` complete episodes with a (deterministic) policy.

    Each env runs its share of the episodes from a fresh reset, so short
    (failed) episodes are not over-represented by finishing first.
    """
    quota = [episodes // venv.num_envs + (1 if i < episodes % venv.num_envs else 0) for i in range(venv.num_envs)]
    obs, _ = venv.reset(seed=seed)
    tracks = [_Track() for _ in range(venv.num_envs)]
    done: list[EpisodeRecord] = []
    while any(q > 0 for q in quota):
        obs, rewards, terminated, truncated, infos = venv.step(policy(obs))
        for i, track in enumerate(tracks):
            track.ep_return += float(rewards[i])
            track.ep_length += 1
            for key in info_keys:
                if key in infos[i]:
                    track.info_sums[key] = track.info_sums.get(key, 0.0) + float(infos[i][key])
            if terminated[i] or truncated[i]:
                if quota[i] > 0:
                    means = {k: v / track.ep_length for k, v in track.info_sums.items()}
                    done.append(EpisodeRecord(track.ep_return, track.ep_length, bool(terminated[i]), means))
                    quota[i] -= 1
                tracks[i] = _Track()
    return done
