"""How a character's clip files store a pose, and the conversion to the package's own convention.

Inside the package a clip is y-up, quaternions are x,y,z,w and joint values are the URDF's joint
positions. Files differ: DeepMimic's humanoid clips are y-up with w,x,y,z quaternions; the Laikago
clip in `pybullet_data` (and motion_imitation's) is z-up with x,y,z,w quaternions and joint angles in
the robot's motor convention (URDF angle = direction * motor angle + offset). A character says which
convention its files use (`CharacterSpec.clip_convention`); `motions.loading` converts at the file
boundary, so nothing after it knows where a clip came from.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from motions.rotations import from_wxyz, quat_mul, quat_rotate

_Z_UP_TO_Y_UP = np.array([-np.sqrt(0.5), 0.0, 0.0, np.sqrt(0.5)])  # -90 degrees about x: z -> y, y -> -z (x,y,z,w)


@dataclass(frozen=True)
class ClipConvention:
    """quat_order: "wxyz" or "xyzw", the order of every quaternion in the file (root and spherical joints).
    up_axis: "y" or "z", the world's up axis in the file's root positions and orientations.
    joint_sign / joint_offset: one value per joint (revolute joints only; ignored for spherical ones):
    the URDF angle is sign * file value + offset. Empty: the file holds URDF angles."""

    quat_order: str = "wxyz"
    up_axis: str = "y"
    joint_sign: tuple[float, ...] = ()
    joint_offset: tuple[float, ...] = ()

    def __post_init__(self) -> None:
        if self.quat_order not in ("wxyz", "xyzw"):
            raise ValueError(f"quat_order must be 'wxyz' or 'xyzw', got {self.quat_order!r}")
        if self.up_axis not in ("y", "z"):
            raise ValueError(f"up_axis must be 'y' or 'z', got {self.up_axis!r}")
        if len(self.joint_sign) != len(self.joint_offset):
            raise ValueError("joint_sign and joint_offset need one value per joint each")


def to_package_frames(
    root_pos: np.ndarray, root_quat: np.ndarray, joints: np.ndarray, joint_dofs: tuple[int, ...], convention: ClipConvention
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A file's poses in the package's convention.

    Shapes: root_pos [F,3], root_quat [F,4] (the file's order), joints [F,D] (the file's values, D =
    sum(joint_dofs)) -> root_pos [F,3] y-up, root_quat [F,4] x,y,z,w, joints [F,D] (URDF angles,
    quaternions x,y,z,w). A z-up file is turned -90 degrees about x, so its up becomes y and its
    y becomes -z; joints are local and do not turn.
    """
    wxyz = convention.quat_order == "wxyz"
    root_quat = from_wxyz(root_quat) if wxyz else np.array(root_quat, dtype=float)
    root_pos = np.array(root_pos, dtype=float)
    if convention.up_axis == "z":
        root_pos = quat_rotate(_Z_UP_TO_Y_UP, root_pos)
        root_quat = quat_mul(_Z_UP_TO_Y_UP, root_quat)
    joints = np.array(joints, dtype=float)
    col = 0
    for j, dofs in enumerate(joint_dofs):
        if dofs == 4 and wxyz:
            joints[:, col : col + 4] = from_wxyz(joints[:, col : col + 4])
        elif dofs == 1 and convention.joint_sign:
            joints[:, col] = convention.joint_sign[j] * joints[:, col] + convention.joint_offset[j]
        col += dofs
    return root_pos, root_quat, joints
