"""Picklable recipe for an imitation environment, for worker processes."""

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
