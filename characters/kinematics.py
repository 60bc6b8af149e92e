"""Forward kinematics of our own, in numpy: link frames from a pose, no simulator.

The tree is read once from the simulator (`body.SimCharacter.kinematic_tree`)
and then used to place the reference character for rewards and observations
without posing a second PyBullet body. Frames are PyBullet's link frames as
returned by getLinkState()[0:2]: each link's centre-of-mass (inertial) frame.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from motions.rotations import axis_angle_to_quat, quat_mul, quat_rotate

FIXED, REVOLUTE, SPHERICAL = 0, 1, 4  # joint kind = pose values it takes


@dataclass(frozen=True, eq=False)
class KinematicTree:
    """Links in PyBullet order (parents before children). L links.

    parent [L] (-1: the base), kind [L] (FIXED/REVOLUTE/SPHERICAL),
    axis [L,3] revolute axis in the joint frame, joint_pos [L,3] / joint_quat [L,4]:
    joint frame in the parent's inertial frame, inertial_pos [L,3] /
    inertial_quat [L,4]: the link's inertial frame in its joint frame,
    pose_col [L]: first column of the joint's values in Pose.joints (-1 if none),
    mass [L] kg, base_mass kg.
    """

    parent: np.ndarray
    kind: np.ndarray
    axis: np.ndarray
    joint_pos: np.ndarray
    joint_quat: np.ndarray
    inertial_pos: np.ndarray
    inertial_quat: np.ndarray
    pose_col: np.ndarray
    mass: np.ndarray
    base_mass: float

    @property
    def num_links(self) -> int:
        return int(self.parent.shape[0])


def link_frames(
    tree: KinematicTree, root_pos: np.ndarray, root_quat: np.ndarray, joints: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """World frames of every link, for one pose or a batch of N poses.

    Shapes: root_pos [...,3], root_quat [...,4] (base frame), joints [...,D] (clip layout)
    -> inertial (centre-of-mass) positions [...,L,3], their orientations [...,L,4]
    (x,y,z,w), and joint positions [...,L,3] (the link frame origin, where the
    joint connecting the link to its parent sits).
    """
    n = tree.num_links
    batch = root_pos.shape[:-1]
    pos = np.empty(batch + (n, 3))
    quat = np.empty(batch + (n, 4))
    joint_pos = np.empty(batch + (n, 3))
    for i in range(n):
        col = tree.pose_col[i]
        p = tree.parent[i]
        ppos, pquat = (root_pos, root_quat) if p < 0 else (pos[..., p, :], quat[..., p, :])
        jpos = ppos + quat_rotate(pquat, tree.joint_pos[i])
        jquat = quat_mul(pquat, tree.joint_quat[i])
        if tree.kind[i] == SPHERICAL:
            jquat = quat_mul(jquat, joints[..., col : col + 4])
        elif tree.kind[i] == REVOLUTE:
            jquat = quat_mul(jquat, axis_angle_to_quat(tree.axis[i], joints[..., col]))
        joint_pos[..., i, :] = jpos
        pos[..., i, :] = jpos + quat_rotate(jquat, tree.inertial_pos[i])
        quat[..., i, :] = quat_mul(jquat, tree.inertial_quat[i])
    return pos, quat, joint_pos


def center_of_mass(tree: KinematicTree, root_pos: np.ndarray, link_pos: np.ndarray) -> np.ndarray:
    """Whole-body centre of mass. root_pos [...,3] (base), link_pos [...,L,3] -> [...,3]."""
    total = tree.base_mass + tree.mass.sum()
    return (tree.base_mass * root_pos + np.einsum("l,...lk->...k", tree.mass, link_pos)) / total
