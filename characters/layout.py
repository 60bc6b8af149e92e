"""Index arrays derived once from a CharacterSpec, so the math can stay vectorized."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from characters.spec import CharacterSpec


@dataclass(frozen=True, eq=False)
class JointLayout:
    """Where each joint lives in the flat pose and velocity vectors.

    sph_pose [S,4]: columns of each spherical joint's quaternion in Pose.joints;
    sph_vel [S,3]: its angular velocity columns in PoseVelocity.joints;
    rev_pose [R], rev_vel [R]: revolute joint columns; sph_weight [S], rev_weight [R],
    root_weight: DiffWeights normalized to sum 1 (root included); rot_weight [S+R]:
    sph_weight then rev_weight, in one array; vel_weight [V]:
    each velocity column's joint weight (a spherical joint's on its 3 columns);
    sph_sum [S,D]: 0/1 rows that add up each spherical joint's 4 pose columns.
    """

    sph_pose: np.ndarray
    sph_vel: np.ndarray
    rev_pose: np.ndarray
    rev_vel: np.ndarray
    sph_weight: np.ndarray
    rev_weight: np.ndarray
    root_weight: float
    rot_weight: np.ndarray
    vel_weight: np.ndarray
    sph_sum: np.ndarray


def joint_layout(spec: CharacterSpec) -> JointLayout:
    sph_pose, sph_vel, rev_pose, rev_vel, sph_w, rev_w = [], [], [], [], [], []
    pcol = vcol = 0
    for joint in spec.joints:
        if joint.dofs == 4:
            sph_pose.append(range(pcol, pcol + 4))
            sph_vel.append(range(vcol, vcol + 3))
            sph_w.append(joint.reward_weight)
        else:
            rev_pose.append(pcol)
            rev_vel.append(vcol)
            rev_w.append(joint.reward_weight)
        pcol += joint.dofs
        vcol += joint.velocity_dofs
    total = spec.root_reward_weight + sum(sph_w) + sum(rev_w)
    vel_weight = np.concatenate([[j.reward_weight / total] * j.velocity_dofs for j in spec.joints])
    sph_pose_cols = np.array(sph_pose, dtype=int).reshape(-1, 4)
    sph_sum = np.zeros((len(sph_pose_cols), pcol))
    sph_sum[np.arange(len(sph_pose_cols))[:, None], sph_pose_cols] = 1.0
    return JointLayout(
        sph_pose=sph_pose_cols,
        sph_vel=np.array(sph_vel, dtype=int).reshape(-1, 3),
        rev_pose=np.array(rev_pose, dtype=int),
        rev_vel=np.array(rev_vel, dtype=int),
        sph_weight=np.array(sph_w) / total,
        rev_weight=np.array(rev_w) / total,
        root_weight=spec.root_reward_weight / total,
        rot_weight=np.array(sph_w + rev_w) / total,
        vel_weight=vel_weight,
        sph_sum=sph_sum,
    )
