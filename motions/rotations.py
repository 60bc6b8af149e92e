"""Quaternion math on numpy arrays.

Convention, stated once for the whole package: quaternions are stored
**x, y, z, w** (PyBullet's order). DeepMimic clip files store w, x, y, z;
the loader converts at the file boundary (`from_wxyz`). The world is y-up,
as in DeepMimic clips and PyBullet's DeepMimic port.

Every function broadcasts over leading dimensions: shapes are written as
[..., 4] for quaternions and [..., 3] for vectors.
"""

from __future__ import annotations

import math

import numpy as np

IDENTITY = np.array([0.0, 0.0, 0.0, 1.0])


def from_wxyz(q: np.ndarray) -> np.ndarray:
    """[..., 4] w,x,y,z -> [..., 4] x,y,z,w."""
    return np.concatenate([q[..., 1:4], q[..., :1]], axis=-1)


def to_wxyz(q: np.ndarray) -> np.ndarray:
    """[..., 4] x,y,z,w -> [..., 4] w,x,y,z."""
    return np.concatenate([q[..., 3:4], q[..., :3]], axis=-1)


def quat_normalize(q: np.ndarray) -> np.ndarray:
    """[..., 4] -> [..., 4] unit quaternions (input must have non-zero norm)."""
    return q / np.linalg.norm(q, axis=-1, keepdims=True)


def quat_conj(q: np.ndarray) -> np.ndarray:
    """[..., 4] -> [..., 4]; the inverse of a unit quaternion."""
    return q * np.array([-1.0, -1.0, -1.0, 1.0])


def _hamilton_table() -> np.ndarray:
    """T [16,4] with quat_mul(a, b) = (a outer b).reshape(16) @ T, x,y,z,w order."""
    t = np.zeros((4, 4, 4))
    x, y, z, w = range(4)
    for i, terms in enumerate(
        [
            [(w, x, 1), (x, w, 1), (y, z, 1), (z, y, -1)],
            [(w, y, 1), (x, z, -1), (y, w, 1), (z, x, 1)],
            [(w, z, 1), (x, y, 1), (y, x, -1), (z, w, 1)],
            [(w, w, 1), (x, x, -1), (y, y, -1), (z, z, -1)],
        ]
    ):
        for j, k, sign in terms:
            t[j, k, i] = sign
    return t.reshape(16, 4)


_HAMILTON = _hamilton_table()


def quat_mul(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Hamilton product a*b: rotation b first, then a. [..., 4] x [..., 4] -> [..., 4].

    One outer product and one matrix product (few numpy calls: this runs every control step)."""
    outer = np.asarray(a)[..., :, None] * np.asarray(b)[..., None, :]
    return outer.reshape(*outer.shape[:-2], 16) @ _HAMILTON


def quat_rotate(q: np.ndarray, v: np.ndarray) -> np.ndarray:
    """Rotate vectors v by unit quaternions q. [..., 4], [..., 3] -> [..., 3]."""
    x, y, z, w = q[..., 0], q[..., 1], q[..., 2], q[..., 3]
    vx, vy, vz = v[..., 0], v[..., 1], v[..., 2]
    # t = 2 u x v; v' = v + w t + u x t  (written out: np.cross is slow on small arrays)
    tx = 2.0 * (y * vz - z * vy)
    ty = 2.0 * (z * vx - x * vz)
    tz = 2.0 * (x * vy - y * vx)
    return np.stack(
        [vx + w * tx + (y * tz - z * ty), vy + w * ty + (z * tx - x * tz), vz + w * tz + (x * ty - y * tx)],
        axis=-1,
    )


def quat_canonical(q: np.ndarray) -> np.ndarray:
    """Flip sign so that w >= 0 (q and -q are the same rotation). [..., 4] -> [..., 4]."""
    return np.where(q[..., 3:4] < 0.0, -q, q)


def quat_to_rotvec(q: np.ndarray) -> np.ndarray:
    """Unit quaternion -> rotation vector (axis * angle, angle in [0, pi]). [..., 4] -> [..., 3]."""
    q = quat_canonical(q)
    s = np.linalg.norm(q[..., :3], axis=-1, keepdims=True)
    angle = 2.0 * np.arctan2(s, q[..., 3:4])
    # angle / sin(angle/2) -> 2 as s -> 0; use the series to stay finite.
    scale = np.where(s > 1e-8, angle / np.maximum(s, 1e-12), 2.0 + (angle**2) / 12.0)
    return q[..., :3] * scale


def rotvec_to_quat(v: np.ndarray) -> np.ndarray:
    """Rotation vector -> unit quaternion. [..., 3] -> [..., 4]."""
    v = np.asarray(v, dtype=float)
    angle = np.sqrt(np.add.reduce(v * v, axis=-1, keepdims=True))
    half = 0.5 * angle
    out = np.empty((*v.shape[:-1], 4))
    # sin(half)/angle -> 0.5 - angle^2/48 as angle -> 0, which is 0.5 in float64 below 1e-8
    out[..., :3] = v * np.where(angle > 1e-8, np.sin(half) / np.maximum(angle, 1e-12), 0.5)
    out[..., 3:] = np.cos(half)
    return out


def quat_angle(q: np.ndarray) -> np.ndarray:
    """Rotation angle of unit quaternions, in [0, pi]. [..., 4] -> [...]."""
    return np.linalg.norm(quat_to_rotvec(q), axis=-1)


def axis_angle_to_quat(axis: np.ndarray, angle: np.ndarray) -> np.ndarray:
    """Axis (any length; zero means identity) and angle -> unit quaternion.

    Shapes: axis [..., 3], angle [...] -> [..., 4].
    """
    norm = np.linalg.norm(axis, axis=-1, keepdims=True)
    unit = np.where(norm > 1e-9, axis / np.maximum(norm, 1e-12), 0.0)
    half = 0.5 * np.asarray(angle)[..., None]
    q = np.concatenate([unit * np.sin(half), np.cos(half)], axis=-1)
    return np.where(norm > 1e-9, q, IDENTITY)


def slerp(q0: np.ndarray, q1: np.ndarray, t: np.ndarray | float) -> np.ndarray:
    """Spherical linear interpolation along the shorter arc.

    Shapes: q0, q1 [..., 4]; t scalar or [...] -> [..., 4] unit quaternions.
    """
    t = np.asarray(t, dtype=float)[..., None]
    dot = np.sum(q0 * q1, axis=-1, keepdims=True)
    q1 = np.where(dot < 0.0, -q1, q1)
    dot = np.abs(dot)
    theta = np.arccos(np.clip(dot, -1.0, 1.0))
    sin_theta = np.sin(theta)
    near = sin_theta < 1e-6
    safe = np.where(near, 1.0, sin_theta)
    w0 = np.where(near, 1.0 - t, np.sin((1.0 - t) * theta) / safe)
    w1 = np.where(near, t, np.sin(t * theta) / safe)
    return quat_normalize(w0 * q0 + w1 * q1)


def heading_angle(q: np.ndarray) -> np.ndarray:
    """Yaw about the y (up) axis of a root orientation. [..., 4] -> [...] radians.

    The heading is the direction the root's local x axis points in the ground
    plane: atan2(-x_dir.z, x_dir.x), as in DeepMimic.
    """
    x, y, z, w = q[..., 0], q[..., 1], q[..., 2], q[..., 3]
    # the rotated x axis is (1 - 2(y^2 + z^2), 2(xy + wz), 2(xz - wy))
    return np.arctan2(-2.0 * (x * z - w * y), 1.0 - 2.0 * (y * y + z * z))


def wrap_angle(a: np.ndarray | float) -> np.ndarray:
    """Angles to (-pi, pi]. [...] -> [...]."""
    return np.pi - np.mod(np.pi - np.asarray(a, dtype=float), 2.0 * np.pi)


def yaw_quat(angle: np.ndarray | float) -> np.ndarray:
    """Rotation by `angle` about the y axis. [...] -> [..., 4]."""
    half = 0.5 * np.asarray(angle, dtype=float)
    zeros = np.zeros_like(half)
    return np.stack([zeros, np.sin(half), zeros, np.cos(half)], axis=-1)


def yaw_matrix(angle: float) -> np.ndarray:
    """Rotation matrix of a yaw by `angle` about y: v' = R @ v. float -> [3,3].

    Rotating many vectors by one yaw is one matrix product (`v @ R.T`), an order
    of magnitude cheaper on small arrays than `quat_rotate` with a broadcast quaternion."""
    c, s = np.cos(angle), np.sin(angle)
    return np.array([[c, 0.0, s], [0.0, 1.0, 0.0], [-s, 0.0, c]])


def quat_left_matrix(a: np.ndarray) -> np.ndarray:
    """Matrix M with quat_mul(a, b) == M @ b (x,y,z,w order). [4] -> [4,4]."""
    x, y, z, w = a
    return np.array([[w, -z, y, x], [z, w, -x, y], [-y, x, w, z], [-x, -y, -z, w]])


def heading_rotation(root_quat: np.ndarray) -> np.ndarray:
    """Matrix M taking world vectors, as rows, into the heading frame of a root orientation:
    v_heading = v @ M, i.e. rotated by -heading_angle(root_quat). [..., 4] x,y,z,w -> [..., 3, 3]."""
    return heading_matrices(root_quat)[0]


def _yaw_basis() -> tuple[np.ndarray, ...]:
    """Constant rows with which the heading matrices are c*A + s*B + C (flattened 3x3) and ch*D + sh*E (4x4)."""
    a, b, c = np.zeros(9), np.zeros(9), np.zeros(9)
    a[[0, 8]] = 1.0
    b[2], b[6] = 1.0, -1.0
    c[4] = 1.0
    # columns of Q: the w, x, y, z rows of quat_left_matrix((0, sh, 0, ch))
    d, e = np.zeros(16), np.zeros(16)
    d[[1, 6, 11, 12]] = 1.0
    e[[3, 4]], e[[9, 14]] = -1.0, 1.0
    return a, b, c, d, e


_YAW_A, _YAW_B, _YAW_C, _YAW_D, _YAW_E = _yaw_basis()


def heading_matrices(root_quat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """heading_rotation(root_quat) [..., 3, 3], and Q [..., 4, 4] taking rotations, as rows x,y,z,w, into the
    same heading frame and to w,x,y,z order: q @ Q equals to_wxyz(quat_mul(yaw_quat(-heading), q)).
    Batched over the leading axes (the environments of a batch are rotated in one call)."""
    q = np.asarray(root_quat, dtype=float)
    lead = q.shape[:-1]
    if q.size <= 16:  # up to 4 quaternions: scalar math per row beats a dozen numpy calls on tiny arrays
        rots, qmats = [], []
        for x, y, z, w in q.reshape(-1, 4).tolist():
            h = math.atan2(-2.0 * (x * z - w * y), 1.0 - 2.0 * (y * y + z * z))
            c, s, ch, sh = math.cos(h), math.sin(h), math.cos(0.5 * h), math.sin(0.5 * h)
            rots.append((c, 0.0, s, 0.0, 1.0, 0.0, -s, 0.0, c))
            qmats.append((0.0, ch, 0.0, sh, sh, 0.0, ch, 0.0, 0.0, -sh, 0.0, ch, ch, 0.0, -sh, 0.0))
        return np.array(rots).reshape(*lead, 3, 3), np.array(qmats).reshape(*lead, 4, 4)
    h = heading_angle(q)[..., None]
    rot = np.cos(h) * _YAW_A + np.sin(h) * _YAW_B + _YAW_C
    qmat = np.cos(0.5 * h) * _YAW_D - np.sin(0.5 * h) * _YAW_E  # the half angle of -heading: cos(-h/2), sin(-h/2)
    return rot.reshape(*lead, 3, 3), qmat.reshape(*lead, 4, 4)


def continuous_sign(q: np.ndarray) -> np.ndarray:
    """Flip signs along a sequence of quaternions [N,4] so that neighbours have a positive dot product."""
    flips = np.concatenate([[1.0], np.sign(np.sum(q[1:] * q[:-1], axis=1) + 1e-300)])
    return q * np.cumprod(flips)[:, None]
