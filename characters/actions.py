"""From a policy's action to PD targets, in the two parameterizations.

absolute (DeepMimic): per spherical joint (angle, axis x, y, z) -> quaternion,
per revolute joint an angle. The Box bounds are DeepMimic's normalization,
value = normalized / scale - offset with normalized in [-1, 1]: a learner that
normalizes by the Box (center, half-range) sees exactly DeepMimic's actions.

relative: per spherical joint a rotation vector (radians) applied after the
reference joint rotation, per revolute joint an angle added to the reference;
zero means "track the clip". Bounds: +-the character's relative_action_limit_rad.
"""

from __future__ import annotations

import numpy as np

from characters.layout import JointLayout
from characters.spec import CharacterSpec
from motions.rotations import axis_angle_to_quat, quat_conj, quat_mul, quat_to_rotvec, rotvec_to_quat


class ActionMap:
    """Action vector <-> PD targets (clip layout: x,y,z,w quaternions, radians)."""

    def __init__(self, spec: CharacterSpec, layout: JointLayout, mode: str, relative_limit_rad: float = 1.0) -> None:
        self.mode = mode
        self.layout = layout
        self.pose_size = sum(spec.joint_dofs)
        if mode == "absolute":
            offset = np.concatenate([j.action_offset for j in spec.joints])
            scale = np.concatenate([j.action_scale for j in spec.joints])
            self.low, self.high = -offset - 1.0 / scale, -offset + 1.0 / scale
            # per spherical joint: action columns of (angle, axis xyz); revolute: its column
            self.sph_cols = layout.sph_pose  # same columns: 4 values per spherical joint either way
            self.rev_cols = layout.rev_pose
        else:
            size = sum(j.velocity_dofs for j in spec.joints)
            self.low = np.full(size, -relative_limit_rad)
            self.high = np.full(size, relative_limit_rad)
            self.sph_cols = layout.sph_vel
            self.rev_cols = layout.rev_vel

    @property
    def size(self) -> int:
        return int(self.low.shape[0])

    def targets(self, action: np.ndarray, ref_joints: np.ndarray | None) -> np.ndarray:
        """PD targets [..., D] from actions [..., A] and the reference joints [..., D] (unused, may be None,
        for absolute actions); batched over any leading axes."""
        a = np.asarray(action, dtype=float)
        out = np.empty((*a.shape[:-1], self.pose_size))
        if self.mode == "absolute":
            sph = a[..., self.sph_cols]  # [..., S, 4] = angle, axis
            out[..., self.layout.sph_pose] = axis_angle_to_quat(sph[..., 1:4], sph[..., 0])
            out[..., self.layout.rev_pose] = a[..., self.rev_cols]
        else:
            ref_q = ref_joints[..., self.layout.sph_pose]
            out[..., self.layout.sph_pose] = quat_mul(ref_q, rotvec_to_quat(a[..., self.sph_cols]))
            out[..., self.layout.rev_pose] = ref_joints[..., self.layout.rev_pose] + a[..., self.rev_cols]
        return out

    def action_for(self, targets: np.ndarray, ref_joints: np.ndarray) -> np.ndarray:
        """The action that yields `targets` (inverse of `targets`, up to quaternion sign)."""
        out = np.empty(self.size)
        q = targets[self.layout.sph_pose]
        if self.mode == "absolute":
            rv = quat_to_rotvec(q)
            angle = np.linalg.norm(rv, axis=1)
            axis = np.where(angle[:, None] > 1e-12, rv / np.maximum(angle, 1e-12)[:, None], np.array([0.0, 0.0, 1.0]))
            out[self.sph_cols] = np.concatenate([angle[:, None], axis], axis=1)
            out[self.rev_cols] = targets[self.layout.rev_pose]
        else:
            out[self.sph_cols] = quat_to_rotvec(quat_mul(quat_conj(ref_joints[self.layout.sph_pose]), q))
            out[self.rev_cols] = targets[self.layout.rev_pose] - ref_joints[self.layout.rev_pose]
        return out
