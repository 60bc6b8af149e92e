"""The humanoid as data, its PyBullet body, and our own forward kinematics."""

import numpy as np
import pybullet as pb
import pytest

from characters import get_character
from characters.body import SimCharacter
from characters.kinematics import center_of_mass, link_frames
from motions import load_clip, pose_at, resolve_clip, velocity_at
from motions.rotations import quat_conj, quat_mul, quat_to_rotvec

HUMANOID = get_character("humanoid")


@pytest.fixture(scope="module")
def body():
    client = pb.connect(pb.DIRECT)
    yield SimCharacter(HUMANOID, client)
    pb.disconnect(client)


def clip(name):
    return load_clip(resolve_clip(name, HUMANOID.clip_prefix), HUMANOID.joint_dofs, "humanoid")


def test_spec_matches_deepmimic_numbers():
    assert HUMANOID.pose_size == 43 and HUMANOID.action_size == 36
    gains = {j.name: (j.kp, j.kd, j.torque_limit_nm) for j in HUMANOID.joints}
    assert gains["chest"] == (1000, 100, 200) and gains["neck"] == (100, 10, 50)
    assert gains["right_knee"] == (500, 50, 150) and gains["left_ankle"] == (400, 40, 90)
    assert gains["right_shoulder"] == (400, 40, 100) and gains["left_elbow"] == (300, 30, 60)
    weights = np.array([HUMANOID.root_reward_weight] + [j.reward_weight for j in HUMANOID.joints])
    # PyBullet's port hard-codes the L1-normalized DiffWeights: root 0.20833, chest 0.10416, ...
    assert weights[0] / weights.sum() == pytest.approx(0.20833, abs=1e-5)
    assert weights[1] / weights.sum() == pytest.approx(0.10416, abs=1e-5)


def test_body_mass_is_45_kg(body):
    tree = body.kinematic_tree()
    assert tree.mass.sum() == pytest.approx(45.0)


def test_every_link_has_the_configured_friction():
    """The feet included: PyBullet silently put a link's friction on the base when one call also set damping."""
    client = pb.connect(pb.DIRECT)
    try:
        b = SimCharacter(HUMANOID, client, lateral_friction=0.9)
        frictions = [pb.getDynamicsInfo(b.body, j, physicsClientId=client)[1] for j in range(-1, b.num_links)]
        assert frictions == pytest.approx([0.9] * (b.num_links + 1))
    finally:
        pb.disconnect(client)


@pytest.mark.parametrize("name", ["run.txt", "walk.txt", "cartwheel.txt"])
def test_pose_round_trips_through_pybullet(body, name):
    c = clip(name)
    worst = 0.0
    for t in np.linspace(0.0, 2 * c.duration, 23):
        pose, vel = pose_at(c, t), velocity_at(c, t)
        body.set_pose(pose, vel)
        back, back_vel = body.get_pose()
        assert np.allclose(back.root_pos, pose.root_pos, atol=1e-9)
        col = 0
        for dofs in HUMANOID.joint_dofs:
            a, b = pose.joints[col : col + dofs], back.joints[col : col + dofs]
            err = np.linalg.norm(quat_to_rotvec(quat_mul(quat_conj(a), b))) if dofs == 4 else abs(a[0] - b[0])
            worst = max(worst, err)
            col += dofs
        assert np.allclose(back_vel.joints, vel.joints, atol=1e-9)
        assert np.allclose(back_vel.root_lin, vel.root_lin, atol=1e-9)
    assert worst < 1e-4


def test_our_kinematics_matches_pybullet(body):
    c = clip("cartwheel.txt")
    tree = body.kinematic_tree()
    batch = pose_at(c, np.linspace(0.0, c.duration, 5))
    batch_pos, _, _ = link_frames(tree, batch.root_pos, batch.root_quat, batch.joints)
    for k, t in enumerate(np.linspace(0.0, c.duration, 5)):
        pose = pose_at(c, t)
        assert np.allclose(batch_pos[k], link_frames(tree, pose.root_pos, pose.root_quat, pose.joints)[0])
    for t in np.linspace(0.0, c.duration, 17):
        pose = pose_at(c, t)
        body.set_pose(pose)
        states = body.link_states()
        pos, quat, joint_pos = states[:, 0:3], states[:, 3:7], states[:, 13:16]
        our_pos, our_quat, our_joint_pos = link_frames(tree, pose.root_pos, pose.root_quat, pose.joints)
        assert np.abs(our_pos - pos).max() < 1e-9
        assert np.abs(our_joint_pos - joint_pos).max() < 1e-6  # PyBullet returns link frames in float32
        assert np.allclose(np.abs(np.sum(our_quat * quat, axis=1)), 1.0, atol=1e-9)
        base_pos = np.array(pb.getBasePositionAndOrientation(body.body, physicsClientId=body.client)[0])
        com = center_of_mass(tree, base_pos, pos)
        assert np.all(np.isfinite(com)) and com[1] > 0.0
