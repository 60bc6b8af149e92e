"""BVH file -> a clip for a character, and a clip -> BVH: the conversion and its measured quality.

`convert_bvh`: parse, recognise the skeleton, retarget (`motions.retarget`), resample to CLIP_HZ
(slerp for rotations), raise the whole clip once so its lowest sole point meets the ground, decide
whether it loops from its first and last poses, and measure it on the character's own kinematics.
`clip_to_bvh`: write any clip as a BVH of the character's skeleton (rest pose: the character's).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy.spatial.transform import Rotation, Slerp

from motions import retarget_quality as quality
from motions.bvh import read_bvh, write_bvh
from motions.clip import Clip
from motions.interpolate import pose_at
from motions.retarget import HINGE, CharacterRig, retarget
from motions.rotations import continuous_sign, to_wxyz
from motions.skeletons import recognise

CLIP_HZ = 60.0  # frames per second of a converted clip: two per control step at 30 Hz
LOOP_JOINT_RAD = 0.25  # a clip loops when its last pose is within this of its first, on average per joint ...
LOOP_HEIGHT_M = 0.05  # ... and its root height within this


@dataclass(frozen=True, eq=False)
class Conversion:
    clip: Clip
    report: dict


def convert_bvh(path: str | Path, rig: CharacterRig, mapping: dict[str, str] | None = None, ground: bool = True,
                hz: float = CLIP_HZ) -> Conversion:  # fmt: skip
    """A BVH file as a clip for `rig`'s character, and the report of what was recognised and measured.
    ground: the corrections for a character: level the capture floor, raise or lower the clip once so its
    lowest sole point meets it, keep hinges inside their limits (off: the file's motion as it is)."""
    bvh = read_bvh(path)
    roles, family = recognise(bvh.names, bvh.parents, str(path), mapping)
    r = retarget(bvh, roles, rig, level_floor=ground, clamp_hinges=ground)
    F = r.root_pos.shape[0]
    t_src = np.arange(F) * bvh.frame_time
    t_out = np.arange(0.0, t_src[-1] + 1e-9, 1.0 / hz)
    dofs = tuple(j.dofs for j in rig.joints)
    root_pos = _lerp(t_src, r.root_pos, t_out)
    root_quat = _slerp(t_src, r.root_quat, t_out)
    joints = np.zeros((len(t_out), r.joints.shape[1]))
    col = 0
    for d in dofs:
        block = r.joints[:, col : col + d]
        joints[:, col : col + d] = _slerp(t_src, block, t_out) if d == 4 else _lerp(t_src, block, t_out)
        col += d
    source_points = {k: _lerp(t_src, v, t_out) for k, v in r.source_points.items()}
    points, soles = rig.fk(root_pos, root_quat, joints)
    lift = quality.ground_offset(soles[:, :, 1]) if ground else 0.0
    root_pos = root_pos + [0.0, lift, 0.0]
    points = {k: v + [0.0, lift, 0.0] for k, v in points.items()}
    soles = soles + [0.0, lift, 0.0]
    loop = loops(root_pos, root_quat, joints, dofs)
    durations = np.full(len(t_out), 1.0 / hz)
    name = Path(path).stem + ".txt"
    clip = Clip(name, str(path), loop, durations, root_pos, root_quat, joints, dofs, file_format="BVH")
    report = {
        "file": str(path), "skeleton": family, "roles": {k: bvh.names[v] for k, v in sorted(roles.items())},
        "scale_m_per_unit": r.scale, "up_axis": r.up_axis, "source_fps": 1.0 / bvh.frame_time, "clip_fps": hz,
        "frames": len(t_out), "seconds": float(t_out[-1]), "calibration_frame_dropped": r.dropped_first_frame,
        "floor_levelled_deg": r.floor_tilt_deg,
        "loop": "wrap" if loop else "none", "ground_lift_m": lift,
        "hinge_residual_deg": r.hinge_residual_deg, "hinge_frames_clamped": r.hinges_clamped,
        **measure(points, soles, source_points, joints, dofs, 1.0 / hz),
    }  # fmt: skip
    return Conversion(clip, report)


def measure(points: dict[str, np.ndarray], soles: np.ndarray, source_points: dict[str, np.ndarray], joints: np.ndarray,
            dofs: tuple[int, ...], dt: float) -> dict:  # fmt: skip
    """The quality figures of a converted clip (see `motions.retarget_quality`)."""
    feet = np.stack([points["left_ankle"], points["right_ankle"]], axis=1)  # [F,2,3]
    half = soles.shape[1] // 2
    foot_low = np.stack([soles[:, :half, 1].min(axis=1), soles[:, half:, 1].min(axis=1)], axis=1)
    src_feet = np.stack([source_points["left_ankle"], source_points["right_ankle"]], axis=1)
    src_low_points = np.stack([np.minimum(source_points[f"{s}_ankle"][:, 1], source_points[f"{s}_toe"][:, 1])
                               for s in ("left", "right")], axis=1)  # fmt: skip
    src_low = src_low_points - np.percentile(src_low_points, 2)
    char_skate, src_skate = quality.skating(feet, foot_low, dt), quality.skating(src_feet, src_low, dt)
    quats = np.stack([joints[:, c : c + 4] for c, d in zip(np.cumsum([0, *dofs[:-1]]), dofs, strict=True) if d == 4], axis=1)
    return {
        **quality.sole_figures(soles[:, :, 1]),
        "skating_m_s": char_skate, "source_skating_m_s": src_skate,
        "limb_direction_error_deg": quality.limb_direction_errors(points, source_points),
        "max_joint_speed_rad_s": quality.joint_speeds(quats, dt), "quaternion_sign_flips": quality.sign_flips(quats),
    }  # fmt: skip


def loops(root_pos: np.ndarray, root_quat: np.ndarray, joints: np.ndarray, dofs: tuple[int, ...]) -> bool:
    """A clip loops ("wrap") when its last pose is its first again: joints within LOOP_JOINT_RAD on average,
    root height within LOOP_HEIGHT_M, and the root's tilt (its up axis) within LOOP_JOINT_RAD."""
    diffs, col = [], 0
    for d in dofs:
        a, b = joints[0, col : col + d], joints[-1, col : col + d]
        diffs.append(2 * np.arccos(min(1.0, abs(float(a @ b)))) if d == 4 else abs(float(a[0] - b[0])))
        col += d
    ups = Rotation.from_quat(root_quat[[0, -1]]).apply([0.0, 1.0, 0.0])
    tilt = float(np.arccos(np.clip(ups[0] @ ups[1], -1, 1)))
    return bool(np.mean(diffs) < LOOP_JOINT_RAD and abs(root_pos[0, 1] - root_pos[-1, 1]) < LOOP_HEIGHT_M and tilt < LOOP_JOINT_RAD)


def clip_to_json(clip: Clip) -> str:
    """A clip in DeepMimic's JSON format (quaternions w,x,y,z)."""
    joints = clip.joints.copy()
    col = 0
    for d in clip.joint_dofs:
        if d == 4:
            joints[:, col : col + 4] = to_wxyz(joints[:, col : col + 4])
        col += d
    frames = np.concatenate([clip.durations[:, None], clip.root_pos, to_wxyz(clip.root_quat), joints], axis=1)
    rows = ",\n".join("[" + ", ".join(f"{v:.8g}" for v in row) + "]" for row in frames)
    return f'{{\n"Loop": "{"wrap" if clip.loop else "none"}",\n"Frames": [\n{rows}\n]\n}}\n'


def clip_to_bvh(clip: Clip, rig: CharacterRig, path: str | Path, hz: float = CLIP_HZ) -> None:
    """Write a clip as a BVH of the character's skeleton (metres, y up; its rest pose is the character's),
    sampled at hz: the root with position and rotation channels, each joint with three rotation channels
    (a hinge turns about its axis only), End Sites at the bone ends no joint starts from."""
    times = np.arange(0.0, clip.duration + 1e-9, 1.0 / hz)
    pose = pose_at(clip, times)
    names = [rig.root_role] + [j.name for j in rig.joints]
    parents = [-1] + [j.parent + 1 for j in rig.joints]  # index 0 is the root
    role_of = [rig.root_role] + [j.role for j in rig.joints]
    offsets = np.array([rig.rest[rig.root_role]] + [rig.rest[j.role] - rig.rest[role_of[j.parent + 1]] for j in rig.joints])
    F = len(times)
    rot = np.zeros((F, len(names), 3, 3))
    rot[:, 0] = Rotation.from_quat(pose.root_quat).as_matrix()
    col = 0
    for k, j in enumerate(rig.joints, start=1):
        if j.dofs == HINGE:
            rot[:, k] = Rotation.from_rotvec(pose.joints[:, col : col + 1] * np.asarray(j.axis)).as_matrix()
        else:
            rot[:, k] = Rotation.from_quat(pose.joints[:, col : col + 4]).as_matrix()
        col += j.dofs
    starts = {j.role for j in rig.joints}
    end_sites = {k: rig.rest[j.end] - rig.rest[j.role] for k, j in enumerate(rig.joints, start=1) if j.end not in starts}
    write_bvh(path, names, parents, offsets, pose.root_pos, rot, 1.0 / hz, end_sites)


def write_report(report: dict, path: str | Path) -> None:
    Path(path).write_text(json.dumps(report, indent=2) + "\n")


def _lerp(t: np.ndarray, values: np.ndarray, t_new: np.ndarray) -> np.ndarray:
    return np.stack([np.interp(t_new, t, values[:, i]) for i in range(values.shape[1])], axis=1)


def _slerp(t: np.ndarray, quats: np.ndarray, t_new: np.ndarray) -> np.ndarray:
    out = continuous_sign(Slerp(t, Rotation.from_quat(quats))(np.clip(t_new, t[0], t[-1])).as_quat())
    return out * np.sign(np.sum(out[:1] * quats[:1]) + 1e-300)  # the first one keeps the source's sign

