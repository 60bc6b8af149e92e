import numpy as np
import pytest

from motions.rotations import (
    axis_angle_to_quat,
    from_wxyz,
    heading_angle,
    heading_matrices,
    heading_rotation,
    quat_angle,
    quat_conj,
    quat_left_matrix,
    quat_mul,
    quat_rotate,
    quat_to_rotvec,
    rotvec_to_quat,
    slerp,
    to_wxyz,
    yaw_matrix,
    yaw_quat,
)


def random_quats(n, seed=0):
    q = np.random.default_rng(seed).normal(size=(n, 4))
    return q / np.linalg.norm(q, axis=1, keepdims=True)


def test_rotate_90_about_y_sends_x_to_minus_z():
    q = axis_angle_to_quat(np.array([0.0, 1.0, 0.0]), np.pi / 2)
    assert np.allclose(quat_rotate(q, np.array([1.0, 0.0, 0.0])), [0.0, 0.0, -1.0])


def test_mul_composes_b_then_a():
    a = axis_angle_to_quat(np.array([0.0, 0.0, 1.0]), np.pi / 2)
    b = axis_angle_to_quat(np.array([1.0, 0.0, 0.0]), np.pi / 2)
    v = np.array([0.0, 1.0, 0.0])
    assert np.allclose(quat_rotate(quat_mul(a, b), v), quat_rotate(a, quat_rotate(b, v)))


def test_rotvec_round_trip_and_angle():
    q = random_quats(200)
    v = quat_to_rotvec(q)
    assert np.all(np.linalg.norm(v, axis=1) <= np.pi + 1e-9)
    back = rotvec_to_quat(v)
    assert np.allclose(np.abs(np.sum(back * q, axis=1)), 1.0)
    assert quat_angle(axis_angle_to_quat(np.array([0.0, 0.0, 2.0]), 0.3)) == pytest.approx(0.3)


def test_rotvec_small_angles_stay_finite():
    v = np.array([1e-12, 0.0, 0.0])
    assert np.allclose(quat_to_rotvec(rotvec_to_quat(v)), v, atol=1e-15)


def test_slerp_endpoints_midpoint_and_unit_norm():
    q0, q1 = random_quats(500, 1), random_quats(500, 2)
    t = np.random.default_rng(3).uniform(size=500)
    out = slerp(q0, q1, t)
    assert np.allclose(np.linalg.norm(out, axis=1), 1.0, atol=1e-12)
    assert np.allclose(np.abs(np.sum(slerp(q0, q1, 0.0) * q0, axis=1)), 1.0)
    assert np.allclose(np.abs(np.sum(slerp(q0, q1, 1.0) * q1, axis=1)), 1.0)
    a = axis_angle_to_quat(np.array([0.0, 1.0, 0.0]), 0.0)
    b = axis_angle_to_quat(np.array([0.0, 1.0, 0.0]), 1.0)
    assert quat_angle(slerp(a, b, 0.25)) == pytest.approx(0.25)


def test_slerp_takes_the_short_arc():
    a = axis_angle_to_quat(np.array([0.0, 1.0, 0.0]), 0.1)
    b = -axis_angle_to_quat(np.array([0.0, 1.0, 0.0]), 0.3)  # same rotation as +, other sign
    assert quat_angle(slerp(a, b, 0.5)) == pytest.approx(0.2)


def test_wxyz_conversion_and_conjugate():
    q = np.array([0.5, 0.5, 0.5, 0.5])  # w,x,y,z file order
    assert np.allclose(to_wxyz(from_wxyz(q)), q)
    r = random_quats(10)
    assert np.allclose(quat_mul(r, quat_conj(r)), [0, 0, 0, 1])


def test_heading_of_a_yaw_is_the_yaw():
    for yaw in (-2.0, -0.5, 0.0, 1.0, 3.0):
        assert heading_angle(yaw_quat(yaw)) == pytest.approx(yaw)


def test_matrix_forms_match_the_quaternion_functions():
    rng = np.random.default_rng(4)
    v = rng.normal(size=(20, 3))
    for angle in (-2.5, 0.0, 0.7, 3.1):
        assert np.allclose(v @ yaw_matrix(angle).T, quat_rotate(yaw_quat(angle), v), atol=1e-12)
    a = rng.normal(size=4)
    a /= np.linalg.norm(a)
    b = rng.normal(size=(20, 4))
    assert np.allclose(b @ quat_left_matrix(a).T, quat_mul(a, b), atol=1e-12)


def test_heading_matrices_undo_the_heading():
    """v @ heading_rotation(r) and q @ heading_matrices(r)[1] equal rotating by -heading with quaternions."""
    rng = np.random.default_rng(5)
    v = rng.normal(size=(10, 3))
    q = random_quats(10, seed=6)
    for r in random_quats(6, seed=7):
        inverse_heading = yaw_quat(-heading_angle(r))
        assert np.allclose(v @ heading_rotation(r), quat_rotate(inverse_heading, v), atol=1e-12)
        rot, qmat = heading_matrices(r)
        assert np.array_equal(rot, heading_rotation(r))
        assert np.allclose(q @ qmat, to_wxyz(quat_mul(inverse_heading, q)), atol=1e-12)
        # the root itself ends up with zero heading
        assert heading_angle(from_wxyz(r @ qmat)) == pytest.approx(0.0, abs=1e-12)


@pytest.mark.parametrize("shape", [(2,), (3, 5)])
def test_heading_matrices_of_a_batch_equal_one_by_one(shape):
    """Small batches take a scalar path, large ones numpy: every row equals the single-quaternion result."""
    quats = random_quats(int(np.prod(shape)), seed=8).reshape(*shape, 4)
    rot, qmat = heading_matrices(quats)
    assert rot.shape == (*shape, 3, 3) and qmat.shape == (*shape, 4, 4)
    for index in np.ndindex(*shape):
        one_rot, one_qmat = heading_matrices(quats[index])
        assert np.allclose(rot[index], one_rot, atol=1e-12) and np.allclose(qmat[index], one_qmat, atol=1e-12)
