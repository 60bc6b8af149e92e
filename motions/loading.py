"""Read clip files and refuse bad ones with a one-line reason.

Two JSON formats, told apart by their keys:
  DeepMimic (data/motions/*.txt): {"Loop": "wrap" | "none", "Frames": [[duration,
    root position, root quaternion, joint values...], ...]}
  motion_imitation (google-research): {"LoopMode": "Wrap" | "Clamp", "FrameDuration": s,
    "EnableCycleOffsetPosition": bool, "EnableCycleOffsetRotation": bool,
    "Frames": [[root position, root quaternion, joint values...], ...]}
Joint values follow the character's joint order: 4 (a quaternion) per spherical joint,
1 (radians) per revolute joint. The character's `ClipConvention` says the quaternion
order, the up axis and any motor convention of the joint angles; here everything
becomes y-up, x,y,z,w and URDF angles (`motions.clip_convention`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from motions.clip import Clip, ClipError
from motions.clip_convention import ClipConvention, to_package_frames
from motions.rotations import heading_angle, wrap_angle
from motions.text_file import read_text

# Quaternions are renormalized silently: the clips DeepMimic ships are not exactly
# unit (norms from 0.58 to 1.12 in pybullet_data's kick and backflip), and
# DeepMimic normalizes them too. Only a (near-)zero norm has no direction to keep.
ZERO_NORM = 1e-6
MAX_CYCLE_TURN_RAD = np.radians(5.0)  # a looping clip that turns more per cycle needs a rotation offset, not supported
DEEPMIMIC, MOTION_IMITATION = "DeepMimic", "motion_imitation"


@dataclass(frozen=True, eq=False)
class ClipFile:
    """A parsed clip file before any character: frames [F, W] with the duration first (a motion_imitation
    file's FrameDuration becomes that column), loop, the format read, whether a looping clip's root moves
    on each cycle (motion_imitation's EnableCycleOffsetPosition; DeepMimic always), and whether the file
    asks for the heading to carry over too (EnableCycleOffsetRotation)."""

    frames: np.ndarray
    loop: bool
    file_format: str
    advance_per_cycle: bool = True
    turn_per_cycle: bool = False


def _flag(source: str, data: dict, key: str, default: bool) -> bool:
    value = data.get(key, default)
    if not isinstance(value, bool):
        raise ClipError(source, f'"{key}" must be true or false, got {value!r}')
    return value


def _header(source: str, data: dict) -> tuple[str, bool, float | None, bool, bool]:
    """(format, loop, frame duration or None, advance per cycle, turn per cycle) from the file's keys."""
    if "LoopMode" in data or "FrameDuration" in data:
        mode = data.get("LoopMode", "Wrap")
        if mode not in ("Wrap", "Clamp"):
            raise ClipError(source, f'"LoopMode" must be "Wrap" or "Clamp", got {mode!r}')
        step = data.get("FrameDuration")
        if isinstance(step, bool) or not isinstance(step, (int, float)) or not np.isfinite(step) or step <= 0:
            raise ClipError(source, f'"FrameDuration" must be a positive number of seconds, got {step!r}')
        advance = _flag(source, data, "EnableCycleOffsetPosition", True)
        turn = _flag(source, data, "EnableCycleOffsetRotation", False)
        return MOTION_IMITATION, mode == "Wrap", float(step), advance, turn
    loop = data.get("Loop", "none")
    if loop not in ("wrap", "none"):
        raise ClipError(source, f'"Loop" must be "wrap" or "none", got {loop!r}')
    return DEEPMIMIC, loop == "wrap", None, True, False


def read_frames(path: Path) -> ClipFile:
    """Parse the JSON (either format) and check what does not depend on the character.

    Raises ClipError naming the file.
    """
    source = str(path)
    text = read_text(path, ClipError, "a clip is a JSON text file")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ClipError(source, f"malformed JSON at line {exc.lineno} column {exc.colno}: {exc.msg}") from None
    if not isinstance(data, dict) or "Frames" not in data:
        raise ClipError(source, 'missing "Frames" key (expected {"Loop": ..., "Frames": [[...], ...]})')
    file_format, loop, step, advance, turn = _header(source, data)
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
    if step is not None:  # motion_imitation: one frame duration for all, no column of its own
        frames = np.concatenate([np.full((len(frames), 1), step), frames], axis=1)
    width = frames.shape[1]
    if width < 8:
        raise ClipError(source, f"frames have {width} values; at least 8 (duration, root position, root quaternion) needed")
    durations = frames[:-1, 0]
    if np.any(durations <= 0):
        i = int(np.argmax(durations <= 0))
        raise ClipError(source, f"frame {i} has non-positive duration {durations[i]}")
    return ClipFile(frames, loop, file_format, advance, turn)


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


def load_clip(path: str | Path, joint_dofs: tuple[int, ...], character: str = "", convention: ClipConvention | None = None) -> Clip:
    """Load a clip for a character whose joints have `joint_dofs` values each, stored in the
    character's `convention` (default: DeepMimic's humanoid files, y-up, w,x,y,z).

    Raises ClipError (one line, naming the file) for malformed JSON, a missing
    "Frames" key, an empty clip, a frame width that does not fit the character,
    NaN/inf, non-positive durations, zero-norm quaternions, or a looping clip that
    asks to carry its turn over to the next cycle (not supported) while it turns.
    """
    path = Path(path)
    source = str(path)
    parsed = read_frames(path)
    frames = parsed.frames
    width = 1 + 3 + 4 + sum(joint_dofs)
    if frames.shape[1] != width:
        who = f"character {character!r}" if character else "this character"
        raise ClipError(source, f"frames have {frames.shape[1]} values but {who} needs {width}")
    frames = _normalize_quats(source, frames, joint_dofs)
    root_pos, root_quat, joints = to_package_frames(frames[:, 1:4], frames[:, 4:8], frames[:, 8:], tuple(joint_dofs),
                                                    convention or ClipConvention())  # fmt: skip
    if parsed.loop and parsed.turn_per_cycle:
        turn = float(wrap_angle(heading_angle(root_quat[-1]) - heading_angle(root_quat[0])))
        if abs(turn) > MAX_CYCLE_TURN_RAD:
            raise ClipError(source, f"EnableCycleOffsetRotation with a turn of {np.degrees(turn):.1f} degrees per cycle is not "
                                    f"supported (at most {np.degrees(MAX_CYCLE_TURN_RAD):.0f})")  # fmt: skip
    return Clip(
        name=path.name,
        source=source,
        loop=parsed.loop,
        durations=frames[:, 0].copy(),
        root_pos=root_pos,
        root_quat=root_quat,
        joints=joints,
        joint_dofs=tuple(joint_dofs),
        file_format=parsed.file_format,
        advance_per_cycle=parsed.advance_per_cycle,
    )


def clip_summary(path: Path) -> tuple[float, int, bool]:
    """(duration seconds, frame count, looping) of a clip file, without a character."""
    parsed = read_frames(path)
    return float(np.sum(parsed.frames[:-1, 0])), int(parsed.frames.shape[0]), parsed.loop
