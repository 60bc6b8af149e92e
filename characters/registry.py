"""Look characters up by name."""

from __future__ import annotations

from characters.humanoid import HUMANOID
from characters.laikago import LAIKAGO
from characters.spec import CharacterSpec

CHARACTERS: dict[str, CharacterSpec] = {spec.name: spec for spec in (HUMANOID, LAIKAGO)}
"""Every character `--character` can name: a new one joins by adding its description here."""


class UnknownCharacterError(ValueError):
    """A character name that is not registered; the message lists the valid ones."""


def get_character(name: str) -> CharacterSpec:
    try:
        return CHARACTERS[name]
    except KeyError:
        choices = ", ".join(sorted(CHARACTERS))
        raise UnknownCharacterError(f"unknown character {name!r}; available: {choices}") from None
