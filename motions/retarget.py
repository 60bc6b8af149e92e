"""Retargeting a motion-capture skeleton onto a character, whatever the file's rest pose.

Each character link gets its world orientation from the source at each frame, never from the
source's rest pose: a link's frame is built from its bone's direction (the link's joint to the
joint at the bone's end, in world space) and a second direction that turns with the bone:
  - for a thigh or upper arm over a bent knee or elbow, the bend direction of that hinge;
  - otherwise, the source joint's own world rotation applied to one of the skeleton's body axes
    (forward, up or left, measured between its hips and neck), the one most perpendicular to the
    bone in both rest poses.
The same construction on the character's rest pose gives the rest frame, so the link's world
orientation is F_source(t) F_character_rest^T. Hinges (knees, elbows) take the signed angle of
the bone below them in the hinge's plane; the part of a 3-DoF source knee out of that plane is
reported as the residual.

All lengths are scaled by the ratio of leg lengths (hip to ankle); the file's up axis is found
from its motion. Everything here is numpy/scipy: the character arrives as a `CharacterRig`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy.spatial.transform import Rotation

from motions.bvh import Bvh, forward_kinematics, local_rotations, rest_positions
from motions.rotations import continuous_sign

SPHERICAL, HINGE = 4, 1
FURTHER = {"neck": "head"}  # where a source bone has no length (CMU's Neck sits on Spine1), it reaches one point further



class NotRetargetableError(ValueError):
    """A character that retargeting cannot drive (it needs a humanoid's joints by name); `str()` is one line."""

@dataclass(frozen=True)
class RigJoint:
    """One actuated joint of the character, in clip order. role: the body point where it sits;
    end: the body point at the end of its bone; parent: index of the parent joint (-1: the root);
    axis, limits: a hinge's axis (in its link frame) and range in radians."""

    name: str
    role: str
    end: str
    dofs: int
    parent: int
    axis: tuple[float, float, float] = (0.0, 0.0, 1.0)
    limits: tuple[float, float] = (-np.pi, np.pi)


@dataclass(frozen=True, eq=False)
class CharacterRig:
    """A character as retargeting sees it (built by `characters.rig`).

    joints: clip order. rest: role -> position [3] in the rest pose (every joint at zero, every
    link frame aligned with the root's), metres, y up, facing +x. root_role/root_end: the root
    link's point and the point its bone reaches (hips -> chest). leg_length: hip to ankle (m).
    fk(root_pos [F,3], root_quat [F,4], joints [F,D]) -> (role positions {role: [F,3]}, sole points [F,P,3]).
    """

    name: str
    joints: tuple[RigJoint, ...]
    rest: dict[str, np.ndarray]
    fk: object = field(repr=False)
    root_role: str = "hips"
    root_end: str = "chest"

    @property
    def leg_length(self) -> float:
        r = self.rest
        return float(np.mean([np.linalg.norm(r[f"{s}_hip"] - r[f"{s}_knee"]) + np.linalg.norm(r[f"{s}_knee"] - r[f"{s}_ankle"])
                              for s in ("left", "right")]))  # fmt: skip

    @property
    def axes(self) -> np.ndarray:
        """[3,3] rows: forward, up, left of the rest pose."""
        return body_axes(self.rest)


def body_axes(points: dict[str, np.ndarray]) -> np.ndarray:
    """[3,3] rows forward, up, left of a standing body from its points (rest pose): up from the hips to
    the neck, left from the right hip to the left hip (made perpendicular), forward = left x up."""
    up = _unit(points["neck"] - points["hips"])
    left = points["left_hip"] - points["right_hip"]
    left = _unit(left - (left @ up) * up)
    return np.stack([np.cross(left, up), up, left])


def _unit(v: np.ndarray) -> np.ndarray:
    return v / np.maximum(np.linalg.norm(v, axis=-1, keepdims=True), 1e-12)


def frame(bone: np.ndarray, second: np.ndarray) -> np.ndarray:
    """Orthonormal frames [...,3,3] whose columns are the bone direction, `second` made perpendicular to
    it, and their cross product. bone, second [...,3]."""
    b = _unit(bone)
    s = _unit(second - np.sum(second * b, axis=-1, keepdims=True) * b)
    return np.stack([b, s, np.cross(b, s)], axis=-1)


def _snap(v: np.ndarray) -> np.ndarray:
    """The signed coordinate axis [3] nearest to direction v."""
    k = int(np.argmax(np.abs(v)))
    axis = np.zeros(3)
    axis[k] = np.sign(v[k]) or 1.0
    return axis


def up_axis(positions: np.ndarray, rest: np.ndarray, roles: dict[str, int]) -> np.ndarray:
    """The file's up axis [3], a signed coordinate axis. positions [F,J,3], rest [J,3] (the rest pose).

    Two guesses: the axis of the hips-to-neck direction averaged over the motion (right for anything
    done standing, whatever the rest pose), and that of the rest pose (right for any upright rest pose,
    whatever the motion: a get-up or a crawl). When they differ, the floor decides: the lowest foot point
    stays at one height along the up axis (a floor), and moves along the others."""
    motion = _snap(np.mean(_unit(positions[:, roles["neck"]] - positions[:, roles["hips"]]), axis=0))
    upright = _snap(rest[roles["neck"]] - rest[roles["hips"]])
    if np.array_equal(motion, upright):
        return motion
    feet = positions[:, [roles[r] for r in ("left_ankle", "right_ankle")]]  # [F,2,3]

    def floor_spread(axis: np.ndarray) -> float:
        return float(np.std((feet @ axis).min(axis=1)))

    return motion if floor_spread(motion) <= floor_spread(upright) else upright


def up_rotation(positions: np.ndarray, rest: np.ndarray, roles: dict[str, int]) -> tuple[np.ndarray, str]:
    """The rotation [3,3] taking the file's up axis (`up_axis`) to +y, and the axis' name (e.g. "z", "-y")."""
    axis = up_axis(positions, rest, roles)
    k = int(np.argmax(np.abs(axis)))
    name = ("-" if axis[k] < 0 else "") + "xyz"[k]
    if k == 1 and axis[k] > 0:
        return np.eye(3), name
    rot, _ = Rotation.align_vectors([[0.0, 1.0, 0.0]], [axis])
    return rot.as_matrix(), name


def floor_tilt(lowest: np.ndarray, max_deg: float = 5.0) -> np.ndarray:
    """The rotation [3,3] that levels the floor a take was captured on. lowest [F,3]: each frame's lowest foot
    point (y up). The floor is the plane under their lower envelope (a least-squares fit, refitted 3 times to
    the points within 2 cm of it); it is levelled only when tilted less than max_deg (a slope beyond that is
    the motion's own), else the identity."""
    keep = np.ones(len(lowest), dtype=bool)
    A = np.column_stack([lowest[:, 0], lowest[:, 2], np.ones(len(lowest))])
    for _ in range(3):
        coef, *_ = np.linalg.lstsq(A[keep], lowest[keep, 1], rcond=None)
        keep = lowest[:, 1] - A @ coef < 0.02
        if keep.sum() < 3:
            return np.eye(3)
    normal = _unit(np.array([-coef[0], 1.0, -coef[1]]))
    if np.degrees(np.arccos(normal[1])) > max_deg or normal[1] > 1 - 1e-12:
        return np.eye(3)
    rot, _ = Rotation.align_vectors([[0.0, 1.0, 0.0]], [normal])
    return rot.as_matrix()


def calibration_frame(bvh: Bvh, rotations_local: np.ndarray) -> bool:
    """Whether frame 0 is a calibration pose (a T-pose before the take): its joints sit farther from
    frame 1 than 10 degrees on average and more than 5x any later step between neighbouring frames."""
    if bvh.num_frames < 4:
        return False
    rel = np.einsum("fjki,fjkl->fjil", rotations_local[:-1], rotations_local[1:])  # R_f^T R_{f+1}
    angle = np.degrees(np.arccos(np.clip((np.trace(rel, axis1=2, axis2=3) - 1) / 2, -1, 1))).mean(axis=1)  # [F-1]
    return bool(angle[0] > 10.0 and angle[0] > 5.0 * np.max(angle[1:]))


@dataclass(frozen=True, eq=False)
class Retargeted:
    """Per source frame: root_pos [F,3] (m, y up), root_quat [F,4] x,y,z,w, joints [F,D] (clip layout),
    the source's role positions scaled and turned y up {role: [F,3]}, and the figures of the conversion."""

    root_pos: np.ndarray
    root_quat: np.ndarray
    joints: np.ndarray
    source_points: dict[str, np.ndarray]
    scale: float
    up_axis: str
    dropped_first_frame: bool
    hinge_residual_deg: dict[str, float]
    hinges_clamped: dict[str, int]
    floor_tilt_deg: float


def retarget(bvh: Bvh, roles: dict[str, int], rig: CharacterRig, level_floor: bool = True, clamp_hinges: bool = True) -> Retargeted:
    """The character's pose at each frame of the BVH: its calibration frame dropped, the floor it was captured
    on levelled (level_floor), hinge angles kept inside the character's limits (clamp_hinges)."""
    pos, rot = forward_kinematics(bvh)
    dropped = calibration_frame(bvh, local_rotations(bvh))
    if dropped:
        pos, rot = pos[1:], rot[1:]
    rest = rest_positions(bvh)
    src_rest = {r: rest[j] for r, j in roles.items()}
    src_axes = body_axes(src_rest)  # rows forward, up, left: the skeleton's own, in file axes
    up, up_name = up_rotation(pos, rest, roles)
    src_leg = np.mean([np.linalg.norm(src_rest[f"{s}_hip"] - src_rest[f"{s}_knee"])
                       + np.linalg.norm(src_rest[f"{s}_knee"] - src_rest[f"{s}_ankle"]) for s in ("left", "right")])  # fmt: skip
    scale = rig.leg_length / src_leg
    feet = np.stack([pos[:, roles[r]] @ up.T * scale for r in ("left_ankle", "right_ankle", "left_toe", "right_toe") if r in roles], 1)
    tilt = floor_tilt(feet[np.arange(len(feet)), feet[:, :, 1].argmin(axis=1)]) if level_floor else np.eye(3)
    up = tilt @ up
    points = {r: pos[:, j] @ up.T * scale for r, j in roles.items()}  # y up, metres
    owner_rot = {r: up @ rot[:, j] for r, j in roles.items()}  # each role's joint frame, y up
    char_axes = rig.axes
    F = pos.shape[0]

    def source_end(role: str, end: str) -> str:
        short = np.linalg.norm(src_rest[end] - src_rest[role]) < 0.02 * src_leg
        return FURTHER[end] if short and FURTHER.get(end) in src_rest else end

    def joint_frame(role: str, end: str, bone_now: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """World frame of the source bone role->end from the joint's own rotation, and the character's rest frame."""
        char_bone = _unit(rig.rest[end] - rig.rest[role])
        src_bone_rest = _unit(src_rest[source_end(role, end)] - src_rest[role])
        # the body axis most perpendicular to the bone in both rest poses: a rest pose that differs from the
        # character's by a turn about that axis (arms in a T or an A, legs splayed, bones laid along an axis) gives
        # the same frames
        k = int(np.argmin(np.maximum(np.abs(char_axes @ char_bone), np.abs(src_axes @ src_bone_rest))))
        ref_rest = src_axes[k] - (src_axes[k] @ src_bone_rest) * src_bone_rest
        second = np.einsum("fij,j->fi", owner_rot[role], ref_rest)
        return frame(bone_now, second), frame(char_bone, char_axes[k])

    world: dict[int, np.ndarray] = {}
    root_bone = np.einsum("fij,j->fi", owner_rot["hips"], _unit(src_rest[rig.root_end] - src_rest["hips"]))
    f_src, f_rest = joint_frame("hips", rig.root_end, root_bone)
    root_world = f_src @ f_rest.T
    hinge_below = {j.parent: k for k, j in enumerate(rig.joints) if j.dofs == HINGE}
    joints_out = np.zeros((F, sum(j.dofs for j in rig.joints)))
    residual, clamped, twist = {}, {}, {}
    col = np.cumsum([0] + [j.dofs for j in rig.joints])
    for k, j in enumerate(rig.joints):
        parent_world = root_world if j.parent < 0 else world[j.parent]
        if j.dofs == HINGE:
            d0 = _unit(rig.rest[j.end] - rig.rest[j.role])
            axis = np.asarray(j.axis, dtype=float)
            lower = _unit(points[j.end] - points[j.role])
            angle = hinge_angle(parent_world, lower, d0, axis)
            clamped[j.name] = int(np.sum(~_within(angle, j.limits)))
            if clamp_hinges:
                angle = np.clip(angle, *j.limits)
            along = np.einsum("fji,fj->fi", parent_world, lower) @ axis
            residual[j.name] = float(np.degrees(np.mean(np.abs(np.arcsin(np.clip(along, -1, 1))))))
            joints_out[:, col[k]] = angle
            world[k] = parent_world @ Rotation.from_rotvec(angle[:, None] * axis).as_matrix()
            continue
        bone = points[source_end(j.role, j.end)] - points[j.role]
        f_src, f_rest = joint_frame(j.role, j.end, bone)
        if k in hinge_below:  # a thigh or upper arm: the bend of the hinge below sets its twist where it is bent
            h = rig.joints[hinge_below[k]]
            lower = _unit(points[h.end] - points[h.role])
            b = _unit(bone)
            bend = lower - np.sum(lower * b, axis=1, keepdims=True) * b
            bent = np.linalg.norm(bend, axis=1)
            bend = np.where(bent[:, None] > 1e-6, bend, f_src[:, :, 1])  # straight: any perpendicular (weight 0 below)
            lo, hi = h.limits
            sign = 1.0 if hi > -lo else -1.0  # the hinge bends toward positive angles (elbow) or negative (knee)
            h_d0 = _unit(rig.rest[h.end] - rig.rest[h.role])
            char_bend = sign * np.cross(np.asarray(h.axis, float), h_d0)
            f_bend = frame(bone, bend)
            w = np.clip((np.degrees(np.arcsin(np.clip(bent, 0, 1))) - 3.0) / 12.0, 0.0, 1.0)
            r_joint = f_src @ f_rest.T
            w[~_within(hinge_angle(r_joint, lower, h_d0, np.asarray(h.axis, float)), h.limits)] = 0.0  # bent the wrong way
            r_bend = f_bend @ frame(_unit(rig.rest[j.end] - rig.rest[j.role]), char_bend).T
            link_world, moved = _blend_about(r_joint, r_bend, w)
            twist[h.name] = float(np.degrees(np.mean(moved)))
        else:
            link_world = f_src @ f_rest.T
        world[k] = link_world
        local = np.einsum("fji,fjk->fik", parent_world, link_world)
        joints_out[:, col[k] : col[k] + 4] = continuous_sign(Rotation.from_matrix(local).as_quat())
    root_quat = continuous_sign(Rotation.from_matrix(root_world).as_quat())
    hip_mid = 0.5 * (points["left_hip"] + points["right_hip"])
    rest_mid = 0.5 * (rig.rest["left_hip"] + rig.rest["right_hip"])
    root_pos = hip_mid - np.einsum("fij,j->fi", root_world, rest_mid - rig.rest[rig.root_role])
    # a 3-DoF source knee or elbow: its rotation out of the hinge's plane moves into the limb's twist above it
    residual = {k: v + twist.get(k, 0.0) for k, v in residual.items()}
    tilt_deg = float(np.degrees(np.arccos(np.clip(tilt[1, 1], -1, 1))))
    return Retargeted(root_pos, root_quat, joints_out, points, float(scale), up_name, dropped, residual, clamped, tilt_deg)


def hinge_angle(parent_world: np.ndarray, lower: np.ndarray, rest_dir: np.ndarray, axis: np.ndarray) -> np.ndarray:
    """The signed angle [F] about a hinge's axis [3] (in the parent link's frame) that turns the lower bone's
    rest direction rest_dir [3] nearest to its direction `lower` [F,3] (world), under parent frames [F,3,3]."""
    d = np.einsum("fji,fj->fi", parent_world, lower)
    flat = d - (d @ axis)[:, None] * axis
    return np.arctan2(np.cross(rest_dir, flat) @ axis, flat @ rest_dir)


def _within(angle: np.ndarray, limits: tuple[float, float]) -> np.ndarray:
    return (angle >= limits[0] - 1e-9) & (angle <= limits[1] + 1e-9)


def _blend_about(a: np.ndarray, b: np.ndarray, w: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Rotations [F,3,3] that go a fraction w [F] of the way from a to b (slerp of the relative rotation),
    and how far each one moved from a (radians) [F]."""
    rel = Rotation.from_matrix(np.einsum("fji,fjk->fik", a, b)).as_rotvec() * w[:, None]
    return a @ Rotation.from_rotvec(rel).as_matrix(), np.linalg.norm(rel, axis=1)
