"""Characters as data, their PyBullet bodies, and the imitation environment."""

from characters.registry import CHARACTERS, UnknownCharacterError, get_character
from characters.spec import CharacterSpec, JointSpec

__all__ = ["CHARACTERS", "CharacterSpec", "JointSpec", "UnknownCharacterError", "get_character"]
