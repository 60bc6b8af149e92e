"""Read DeepMimic JSON clips and refuse bad ones with a one-line reason.

File format (DeepMimic, data/motions/*.txt):
  {"Loop": "wrap" | "none", "Frames": [[duration, root pos x,y,z,
   root quat w,x,y,z, joint values...], ...]}
Joint values follow the character's joint order: 4 (quaternion w,x,y,z) per
spherical joint, 1 (radians) per revolute joint. Quaternions become x,y,z,w here.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from motions.clip import Clip, ClipError
from motions.rotations import from_wxyz
from motions.text_file import read_text

# Quaternions are renormalized silently: the clips DeepMimic ships are not exactly
# unit (norms from 0.58 to 1.12 in pybullet_data's kick and backflip), and
# DeepMimic normalizes them too. Only a (near-)zero norm has no direction to keep.
ZERO_NORM = 1e-6


def read_frames(path: Path) -> tuple[bool, np.ndarray]:
    """Parse the JSON and check what does not depend on the character.

    Returns (loop, frames [F, W]). Raises ClipError naming the file.
    """
    source = str(path)
    text = read_text(path, ClipError, "a clip is a JSON text file")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ClipError(source, f"malformed JSON at line {exc.lineno} column {exc.colno}: {exc.msg}") from None
    if not isinstance(data, dict) or "Frames" not in data:
        raise ClipError(source, 'missing "Frames" key (expected {"Loop": ..., "Frames": [[...], ...]})')
    loop = data.get("Loop", "none")
    if loop not in ("wrap", "none"):
        raise ClipError(source, f'"Loop" must be "wrap" or "none", got {loop!r}')
    raw = data["Frames"]
    if not isinstance(raw, list) or len(raw) == 0:
        raise ClipError(source, "empty clip: no frames")
    if len(raw) < 2:
        raise ClipError(source, "a clip needs at least 2 frames to interpolate, got 1")
    widths = {len(f) if isinstance(f, list) else -1 for f in raw}
    if -1 in widths:
        raise ClipError(source, "every frame must be a list of numbers")
    if len(widths) != 1:
        raise ClipError(source, f"frames have different widths: {sorted(widths)}")
    try:
        frames = np.array(raw, dtype=float)
    except (TypeError, ValueError):
        raise ClipError(source, "frames hold values that are not numbers") from None
    bad = np.argwhere(~np.isfinite(frames))
    if len(bad):
        i, j = bad[0]
        raise ClipError(source, f"non-finite value {frames[i, j]} in frame {i}, column {j}")
    width = frames.shape[1]
    if width < 8:
        raise ClipError(source, f"frames have {width} values; at least 8 (duration, root position, root quaternion) needed")
    durations = frames[:-1, 0]
    if np.any(durations <= 0):
        i = int(np.argmax(durations <= 0))
        raise ClipError(source, f"frame {i} has non-positive duration {durations[i]}")
    return loop == "wrap", frames


def _quaternion_columns(joint_dofs: tuple[int, ...]) -> list[int]:
    """First column (in the file frame) of every quaternion: root, then spherical joints."""
    cols, col = [4], 8
    for dofs in joint_dofs:
        if dofs == 4:
            cols.append(col)
        col += dofs
    return cols


def _normalize_quats(source: str, frames: np.ndarray, joint_dofs: tuple[int, ...]) -> np.ndarray:
    frames = frames.copy()
    for col in _quaternion_columns(joint_dofs):
        q = frames[:, col : col + 4]
        norms = np.linalg.norm(q, axis=1)
        if np.any(norms < ZERO_NORM):
            i = int(np.argmax(norms < ZERO_NORM))
            raise ClipError(source, f"zero-norm quaternion in frame {i}, columns {col}-{col + 3}")
        frames[:, col : col + 4] = q / norms[:, None]
    return frames


def load_clip(path: str | Path, joint_dofs: tuple[int, ...], character: str = "") -> Clip:
    """Load a clip for a character whose joints have `joint_dofs` values each.

    Raises ClipError (one line, naming the file) for malformed JSON, a missing
    "Frames" key, an empty clip, a frame width that does not fit the character,
    NaN/inf, non-positive durations, or zero-norm quaternions.
    """
    path = Path(path)
    source = str(path)
    loop, frames = read_frames(path)
    width = 1 + 3 + 4 + sum(joint_dofs)
    if frames.shape[1] != width:
        who = f"character {character!r}" if character else "this character"
        raise ClipError(source, f"frames have {frames.shape[1]} values but {who} needs {width}")
    frames = _normalize_quats(source, frames, joint_dofs)
    joints = frames[:, 8:].copy()
    col = 0
    for dofs in joint_dofs:
        if dofs == 4:
            joints[:, col : col + 4] = from_wxyz(joints[:, col : col + 4])
        col += dofs
    return Clip(
        name=path.name,
        source=source,
        loop=loop,
        durations=frames[:, 0].copy(),
        root_pos=frames[:, 1:4].copy(),
        root_quat=from_wxyz(frames[:, 4:8]),
        joints=joints,
        joint_dofs=tuple(joint_dofs),
    )


def clip_summary(path: Path) -> tuple[float, int, bool]:
    """(duration seconds, frame count, looping) of a clip file, without a character."""
    loop, frames = read_frames(path)
    return float(np.sum(frames[:-1, 0])), int(frames.shape[0]), loop
