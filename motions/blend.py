"""Blending two looping gaits (a walk and a run) into the gaits between them, as a game's blend tree does.

The two clips' cycles are aligned by phase (`phase_offset`: the run's point that best matches the walk's
start, foot for foot), then each blended cycle takes both at the same fraction of their cycles: joint and
root rotations slerped, heights and the travel lerped, the cycle's length lerped (`blend_cycle`).
"""

from __future__ import annotations

import numpy as np

from motions.clip import Clip, ClipError
from motions.interpolate import interp_joints, pose_at
from motions.rotations import heading_angle, quat_angle, quat_conj, quat_mul, slerp, yaw_quat


def joint_distance(a: np.ndarray, b: np.ndarray, joint_dofs: tuple[int, ...]) -> np.ndarray:
    """Summed joint difference of poses a, b [..., D] -> [...]: rotation angle per spherical joint, |delta| per revolute one."""
    total, col = 0.0, 0
    for dofs in joint_dofs:
        if dofs == 4:
            total = total + quat_angle(quat_mul(quat_conj(a[..., col : col + 4]), b[..., col : col + 4]))
        else:
            total = total + np.abs(a[..., col] - b[..., col])
        col += dofs
    return total


def phase_offset(a: Clip, b: Clip, samples: int = 48, candidates: int = 200) -> float:
    """The fraction of b's cycle [0, 1) at which b best matches a's start: the offset that minimises the mean
    `joint_distance` of a at phases p and b at phases p + offset, over `samples` phases."""
    phases = np.arange(samples) / samples
    pa = pose_at(a, phases * a.duration).joints  # [S,D]
    offsets = np.arange(candidates) / candidates
    pb = pose_at(b, ((phases[None, :] + offsets[:, None]) % 1.0).ravel() * b.duration).joints.reshape(candidates, samples, -1)
    cost = joint_distance(np.broadcast_to(pa, pb.shape), pb, a.joint_dofs).mean(axis=1)
    return float(offsets[int(np.argmin(cost))])


def check_blendable(a: Clip, b: Clip) -> None:
    """Raise ClipError (naming b) unless both clips loop, travel the same way and have the same joints."""
    if not (a.loop and b.loop):
        raise ClipError(b.source if a.loop else a.source, "blending gaits needs looping clips")
    if a.joint_dofs != b.joint_dofs:
        raise ClipError(b.source, f"its joints {b.joint_dofs} are not {a.source}'s {a.joint_dofs}")
    ways = [np.arctan2(-c.cycle_offset[2], c.cycle_offset[0]) for c in (a, b)]
    if any(np.hypot(c.cycle_offset[0], c.cycle_offset[2]) < 0.05 * c.duration for c in (a, b)):
        raise ClipError(b.source, "blending gaits needs clips that travel")
    turn = float(np.degrees(abs((ways[1] - ways[0] + np.pi) % (2 * np.pi) - np.pi)))
    if turn > 10.0:
        raise ClipError(b.source, f"it travels {turn:.0f} deg away from {a.source}'s way (blended gaits must go the same way)")


def blend_cycle(a: Clip, b: Clip, weight: float, offset: float, frames: int = 60) -> Clip:
    """One looping cycle between a (weight 0) and b (weight 1), b taken `offset` (a fraction of its cycle) ahead:
    `frames` + 1 keyframes over a cycle of (1 - w) Ta + w Tb seconds; the root's travel and the cycle offset are
    lerped, so the blend's pace runs from a's to b's."""
    check_blendable(a, b)
    w = float(weight)
    phases = np.arange(frames + 1) / frames
    pa = pose_at(a, phases * a.duration)
    pb = pose_at(b, (phases + offset) * b.duration)  # past b's end, a loop's pose_at moves on by its cycle offset
    # b's root turned about the vertical onto a's way, so the two travel along one line from one start
    yaw = heading_angle(pa.root_quat[0]) - heading_angle(pb.root_quat[0])
    c, s = np.cos(yaw), np.sin(yaw)
    rel_b = pb.root_pos - pb.root_pos[0]
    rel_b = np.stack([c * rel_b[:, 0] + s * rel_b[:, 2], rel_b[:, 1], -s * rel_b[:, 0] + c * rel_b[:, 2]], axis=1)
    root_quat_b = quat_mul(np.broadcast_to(yaw_quat(yaw), pb.root_quat.shape), pb.root_quat)
    rel_a = pa.root_pos - pa.root_pos[0]
    root_pos = pa.root_pos[0] + (1 - w) * rel_a + w * rel_b
    root_pos[:, 1] = (1 - w) * pa.root_pos[:, 1] + w * pb.root_pos[:, 1]
    fraction = np.full(frames + 1, w)
    root_quat = slerp(pa.root_quat, root_quat_b, fraction)
    joints = interp_joints(pa.joints, pb.joints, fraction, a.joint_dofs)
    duration = (1 - w) * a.duration + w * b.duration
    durations = np.full(frames + 1, duration / frames)
    return Clip(f"{a.name}+{b.name}@{w:.2f}", f"{a.source} + {b.source}", True, durations, root_pos, root_quat, joints, a.joint_dofs,
                a.file_format)  # fmt: skip
