"""A looping clip's seam: where its last keyframe meets the first keyframe of the next cycle.

DeepMimic plays a "wrap" clip's last keyframe at the end of a cycle and its first keyframe, moved on by
the cycle's root displacement, at the same instant; the two are meant to be one pose. Some shipped
clips break that: walk and run were made from two mirrored halves and their last keyframe is not the
first one (`python bench/clip_symmetry.py`), so the pose jumps at every seam in no time at all (run:
0.22 rad per joint on average, 0.39 at most, every 0.8 s). `close_seam` makes the last keyframe the
first one moved on by the cycle's displacement, which is the pose the loop plays an instant later.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from motions.clip import Clip
from motions.rotations import quat_conj, quat_mul, quat_to_rotvec


def keyframe_distance(clip: Clip, i: int, k: int) -> np.ndarray:
    """[J] rotation (rad) from keyframe i's joints to keyframe k's, per joint: the angle of the relative
    rotation for a spherical joint, the absolute angle difference for a revolute one."""
    out, col = [], 0
    for dofs in clip.joint_dofs:
        a, b = clip.joints[i, col : col + dofs], clip.joints[k, col : col + dofs]
        out.append(np.linalg.norm(quat_to_rotvec(quat_mul(quat_conj(a), b))) if dofs == 4 else abs(float(b[0] - a[0])))
        col += dofs
    return np.array(out)


def seam_gap(clip: Clip) -> np.ndarray:
    """[J] how far the last keyframe's joints are from the first's (rad); zeros for a clip that does not loop."""
    if not clip.loop:
        return np.zeros(len(clip.joint_dofs))
    return keyframe_distance(clip, clip.num_frames - 1, 0)


def close_seam(clip: Clip) -> Clip:
    """The clip with its last keyframe replaced by the first moved on by one cycle: the first's joints,
    root rotation and root height, at the last keyframe's horizontal root position (which sets the
    cycle's displacement, `Clip.cycle_offset`, so cycles still join where they did). A clip that does
    not loop, or has one keyframe, is returned unchanged."""
    if not clip.loop or clip.num_frames < 2:
        return clip
    root_pos, root_quat, joints = clip.root_pos.copy(), clip.root_quat.copy(), clip.joints.copy()
    root_pos[-1, 1] = root_pos[0, 1]
    root_quat[-1] = root_quat[0]
    joints[-1] = joints[0]
    return replace(clip, root_pos=root_pos, root_quat=root_quat, joints=joints)
