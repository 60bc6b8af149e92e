"""K imitation environments in one process, stepped as one batch.

The same interface as `awr_core.vector.SyncVectorEnv` (reset/step on arrays,
auto-reset with `final_obs` and `episode_steps` in the info of a finished
episode), but one step runs the numpy work of all K environments at once
(`characters.env.step_many`, and `start_episodes` for the auto-resets); only
the physics is per environment. Each
environment has its own simulator, so an episode does not depend on K.
"""

from __future__ import annotations

from collections.abc import Sequence

import gymnasium as gym
import numpy as np

from characters.env import ImitationEnv, start_episodes, step_many


class ImitationVectorEnv:
    """A batch of ImitationEnvs of one character, clip and config."""

    def __init__(self, envs: Sequence[ImitationEnv]) -> None:
        if not envs:
            raise ValueError("ImitationVectorEnv needs at least one environment")
        first = envs[0]
        key = (first.spec_.name, first.clip.source, first.config)
        if any((env.spec_.name, env.clip.source, env.config) != key for env in envs[1:]):
            raise ValueError("the environments of a batch must share character, clip and config")
        self.envs = list(envs)
        self.num_envs = len(self.envs)
        self.observation_space = first.observation_space
        self.action_space = first.action_space

    def reset(self, seed: int | None = None) -> tuple[np.ndarray, list[dict]]:
        """Every environment's new episode (environment i seeded with seed + i), as `ImitationEnv.reset` does one."""
        for i, env in enumerate(self.envs):
            gym.Env.reset(env, seed=None if seed is None else seed + i)
        return start_episodes(self.envs, np.array([env.draw_start() for env in self.envs]))

    def step(self, actions: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, list[dict]]:
        obs, rewards, terminated, truncated, infos = step_many(self.envs, np.asarray(actions, dtype=float))
        done = np.flatnonzero(terminated | truncated).tolist()
        if done:  # the finished episodes' environments start anew, all in one pass
            ended = [self.envs[i] for i in done]
            for i, env in zip(done, ended, strict=True):
                infos[i]["final_obs"] = obs[i].copy()
                infos[i]["episode_steps"] = env.steps
            obs[done], _ = start_episodes(ended, np.array([env.draw_start() for env in ended]))
        return obs, rewards.astype(np.float64), terminated, truncated, infos

    def set_training(self, on: bool) -> None:
        """Training-only perturbations (random pushes) on or off from the next episode."""
        for env in self.envs:
            env.set_training(on)

    def close(self) -> None:
        for env in self.envs:
            env.close()
