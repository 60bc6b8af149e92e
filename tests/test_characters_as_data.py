"""Characters are data: the Laikago quadruped, a z-up clip in motor convention, and a third character
(a two-link hopper from a URDF written here) that joins without touching the environment."""

import json

import numpy as np
import pytest

from characters import get_character
from characters.env import ImitationEnv
from characters.spec import CharacterSpec, JointSpec
from imitate.cli import main
from motions import ClipError, load_clip, resolve_clip
from motions.clip_convention import ClipConvention

LAIKAGO = get_character("laikago")

HOPPER_URDF = """<?xml version="1.0"?>
<robot name="hopper">
  <link name="torso">
    <inertial><origin xyz="0 0 0"/><mass value="4"/><inertia ixx="0.02" iyy="0.02" izz="0.02" ixy="0" ixz="0" iyz="0"/></inertial>
    <collision><geometry><box size="0.3 0.1 0.1"/></geometry></collision>
  </link>
  <link name="thigh">
    <inertial><origin xyz="0 -0.2 0"/><mass value="1"/><inertia ixx="0.01" iyy="0.001" izz="0.01" ixy="0" ixz="0" iyz="0"/></inertial>
    <collision><origin xyz="0 -0.2 0"/><geometry><box size="0.05 0.4 0.05"/></geometry></collision>
  </link>
  <link name="shin">
    <inertial><origin xyz="0 -0.2 0"/><mass value="1"/><inertia ixx="0.01" iyy="0.001" izz="0.01" ixy="0" ixz="0" iyz="0"/></inertial>
    <collision><origin xyz="0 -0.2 0"/><geometry><box size="0.05 0.4 0.05"/></geometry></collision>
  </link>
  <joint name="hip" type="revolute"><parent link="torso"/><child link="thigh"/><origin xyz="0 -0.05 0"/>
    <axis xyz="0 0 1"/><limit lower="-1.5" upper="1.5" effort="100" velocity="10"/></joint>
  <joint name="knee" type="revolute"><parent link="thigh"/><child link="shin"/><origin xyz="0 -0.4 0"/>
    <axis xyz="0 0 1"/><limit lower="-2.5" upper="0" effort="100" velocity="10"/></joint>
</robot>
"""


def hopper_spec(urdf) -> CharacterSpec:
    joints = tuple(JointSpec(n, 1, 100.0, 10.0, 100.0, 1.0, (0.0,), (1.0,)) for n in ("thigh", "shin"))
    return CharacterSpec(name="hopper", urdf=str(urdf), global_scaling=1.0, root_link="torso", joints=joints, root_reward_weight=1.0,
                         end_effectors=("shin",), ground_contact_links=("shin",), clip_prefix="hopper_")  # fmt: skip


def hopper_clip(tmp_path, up_axis="y"):
    """A knee bend in place, 1 s, looping; the root 0.87 m up (the torso above a straight leg)."""
    frames = []
    for k in range(11):
        t = k / 10
        bend = 0.3 * np.sin(2 * np.pi * t)
        height = 0.87 - 0.2 * (1 - np.cos(abs(bend)))
        pos = [0.0, height, 0.0] if up_axis == "y" else [0.0, 0.0, height]
        quat = [1.0, 0.0, 0.0, 0.0] if up_axis == "y" else [np.sqrt(0.5), np.sqrt(0.5), 0.0, 0.0]  # w,x,y,z: y-up body in a z-up world
        frames.append([0.1, *pos, *quat, abs(bend), -2 * abs(bend)])
    path = tmp_path / f"hopper_bend_{up_axis}.txt"
    path.write_text(json.dumps({"Loop": "wrap", "Frames": frames}))
    return path


def test_a_third_character_resets_steps_and_is_rewarded(tmp_path):
    urdf = tmp_path / "hopper.urdf"
    urdf.write_text(HOPPER_URDF)
    env = ImitationEnv(hopper_spec(urdf), hopper_clip(tmp_path))
    # the base is the clip's root: it is observed before the two links (2 + 13 * 3 + 7 * 1 * 2 values)
    assert env.observed_link_names() == ["torso", "thigh", "shin"]
    assert env.observation_space.shape == (2 + 13 * 3 + 7 * 2,) and env.action_space.shape == (2,)
    obs, info = env.reset(seed=0, options={"start_time": 0.0})
    assert obs[1] == pytest.approx(0.87 + info["lift_m"], abs=1e-3)  # root height is observed
    rewards = []
    for _ in range(5):
        obs, reward, terminated, truncated, info = env.step(np.zeros(2))
        rewards.append(reward)
        assert not terminated
    assert 0.5 < min(rewards) <= max(rewards) <= 1.0
    assert set(info["reward_terms"]) == {"pose", "velocity", "end_effector", "root", "com"}


def test_a_z_up_clip_loads_turned_to_y_up(tmp_path):
    spec_y = ClipConvention()
    y = load_clip(hopper_clip(tmp_path, "y"), (1, 1), "hopper", spec_y)
    z = load_clip(hopper_clip(tmp_path, "z"), (1, 1), "hopper", ClipConvention(up_axis="z"))
    np.testing.assert_allclose(z.root_pos, y.root_pos, atol=1e-9)
    # the z-up file's root quaternion is the y-up body turned up: after loading it is the identity again
    np.testing.assert_allclose(np.abs(z.root_quat), np.abs(y.root_quat), atol=1e-9)


def test_laikago_clip_is_read_in_its_motor_convention():
    clip = load_clip(resolve_clip("walk.txt", LAIKAGO.clip_prefix), LAIKAGO.joint_dofs, "laikago", LAIKAGO.clip_convention)
    raw = np.array(json.loads(resolve_clip("laikago_walk.txt").read_text())["Frames"])
    # URDF angle = direction * motor angle + offset: FR abduction is reversed, hips move by -0.7, knees by +0.7
    np.testing.assert_allclose(clip.joints[:, 0], -raw[:, 8])
    np.testing.assert_allclose(clip.joints[:, 1], raw[:, 9] - 0.7)
    np.testing.assert_allclose(clip.joints[:, 2], raw[:, 10] + 0.7)
    # z up, x,y,z,w in the file: the root is 0.48 m up along y and the clip walks 0.27 m/s along the ground
    assert clip.root_pos[:, 1].mean() == pytest.approx(0.48, abs=0.01)
    speed = np.linalg.norm(clip.cycle_offset) / clip.duration
    assert speed == pytest.approx(0.27, abs=0.01) and clip.cycle_offset[1] == 0.0


def test_laikago_stands_on_its_toes_in_the_clip_pose():
    env = ImitationEnv("laikago", "laikago_walk.txt")
    toes = [env.body.link_index[n] for n in LAIKAGO.end_effectors]
    lowest = []
    for t in np.linspace(0.0, 1.25, 26):
        env.pose_as_clip(t)
        links = env.body.link_states()
        lowest.append(links[:, 1].min())
        assert links[toes, 1].min() == pytest.approx(links[:, 1].min())  # the toes are the lowest parts
    assert max(lowest) < 0.04  # some toe is always on the ground (a walk)
    assert env.observed_link_names()[0] == "chassis" and env.observation_space.shape == (2 + 13 * 17 + 7 * 2,)


def test_a_motion_imitation_file_loads_as_the_same_clip(tmp_path):
    raw = json.loads(resolve_clip("laikago_walk.txt").read_text())
    frames = [row[1:] for row in raw["Frames"]]
    step = raw["Frames"][0][0]
    path = tmp_path / "walk_mi.txt"
    path.write_text(json.dumps({"LoopMode": "Wrap", "FrameDuration": step, "EnableCycleOffsetPosition": True,
                                "EnableCycleOffsetRotation": False, "Frames": frames}))  # fmt: skip
    mine = load_clip(path, LAIKAGO.joint_dofs, "laikago", LAIKAGO.clip_convention)
    theirs = load_clip(resolve_clip("laikago_walk.txt"), LAIKAGO.joint_dofs, "laikago", LAIKAGO.clip_convention)
    assert (mine.file_format, theirs.file_format) == ("motion_imitation", "DeepMimic")
    assert mine.loop and mine.duration == pytest.approx(step * (len(frames) - 1))
    np.testing.assert_allclose(mine.joints, theirs.joints)
    np.testing.assert_allclose(mine.root_pos, theirs.root_pos)
    # without the position offset the loop comes back to where it started
    path.write_text(json.dumps({"LoopMode": "Wrap", "FrameDuration": step, "EnableCycleOffsetPosition": False, "Frames": frames}))
    assert not load_clip(path, LAIKAGO.joint_dofs, "laikago", LAIKAGO.clip_convention).cycle_offset.any()


@pytest.mark.parametrize("header, problem", [
    ({"LoopMode": "Bounce", "FrameDuration": 0.03}, '"LoopMode" must be "Wrap" or "Clamp"'),
    ({"LoopMode": "Wrap", "FrameDuration": -1}, '"FrameDuration" must be a positive number'),
    ({"LoopMode": "Wrap"}, '"FrameDuration" must be a positive number'),
    ({"LoopMode": "Wrap", "FrameDuration": 0.03, "EnableCycleOffsetPosition": "yes"}, '"EnableCycleOffsetPosition" must be true or false'),
])  # fmt: skip
def test_bad_motion_imitation_headers_are_one_line(tmp_path, header, problem):
    path = tmp_path / "bad.txt"
    frames = [row[1:] for row in json.loads(resolve_clip("laikago_walk.txt").read_text())["Frames"]]
    path.write_text(json.dumps({**header, "Frames": frames}))
    with pytest.raises(ClipError) as err:
        load_clip(path, LAIKAGO.joint_dofs, "laikago", LAIKAGO.clip_convention)
    assert problem in str(err.value) and str(path) in str(err.value) and "\n" not in str(err.value)


def test_a_turning_loop_with_a_rotation_offset_is_refused(tmp_path):
    frames = [row[1:] for row in json.loads(resolve_clip("laikago_walk.txt").read_text())["Frames"]]
    frames[-1][3:7] = [0.0, 0.0, np.sin(0.25), np.cos(0.25)]  # x,y,z,w: the last frame turned 29 degrees about z (up)
    path = tmp_path / "turn.txt"
    path.write_text(json.dumps({"LoopMode": "Wrap", "FrameDuration": 0.06, "EnableCycleOffsetRotation": True, "Frames": frames}))
    with pytest.raises(ClipError, match="EnableCycleOffsetRotation"):
        load_clip(path, LAIKAGO.joint_dofs, "laikago", LAIKAGO.clip_convention)


def test_cli_lists_and_checks_the_quadrupeds_clips(capsys):
    assert main(["motions", "--character", "laikago"]) == 0
    listed = capsys.readouterr().out
    assert "laikago_walk.txt" in listed and "humanoid3d_run.txt" not in listed
    assert main(["motions", "--check", "walk.txt", "--character", "laikago"]) == 0
    assert "DeepMimic format" in capsys.readouterr().out
    # the quadruped's clip on the humanoid: refused with the widths
    assert main(["motions", "--check", "laikago_walk.txt", "--character", "humanoid"]) == 2
    assert "needs 44" in capsys.readouterr().err


def test_bvh_retargeting_to_the_quadruped_is_refused_in_one_line(tmp_path, capsys):
    bvh = tmp_path / "take.bvh"
    bvh.write_text("HIERARCHY\n")  # never read: the character is refused first
    assert main(["convert", str(bvh), "--character", "laikago", "-o", str(tmp_path / "take.txt")]) == 2
    err = capsys.readouterr().err.strip()
    assert "BVH retargeting drives humanoid characters" in err and "'laikago' lacks chest" in err and "\n" not in err
