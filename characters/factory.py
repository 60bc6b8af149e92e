"""Picklable recipes for an imitation environment (or a batch of them), for worker processes."""

from __future__ import annotations

from dataclasses import dataclass

from characters.config import EnvConfig


@dataclass(frozen=True)
class ImitationEnvFactory:
    """Calling it builds an `ImitationEnv`; it pickles, so worker processes can call it."""

    character: str
    motion: str
    config: EnvConfig = EnvConfig()

    def __call__(self):  # -> ImitationEnv (imported lazily so pickling stays cheap)
        from characters.env import ImitationEnv

        return ImitationEnv(self.character, self.motion, self.config)


@dataclass(frozen=True)
class ImitationBatchFactory:
    """Calling it builds an `ImitationVectorEnv` of `num_envs` environments stepped as one batch."""

    character: str
    motion: str
    config: EnvConfig = EnvConfig()
    num_envs: int = 1

    def __call__(self):  # -> ImitationVectorEnv
        from characters.vector_env import ImitationVectorEnv

        env = ImitationEnvFactory(self.character, self.motion, self.config)
        return ImitationVectorEnv([env() for _ in range(self.num_envs)])
