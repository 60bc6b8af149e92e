"""BVH motion capture: parse, forward kinematics, write.

A BVH file is a joint hierarchy (OFFSET and CHANNELS per joint, End Sites) and a
MOTION block of frames, one value per channel. Rotation channels compose in the
order they are listed (`Zrotation Xrotation Yrotation`: R = Rz Rx Ry, angles in
degrees); a joint with position channels takes them as its translation instead of
its OFFSET. End Sites become joints without channels, named `<parent>_end`.
The motion block is read with one `np.array(...split())`, not value by value.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy.spatial.transform import Rotation

from motions.text_file import read_text

ROTATION_CHANNELS = ("Xrotation", "Yrotation", "Zrotation")
POSITION_CHANNELS = ("Xposition", "Yposition", "Zposition")


class BvhError(ValueError):
    """A BVH file that cannot be used. `str()` is one line: '<file>: <problem>'."""

    def __init__(self, source: str, problem: str) -> None:
        super().__init__(f"{source}: {problem}")


@dataclass(frozen=True, eq=False)
class Bvh:
    """A parsed BVH file. J joints (End Sites included), F frames, C channels in all.

    names [J], parents [J] (-1 for the root), offsets [J,3] (file units), channels: per joint the
    channel names in file order; columns: per joint the first column of its channels in `motion`;
    frame_time: seconds per frame; motion [F,C] (rotations in degrees).
    """

    source: str
    names: tuple[str, ...]
    parents: np.ndarray
    offsets: np.ndarray
    channels: tuple[tuple[str, ...], ...]
    columns: np.ndarray
    frame_time: float
    motion: np.ndarray

    @property
    def num_frames(self) -> int:
        return int(self.motion.shape[0])


def read_bvh(path: str | Path) -> Bvh:
    """Parse a BVH file; a file that is not one raises BvhError naming the file and the problem."""
    return parse_bvh(read_text(path, BvhError, "a BVH file is text"), str(path))


def parse_bvh(text: str, source: str = "<bvh>") -> Bvh:
    head, sep, body = text.partition("MOTION")
    tokens = head.split()
    if not tokens or tokens[0] != "HIERARCHY":
        raise BvhError(source, "not a BVH file (it does not start with HIERARCHY)")
    if not sep:
        raise BvhError(source, "no MOTION block")
    names: list[str] = []
    parents: list[int] = []
    offsets: list[list[float]] = []
    channels: list[tuple[str, ...]] = []
    stack: list[int] = []
    i, pending = 1, None  # pending: the joint whose "{" comes next
    try:
        while i < len(tokens):
            tok = tokens[i]
            if tok in ("ROOT", "JOINT"):
                if tok == "ROOT" and names:
                    raise BvhError(source, "more than one ROOT: only one skeleton per file is supported")
                pending = (tokens[i + 1], False)
                i += 2
            elif tok == "End":
                pending = (f"{names[stack[-1]]}_end", True)
                i += 2
            elif tok == "{":
                if pending is None:
                    raise BvhError(source, "a '{' without a joint")
                names.append(pending[0])
                parents.append(stack[-1] if stack else -1)
                offsets.append([0.0, 0.0, 0.0])
                channels.append(())
                stack.append(len(names) - 1)
                pending = None
                i += 1
            elif tok == "}":
                stack.pop()
                i += 1
            elif tok == "OFFSET":
                offsets[stack[-1]] = [float(v) for v in tokens[i + 1 : i + 4]]
                i += 4
            elif tok == "CHANNELS":
                n = int(tokens[i + 1])
                chans = tuple(tokens[i + 2 : i + 2 + n])
                bad = [c for c in chans if c not in ROTATION_CHANNELS + POSITION_CHANNELS]
                if bad or len(chans) != n:
                    raise BvhError(source, f"joint {names[stack[-1]]!r}: unknown channels {bad or chans}")
                channels[stack[-1]] = chans
                i += 2 + n
            else:
                raise BvhError(source, f"unexpected {tok!r} in the HIERARCHY")
    except (IndexError, ValueError) as exc:
        if isinstance(exc, BvhError):
            raise
        raise BvhError(source, f"malformed HIERARCHY near token {i} ({exc})") from None
    if stack or not names:
        raise BvhError(source, "unbalanced braces in the HIERARCHY" if stack else "no joints in the HIERARCHY")
    width = sum(len(c) for c in channels)
    match = re.match(r"\s*Frames:\s*(\d+)\s*Frame Time:\s*([-+0-9.eE]+)", body)
    if not match:
        raise BvhError(source, "MOTION block without 'Frames:' and 'Frame Time:'")
    count, frame_time = int(match.group(1)), float(match.group(2))
    if count == 0:
        raise BvhError(source, "zero frames")
    if not frame_time > 0:
        raise BvhError(source, f"Frame Time must be > 0, got {frame_time}")
    try:
        values = np.array(body[match.end() :].split(), dtype=float)
    except ValueError:
        raise BvhError(source, "a value in the MOTION block is not a number") from None
    if values.size != count * width:
        have = values.size / width if width else 0
        raise BvhError(source, f"the MOTION block holds {values.size} values: {have:.6g} frames of {width} channels, the header "
                               f"says {count} frames (truncated, or the channel count does not match the frame width)")  # fmt: skip
    motion = values.reshape(count, width)
    if not np.isfinite(motion).all():
        row = int(np.argwhere(~np.isfinite(motion))[0, 0])
        raise BvhError(source, f"frame {row} holds NaN or infinite values")
    columns = np.cumsum([0] + [len(c) for c in channels[:-1]])
    return Bvh(source, tuple(names), np.array(parents), np.array(offsets, dtype=float), tuple(channels), columns, frame_time, motion)


def local_rotations(bvh: Bvh) -> np.ndarray:
    """Each joint's rotation relative to its parent, [F,J,3,3], from its rotation channels in file order."""
    F, J = bvh.num_frames, len(bvh.names)
    out = np.broadcast_to(np.eye(3), (F, J, 3, 3)).copy()
    for j, chans in enumerate(bvh.channels):
        rot = [(k, c[0]) for k, c in enumerate(chans) if c in ROTATION_CHANNELS]
        if not rot:
            continue
        cols = [bvh.columns[j] + k for k, _ in rot]
        order = "".join(axis for _, axis in rot)  # intrinsic, in listed order: R = R_first R_second R_third
        out[:, j] = Rotation.from_euler(order.upper(), bvh.motion[:, cols], degrees=True).as_matrix()
    return out


def local_translations(bvh: Bvh) -> np.ndarray:
    """Each joint's translation from its parent [F,J,3]: its OFFSET, or its position channels where it has them."""
    F, J = bvh.num_frames, len(bvh.names)
    out = np.broadcast_to(bvh.offsets, (F, J, 3)).copy()
    for j, chans in enumerate(bvh.channels):
        for k, c in enumerate(chans):
            if c in POSITION_CHANNELS:
                out[:, j, POSITION_CHANNELS.index(c)] = bvh.motion[:, bvh.columns[j] + k]
    return out


def forward_kinematics(bvh: Bvh) -> tuple[np.ndarray, np.ndarray]:
    """World positions [F,J,3] (file units and axes) and world rotations [F,J,3,3] of every joint."""
    rot, trans = local_rotations(bvh), local_translations(bvh)
    F, J = rot.shape[:2]
    pos_w, rot_w = np.zeros((F, J, 3)), np.zeros((F, J, 3, 3))
    for j in range(J):  # parents come before their children in a BVH file
        p = bvh.parents[j]
        if p < 0:
            pos_w[:, j], rot_w[:, j] = trans[:, j], rot[:, j]
        else:
            pos_w[:, j] = pos_w[:, p] + np.einsum("fij,fj->fi", rot_w[:, p], trans[:, j])
            rot_w[:, j] = rot_w[:, p] @ rot[:, j]
    return pos_w, rot_w


def rest_positions(bvh: Bvh) -> np.ndarray:
    """World positions [J,3] of the joints with every rotation zero: the file's rest pose, root at its OFFSET.
    A joint with position channels sits where they put it in the first frame (they replace its OFFSET)."""
    trans = local_translations(bvh)[0]
    pos = np.zeros((len(bvh.names), 3))
    for j, p in enumerate(bvh.parents):
        pos[j] = bvh.offsets[j] if p < 0 else pos[p] + trans[j]
    return pos


def write_bvh(path: str | Path, names: list[str], parents: list[int], offsets: np.ndarray, root_pos: np.ndarray,
              rotations: np.ndarray, frame_time: float, end_sites: dict[int, np.ndarray]) -> None:  # fmt: skip
    """Write a BVH file: J joints (parents before children, root first) with OFFSETs [J,3]; the root has
    position and rotation channels, every other joint three rotation channels (Zrotation Yrotation
    Xrotation); end_sites: joint index -> End Site offset [3]. root_pos [F,3]; rotations [F,J,3,3] local."""
    children: dict[int, list[int]] = {j: [] for j in range(len(names))}
    for j, p in enumerate(parents):
        if p >= 0:
            children[p].append(j)
    lines = ["HIERARCHY"]
    order: list[int] = []  # joints as the file lists them (depth first): the motion's columns follow it

    def emit(j: int, depth: int) -> None:
        order.append(j)
        pad = "\t" * depth
        lines.append(f"{pad}{'ROOT' if parents[j] < 0 else 'JOINT'} {names[j]}")
        lines.append(pad + "{")
        lines.append(f"{pad}\tOFFSET {' '.join(f'{v:.6f}' for v in offsets[j])}")
        chans = "Xposition Yposition Zposition Zrotation Yrotation Xrotation" if parents[j] < 0 else "Zrotation Yrotation Xrotation"
        lines.append(f"{pad}\tCHANNELS {len(chans.split())} {chans}")
        for c in children[j]:
            emit(c, depth + 1)
        if j in end_sites:
            lines.extend([f"{pad}\tEnd Site", pad + "\t{", f"{pad}\t\tOFFSET {' '.join(f'{v:.6f}' for v in end_sites[j])}", pad + "\t}"])
        lines.append(pad + "}")

    emit(0, 0)
    F, J = rotations.shape[:2]
    euler = Rotation.from_matrix(rotations[:, order].reshape(-1, 3, 3)).as_euler("ZYX", degrees=True).reshape(F, J, 3)
    values = np.concatenate([root_pos, euler.reshape(F, -1)], axis=1)
    lines += ["MOTION", f"Frames: {F}", f"Frame Time: {frame_time:.8f}"]
    lines += [" ".join(f"{v:.6f}" for v in row) for row in values]
    Path(path).write_text("\n".join(lines) + "\n")
