"""Look characters up by name."""

from __future__ import annotations

from characters.humanoid import HUMANOID
from characters.spec import CharacterSpec

CHARACTERS: dict[str, CharacterSpec] = {HUMANOID.name: HUMANOID}


class UnknownCharacterError(ValueError):
    """A character name that is not registered; the message lists the valid ones."""


def get_character(name: str) -> CharacterSpec:
    try:
        return CHARACTERS[name]
    except KeyError:
        choices = ", ".join(sorted(CHARACTERS))
        raise UnknownCharacterError(f"unknown character {name!r}; available: {choices}") from None
