"""Where clips come from: a path on disk or a clip shipped in `pybullet_data`."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from motions.clip import ClipError


def pybullet_data_dir() -> Path:
    """Folder of the installed `pybullet_data` package (URDFs and clips).

    Found by a module lookup, not an import: `motions` depends on numpy/scipy only.
    """
    spec = importlib.util.find_spec("pybullet_data")
    if spec is None or not spec.submodule_search_locations:
        raise ClipError("pybullet_data", "package not installed (pip install pybullet)")
    return Path(next(iter(spec.submodule_search_locations)))


def shipped_motions_dir() -> Path:
    """Folder of the DeepMimic clips that the installed `pybullet_data` ships."""
    return pybullet_data_dir() / "data" / "motions"


def shipped_clips() -> list[Path]:
    """Every shipped clip file (humanoid and quadruped), sorted by name."""
    return sorted(shipped_motions_dir().glob("*.txt"))


def resolve_clip(name: str, prefix: str = "") -> Path:
    """Turn what a user typed into a clip file.

    Order: an existing path; a shipped clip by its file name (`humanoid3d_run.txt`);
    a shipped clip by its short name with the character's `prefix`
    (`run.txt` or `run` -> `humanoid3d_run.txt` for prefix `humanoid3d_`).
    Raises ClipError listing the names that can be used.
    """
    path = Path(name).expanduser()
    if path.is_file():
        return path
    folder = shipped_motions_dir()
    stem = name if name.endswith(".txt") else name + ".txt"
    for candidate in (folder / stem, folder / (prefix + stem)):
        if candidate.is_file():
            return candidate
    if not prefix:
        matches = [p for p in shipped_clips() if p.name.endswith("_" + stem)]
        if len(matches) == 1:
            return matches[0]
    names = ", ".join(short_name(p, prefix) for p in shipped_clips() if p.name.startswith(prefix))
    raise ClipError(name, f"no such clip file, and no shipped clip of that name; available: {names}")


def short_name(path: Path, prefix: str = "") -> str:
    """`humanoid3d_run.txt` -> `run.txt` when prefix is `humanoid3d_`."""
    name = path.name
    return name[len(prefix) :] if prefix and name.startswith(prefix) else name
