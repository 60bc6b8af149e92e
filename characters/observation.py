"""DeepMimic's state vector, generated from the link list (no hard-coded indices).

Layout for a character with L links (the humanoid: L = 15, 197 values):

  offset        size  what
  0             1     phase of the reference clip, in [0, 1]
  1             1     root height above the ground (m)
  2 + 7*i       3     link i centre of mass relative to the root, heading frame (m)
  5 + 7*i       4     link i orientation in the heading frame, quaternion w,x,y,z with w >= 0
  2 + 7*L + 6*i 3     link i linear velocity, heading frame (m/s)
  5 + 7*L + 6*i 3     link i angular velocity, heading frame (rad/s)

The heading frame has its origin at the root, y up, and is rotated so the
root's heading (yaw of its x axis) is zero: the state does not change when the
character walks somewhere else or turns to face another way.
"""

from __future__ import annotations

import numpy as np

from motions.rotations import heading_angle, quat_left_matrix, yaw_matrix, yaw_quat


def observation_size(num_links: int) -> int:
    return 2 + 13 * num_links


def observation_layout(link_names: list[str]) -> list[tuple[str, int, int, str, str]]:
    """(name, offset, size, frame, units) of every block, for docs and the export sidecar."""
    n = len(link_names)
    rows = [("phase", 0, 1, "clip", "cycle fraction"), ("root_height", 1, 1, "world", "m")]
    for i, name in enumerate(link_names):
        rows.append((f"{name}.position", 2 + 7 * i, 3, "heading", "m"))
        rows.append((f"{name}.rotation_wxyz", 5 + 7 * i, 4, "heading", "quaternion"))
    for i, name in enumerate(link_names):
        rows.append((f"{name}.linear_velocity", 2 + 7 * n + 6 * i, 3, "heading", "m/s"))
        rows.append((f"{name}.angular_velocity", 5 + 7 * n + 6 * i, 3, "heading", "rad/s"))
    return rows


def build_observation(phase: float, root_pos: np.ndarray, root_quat: np.ndarray, links: np.ndarray) -> np.ndarray:
    """The state vector.

    Shapes: root_pos [3], root_quat [4] x,y,z,w, links [L,>=13] rows of
    (com position 3, orientation x,y,z,w 4, linear velocity 3, angular velocity 3)
    -> [2 + 13L] float32.
    """
    n = links.shape[0]
    yaw = -float(heading_angle(root_quat))
    vectors = np.concatenate([links[:, 0:3] - root_pos, links[:, 7:10], links[:, 10:13]])  # [3L, 3]
    rotated = vectors @ yaw_matrix(yaw).T
    quat = links[:, 3:7] @ quat_left_matrix(yaw_quat(yaw)).T
    quat *= np.where(quat[:, 3:4] < 0.0, -1.0, 1.0)  # w >= 0
    out = np.empty(2 + 13 * n, dtype=np.float32)
    out[0], out[1] = phase, root_pos[1]
    pose_part = out[2 : 2 + 7 * n].reshape(n, 7)
    pose_part[:, 0:3] = rotated[:n]
    pose_part[:, 3] = quat[:, 3]
    pose_part[:, 4:7] = quat[:, 0:3]
    vel_part = out[2 + 7 * n :].reshape(n, 6)
    vel_part[:, 0:3] = rotated[n : 2 * n]
    vel_part[:, 3:6] = rotated[2 * n :]
    return out
