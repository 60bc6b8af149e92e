"""Sample a clip at any time: pose by interpolation, velocity by finite differences.

Positions and revolute joints interpolate linearly, quaternions by slerp.
Looping clips repeat, the root moving on by `clip.cycle_offset` each cycle so a
looped run keeps travelling; non-looping clips clamp to their first/last frame.
Velocities are the finite difference across the keyframe interval that holds
`t` (constant over the interval, as in DeepMimic), zero past a clamped end.

Every function takes a scalar time or an array of times [N]; array inputs give
outputs with a leading [N] dimension.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from motions.clip import Clip
from motions.rotations import quat_conj, quat_mul, quat_to_rotvec, slerp


@dataclass(frozen=True)
class Pose:
    """A character pose. root_pos [...,3], root_quat [...,4] x,y,z,w (world), joints [...,D] (clip layout)."""

    root_pos: np.ndarray
    root_quat: np.ndarray
    joints: np.ndarray


@dataclass(frozen=True)
class PoseVelocity:
    """Velocities of a pose.

    root_lin [...,3] and root_ang [...,3]: world frame. joints [...,V]: per joint,
    3 values (angular velocity in the joint's child frame, rad/s) for a spherical
    joint, 1 (rad/s) for a revolute joint.
    """

    root_lin: np.ndarray
    root_ang: np.ndarray
    joints: np.ndarray


@dataclass(frozen=True)
class ClipTime:
    """Where times fall in a clip: cycle count, keyframe interval, fraction in [0, 1], past a clamped end."""

    cycle: np.ndarray
    frame: np.ndarray
    fraction: np.ndarray
    past_end: np.ndarray


def locate(clip: Clip, t: float | np.ndarray) -> ClipTime:
    """Map times in seconds to (cycle, keyframe interval, fraction). Shapes: t [] or [N]."""
    t = np.asarray(t, dtype=float)
    period = clip.duration
    if clip.loop:
        cycle = np.floor(t / period)
        local = t - cycle * period
        past_end = np.zeros(t.shape, dtype=bool)
    else:
        cycle = np.zeros(t.shape)
        local = np.clip(t, 0.0, period)
        past_end = t >= period
    times = clip.frame_times
    frame = np.clip(np.searchsorted(times, local, side="right") - 1, 0, clip.num_frames - 2)
    fraction = np.clip((local - times[frame]) / clip.durations[frame], 0.0, 1.0)
    return ClipTime(cycle.astype(int), frame, fraction, past_end)


def phases_at(clip: Clip, t: np.ndarray) -> np.ndarray:
    """Fraction of the current cycle elapsed at N times [N] -> [N], in [0, 1) (1 at the end of a non-looping clip)."""
    if clip.loop:
        return np.remainder(t / clip.duration, 1.0)
    return np.clip(t / clip.duration, 0.0, 1.0)


def phase_at(clip: Clip, t: float) -> float:
    """`phases_at` of one time."""
    return float(phases_at(clip, np.float64(t)))


def interp_joints(joints0: np.ndarray, joints1: np.ndarray, fraction: np.ndarray, joint_dofs: tuple[int, ...]) -> np.ndarray:
    out = np.empty_like(joints0)
    col = 0
    for dofs in joint_dofs:
        a, b = joints0[..., col : col + dofs], joints1[..., col : col + dofs]
        out[..., col : col + dofs] = slerp(a, b, fraction) if dofs == 4 else a + fraction[..., None] * (b - a)
        col += dofs
    return out


def pose_at(clip: Clip, t: float | np.ndarray) -> Pose:
    """The clip's pose at time(s) t in seconds."""
    where = locate(clip, t)
    i, f = where.frame, where.fraction
    root_pos = clip.root_pos[i] + f[..., None] * (clip.root_pos[i + 1] - clip.root_pos[i])
    root_pos = root_pos + where.cycle[..., None] * clip.cycle_offset
    root_quat = slerp(clip.root_quat[i], clip.root_quat[i + 1], f)
    joints = interp_joints(clip.joints[i], clip.joints[i + 1], f, clip.joint_dofs)
    return Pose(root_pos, root_quat, joints)


def velocity_size(joint_dofs: tuple[int, ...]) -> int:
    """Length of PoseVelocity.joints: 3 per spherical joint, 1 per revolute joint."""
    return sum(3 if d == 4 else d for d in joint_dofs)


def velocity_at(clip: Clip, t: float | np.ndarray) -> PoseVelocity:
    """Finite-difference velocities over the keyframe interval holding t."""
    where = locate(clip, t)
    i = where.frame
    dt = clip.durations[i][..., None]
    moving = (~where.past_end)[..., None]
    root_lin = (clip.root_pos[i + 1] - clip.root_pos[i]) / dt
    q0, q1 = clip.root_quat[i], clip.root_quat[i + 1]
    root_ang = quat_to_rotvec(quat_mul(q1, quat_conj(q0))) / dt
    joint_vel = []
    col = 0
    for dofs in clip.joint_dofs:
        a, b = clip.joints[i, col : col + dofs], clip.joints[i + 1, col : col + dofs]
        if dofs == 4:
            joint_vel.append(quat_to_rotvec(quat_mul(quat_conj(a), b)) / dt)
        else:
            joint_vel.append((b - a) / dt)
        col += dofs
    return PoseVelocity(root_lin * moving, root_ang * moving, np.concatenate(joint_vel, axis=-1) * moving)
