"""BVH import and export: every layout real files use gives the known answer; bad files fail in one line.

The synthetic files are one shipped clip written as BVH of the humanoid's skeleton, then re-expressed
the way other files express the same motion (units, Euler orders, up axis, rest poses, channel layouts,
names, a calibration frame): each converts to the same clip.
"""

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from scipy.spatial.transform import Rotation

from characters.rig import character_rig
from motions import load_clip, pose_at, resolve_clip
from motions.bvh import BvhError, local_rotations, parse_bvh, read_bvh
from motions.bvh_convert import clip_to_bvh, convert_bvh
from motions.skeletons import recognise

CMU = Path(__file__).resolve().parent / "data" / "cmu_02_01_walk.bvh"
CLIPS = ("backflip", "cartwheel", "crawl", "dance_a", "dance_b", "getup_facedown", "getup_faceup", "jump", "kick", "punch",
         "roll", "run", "spin", "spinkick", "walk")  # fmt: skip


@pytest.fixture(scope="module")
def rig():
    return character_rig("humanoid")


def clip_of(rig, name):
    return load_clip(resolve_clip(f"{name}.txt", "humanoid3d_"), tuple(j.dofs for j in rig.joints))


def errors(rig, clip_a, times, clip_b) -> tuple[float, float]:
    """Largest joint-position error (m) and joint-rotation error (degrees) between clip_a at `times` and the
    keyframes of clip_b (same times), through the character's own kinematics."""
    a = pose_at(clip_a, times)
    pa, _ = rig.fk(a.root_pos, a.root_quat, a.joints)
    pb, _ = rig.fk(clip_b.root_pos, clip_b.root_quat, clip_b.joints)
    pos = max(float(np.linalg.norm(pa[k] - pb[k], axis=1).max()) for k in pa)
    rot, col = 0.0, 0
    for j in rig.joints:
        if j.dofs == 4:
            dots = np.abs(np.sum(a.joints[:, col : col + 4] * clip_b.joints[:, col : col + 4], axis=1))
            rot = max(rot, float(np.degrees(2 * np.arccos(np.clip(dots, 0, 1))).max()))
        else:
            rot = max(rot, float(np.degrees(np.abs(a.joints[:, col] - clip_b.joints[:, col])).max()))
        col += j.dofs
    roots = np.abs(np.sum(a.root_quat * clip_b.root_quat, axis=1))
    return pos, max(rot, float(np.degrees(2 * np.arccos(np.clip(roots, 0, 1))).max()))


@pytest.mark.parametrize("name", CLIPS)
def test_every_shipped_clip_survives_a_round_trip_through_bvh(rig, name, tmp_path):
    clip = clip_of(rig, name)
    path = tmp_path / f"{name}.bvh"
    clip_to_bvh(clip, rig, path)
    back = convert_bvh(path, rig, ground=False).clip
    pos, rot = errors(rig, clip, np.arange(back.num_frames) / 60.0, back)
    assert pos < 0.01 and rot < 1.0, (pos, rot)


# --------------------------------------------------------------- synthetic files
def emit(names, parents, offsets, local, root_pos, orders, six=False, frames=None) -> str:
    """A BVH text: joints (parents first) with OFFSETs, Euler channels per joint in `orders`, local rotations
    [F,J,3,3], the root's positions [F,3]; six: every joint carries position channels (its OFFSET as values,
    zeros in the header)."""
    children = {j: [k for k, p in enumerate(parents) if p == j] for j in range(len(names))}
    lines, order = ["HIERARCHY"], []

    def joint(j, depth):
        order.append(j)
        pad = "  " * depth
        lines.append(f"{pad}{'ROOT' if parents[j] < 0 else 'JOINT'} {names[j]}")
        lines.append(pad + "{")
        off = np.zeros(3) if six and parents[j] >= 0 else offsets[j]
        lines.append(f"{pad}  OFFSET {off[0]:.6f} {off[1]:.6f} {off[2]:.6f}")
        pos = parents[j] < 0 or six
        chans = (["Xposition", "Yposition", "Zposition"] if pos else []) + [f"{a}rotation" for a in orders[j]]
        lines.append(f"{pad}  CHANNELS {len(chans)} {' '.join(chans)}")
        for c in children[j]:
            joint(c, depth + 1)
        if not children[j]:
            lines.extend([f"{pad}  End Site", pad + "  {", f"{pad}    OFFSET 0.0 0.0 0.0", pad + "  }"])
        lines.append(pad + "}")

    joint(0, 0)
    F = local.shape[0]
    cols = []
    for j in order:
        if parents[j] < 0:
            cols.append(root_pos)
        elif six:
            cols.append(np.broadcast_to(offsets[j], (F, 3)))
        cols.append(Rotation.from_matrix(local[:, j]).as_euler(orders[j], degrees=True))
    values = np.concatenate(cols, axis=1)
    lines += ["MOTION", f"Frames: {F}", "Frame Time: 0.0166667"] + [" ".join(f"{v:.6f}" for v in row) for row in values]
    return "\n".join(lines) + "\n"


@pytest.fixture(scope="module")
def base(rig, tmp_path_factory):
    """dance_a as BVH of the humanoid's skeleton (with its End Sites as joints of their own), and the clip
    that file converts to: the known answer of every variant."""
    path = tmp_path_factory.mktemp("bvh") / "dance.bvh"
    clip_to_bvh(clip_of(rig, "dance_a"), rig, path)
    b = read_bvh(path)
    answer = convert_bvh(path, rig, ground=False).clip
    pos = b.motion[:, :3]
    return {"names": list(b.names), "parents": list(b.parents), "offsets": b.offsets.copy(), "local": local_rotations(b),
            "root_pos": pos, "answer": answer}  # fmt: skip


def convert_text(rig, text, tmp_path, name="variant.bvh", mapping=None):
    path = tmp_path / name
    path.write_text(text)
    return convert_bvh(path, rig, mapping, ground=False)


def assert_same(rig, base, conversion):
    answer = base["answer"]
    pos, rot = errors(rig, answer, answer.frame_times[: conversion.clip.num_frames], conversion.clip)
    assert pos < 0.01 and rot < 1.0, (pos, rot)


def rest_turned(base, turn: dict[str, Rotation]):
    """The same motion with another rest pose: joint j's bones (its children's OFFSETs) turned by turn[j]
    in its rest frame, its rotations changed so that every joint lands where it did."""
    names, parents = base["names"], base["parents"]
    S = [turn[n].as_matrix() if n in turn else np.eye(3) for n in names]
    offsets, local = base["offsets"].copy(), base["local"].copy()
    for j, p in enumerate(parents):
        if p >= 0:
            offsets[j] = S[p] @ base["offsets"][j]
        local[:, j] = (S[p] if p >= 0 else np.eye(3)) @ base["local"][:, j] @ S[j].T
    return offsets, local


@pytest.mark.parametrize("unit", [100.0, 39.3701, 1 / 0.0564])  # centimetres, inches, CMU units
def test_units(rig, base, tmp_path, unit):
    text = emit(base["names"], base["parents"], base["offsets"] * unit, base["local"], base["root_pos"] * unit,
                ["ZYX"] * len(base["names"]))  # fmt: skip
    c = convert_text(rig, text, tmp_path)
    assert abs(c.report["scale_m_per_unit"] * unit - 1.0) < 1e-3
    assert_same(rig, base, c)


@pytest.mark.parametrize("order", ["ZXY", "XYZ", "YXZ"])
def test_rotation_orders(rig, base, tmp_path, order):
    c = convert_text(rig, emit(base["names"], base["parents"], base["offsets"], base["local"], base["root_pos"],
                               [order] * len(base["names"])), tmp_path)  # fmt: skip
    assert_same(rig, base, c)


def test_z_up(rig, base, tmp_path):
    A = Rotation.from_euler("x", 90, degrees=True).as_matrix()  # y up -> z up
    local = base["local"].copy()
    local[:] = A @ local @ A.T
    text = emit(base["names"], base["parents"], base["offsets"] @ A.T, local, base["root_pos"] @ A.T, ["ZXY"] * len(base["names"]))
    c = convert_text(rig, text, tmp_path)
    assert c.report["up_axis"] == "z"
    assert_same(rig, base, c)


@pytest.mark.parametrize("pose", ["T", "A", "bones along x", "legs splayed"])
def test_rest_poses(rig, base, tmp_path, pose):
    side = {"right": 1.0, "left": -1.0}  # the humanoid's right is +z
    turn = {}
    for s, z in side.items():
        if pose in ("T", "A"):
            angle = 90.0 if pose == "T" else 45.0
            turn[f"{s}_shoulder"] = Rotation.from_euler("x", z * angle, degrees=True)  # the arm raised sideways
        elif pose == "bones along x":
            for part in ("hip", "knee", "shoulder", "elbow"):
                turn[f"{s}_{part}"] = Rotation.from_euler("z", 90, degrees=True)  # down -> +x
        else:
            turn[f"{s}_hip"] = Rotation.from_euler("x", z * 20, degrees=True)
    offsets, local = rest_turned(base, turn)
    c = convert_text(rig, emit(base["names"], base["parents"], offsets, local, base["root_pos"], ["ZYX"] * len(base["names"])), tmp_path)
    assert_same(rig, base, c)


def test_six_channel_joints_take_their_positions_from_the_channels(rig, base, tmp_path):
    c = convert_text(rig, emit(base["names"], base["parents"], base["offsets"], base["local"], base["root_pos"],
                               ["ZYX"] * len(base["names"]), six=True), tmp_path)  # fmt: skip
    assert_same(rig, base, c)


MIXAMO = {"hips": "Hips", "chest": "Spine2", "neck": "Neck", "right_hip": "RightUpLeg", "right_knee": "RightLeg",
          "right_ankle": "RightFoot", "right_shoulder": "RightArm", "right_elbow": "RightForeArm", "left_hip": "LeftUpLeg",
          "left_knee": "LeftLeg", "left_ankle": "LeftFoot", "left_shoulder": "LeftArm", "left_elbow": "LeftForeArm"}  # fmt: skip


def test_mixamo_names_with_a_prefix_and_end_joints_with_channels(rig, base, tmp_path):
    """Mixamo's names behind `mixamorig:`; the bone ends (head, toes, hands) as joints with channels of their own."""
    names = [f"mixamorig:{MIXAMO[n]}" if n in MIXAMO else f"mixamorig:{n.title().replace('_', '')}" for n in base["names"]]
    c = convert_text(rig, emit(names, base["parents"], base["offsets"], base["local"], base["root_pos"], ["ZXY"] * len(names)), tmp_path)
    assert c.report["skeleton"] == "Mixamo" and c.report["roles"]["left_knee"] == "mixamorig:LeftLeg"
    assert_same(rig, base, c)


def test_a_calibration_first_frame_is_dropped(rig, base, tmp_path):
    local = np.concatenate([np.broadcast_to(np.eye(3), (1,) + base["local"].shape[1:]), base["local"]])
    root = np.concatenate([base["root_pos"][:1], base["root_pos"]])
    c = convert_text(rig, emit(base["names"], base["parents"], base["offsets"], local, root, ["ZYX"] * len(base["names"])), tmp_path)
    assert c.report["calibration_frame_dropped"]
    assert_same(rig, base, c)


@pytest.mark.parametrize("family, names", [
    ("CMU", ["Hips", "LHipJoint", "LeftUpLeg", "LeftLeg", "LeftFoot", "LeftToeBase", "RHipJoint", "RightUpLeg", "RightLeg", "RightFoot",
             "RightToeBase", "LowerBack", "Spine", "Spine1", "Neck", "Neck1", "Head", "LeftShoulder", "LeftArm", "LeftForeArm", "LeftHand",
             "RightShoulder", "RightArm", "RightForeArm", "RightHand"]),
    ("Biovision", ["Hips", "LeftUpLeg", "LeftLowLeg", "LeftFoot", "RightUpLeg", "RightLowLeg", "RightFoot", "Chest", "LeftCollar",
                   "LeftUpArm", "LeftLowArm", "LeftHand", "RightCollar", "RightUpArm", "RightLowArm", "RightHand", "Neck", "Head"]),
    ("LaFAN1", ["Hips", "LeftUpLeg", "LeftLeg", "LeftFoot", "LeftToe", "RightUpLeg", "RightLeg", "RightFoot", "RightToe", "Spine",
                "Spine1", "Spine2", "Neck", "Head", "LeftShoulder", "LeftArm", "LeftForeArm", "LeftHand", "RightShoulder", "RightArm",
                "RightForeArm", "RightHand"]),
])  # fmt: skip
def test_skeleton_families_are_recognised_by_name(family, names):
    roles, found = recognise(tuple(names), [-1] + [0] * (len(names) - 1), "f.bvh")
    assert found == family
    by = {r: names[i] for r, i in roles.items()}
    upper = {"CMU": "LeftArm", "Biovision": "LeftUpArm", "LaFAN1": "LeftArm"}[family]
    knee = {"CMU": "LeftLeg", "Biovision": "LeftLowLeg", "LaFAN1": "LeftLeg"}[family]
    assert by["left_shoulder"] == upper and by["left_knee"] == knee and by["hips"] == "Hips" and by["neck"] == "Neck"


# --------------------------------------------------------------- the real file
def test_the_cmu_walk_converts_within_the_quality_bars(rig):
    r = convert_bvh(CMU, rig).report
    assert r["skeleton"] == "CMU" and r["up_axis"] == "y" and r["calibration_frame_dropped"] and r["loop"] == "none"
    assert abs(r["scale_m_per_unit"] - 0.0564) < 0.002  # the leg: ~0.84 m
    assert r["penetration_m"] >= -0.01 and r["floating_m"] <= 0.02
    assert r["skating_m_s"] <= 1.2 * r["source_skating_m_s"]
    assert max(r["limb_direction_error_deg"].values()) <= 3.0
    assert sum(r["hinge_frames_clamped"].values()) == 0 and r["quaternion_sign_flips"] == 0 and r["max_joint_speed_rad_s"] < 30


# --------------------------------------------------------------- bad input
GOOD = ("HIERARCHY\nROOT Hips\n{\n OFFSET 0 0 0\n CHANNELS 6 Xposition Yposition Zposition Zrotation Yrotation Xrotation\n"
        " End Site\n {\n  OFFSET 0 1 0\n }\n}\n")


@pytest.mark.parametrize("text, problem", [
    ("hello, world\n", "not a BVH file"),
    (GOOD, "no MOTION block"),
    (GOOD + "MOTION\nFrames: 3\nFrame Time: 0.01\n0 0 0 0 0 0\n0 0 0 0 0 0\n", "header says 3 frames"),
    (GOOD + "MOTION\nFrames: 2\nFrame Time: 0.01\n0 0 0 0 0\n0 0 0 0 0\n", "the channel count does not match"),
    (GOOD + "MOTION\nFrames: 1\nFrame Time: 0.01\n0 0 nan 0 0 0\n", "frame 0 holds NaN"),
    (GOOD + "MOTION\nFrames: 0\nFrame Time: 0.01\n", "zero frames"),
])  # fmt: skip
def test_bad_bvh_is_one_line_naming_the_problem(text, problem):
    with pytest.raises(BvhError, match=problem):
        parse_bvh(text, "x.bvh")


def imitate(*args):
    return subprocess.run([str(Path(sys.executable).with_name("imitate")), *map(str, args)], capture_output=True, text=True, timeout=300)


def test_the_command_line_refuses_bad_files_in_one_line(tmp_path):
    bad = tmp_path / "truncated.bvh"
    bad.write_text(CMU.read_text()[:200_000])
    unknown = tmp_path / "robot.bvh"
    unknown.write_text(GOOD + "MOTION\nFrames: 1\nFrame Time: 0.01\n0 0 0 0 0 0\n")
    mapping = tmp_path / "map.json"
    mapping.write_text(json.dumps({"left_knee": "Knee_L"}))
    for args, problem in [((bad,), "frames of 96 channels"), ((unknown,), "skeleton not recognised"),
                          ((CMU, "--map", mapping), "the map names joints the file lacks: left_knee='Knee_L'")]:  # fmt: skip
        out = imitate("convert", *args, "-o", tmp_path / "x.txt")
        assert out.returncode == 2 and out.stderr.count("\n") == 1 and problem in out.stderr, out.stderr


def test_convert_writes_a_clip_and_a_clip_converts_to_bvh(tmp_path):
    out = imitate("convert", CMU, "--character", "humanoid", "-o", tmp_path / "walk.txt")
    assert out.returncode == 0, out.stderr
    for figure in ("CMU skeleton", "scale 0.056", "up axis y", "120 fps -> 60 fps", "loop: none", "median lowest", "skating"):
        assert figure in out.stdout
    assert imitate("motions", "--check", tmp_path / "walk.txt").returncode == 0
    back = imitate("convert", "run.txt", "-o", tmp_path / "run.bvh")
    assert back.returncode == 0 and read_bvh(tmp_path / "run.bvh").num_frames >= 48  # 0.8 s at 60 fps
