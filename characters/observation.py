"""DeepMimic's state vector, generated from the link list (no hard-coded indices).

Layout for a character with L observed bodies: its links in PyBullet order, after the base when the
base itself is the clip's root (the humanoid: its 15 links, the root one of them, 197 values; the
Laikago: its chassis and 16 links, 223 values before the clip's upcoming poses):

  offset        size  what
  0             1     phase of the reference clip, in [0, 1]
  1             1     root height above the ground (m)
  2 + 7*i       3     body i centre of mass relative to the root, heading frame (m)
  5 + 7*i       4     body i orientation in the heading frame, quaternion w,x,y,z with w >= 0
  2 + 7*L + 6*i 3     body i linear velocity, heading frame (m/s)
  5 + 7*L + 6*i 3     body i angular velocity, heading frame (rad/s)

With `EnvConfig.reference_obs_steps = (k1, k2, ...)` the clip's pose k control
steps ahead follows, K = len(reference_obs_steps) blocks of 7R values, R = the
observed links (`EnvConfig.reference_obs_links`, in link order; all L by default):

  2 + 13*L + 7*R*j + 7*i   3  clip link i at t + k_j/control_hz, relative to the
                              character's root, the character's heading frame (m)
  5 + 13*L + 7*R*j + 7*i   4  its orientation in the character's heading frame (w,x,y,z, w >= 0)

(where the character should be, seen from where it is: the drift from the clip
is in these numbers too). Off by default: DeepMimic's state has the phase only.

The heading frame has its origin at the root, y up, and is rotated so the
root's heading (yaw of its x axis) is zero: the state does not change when the
character walks somewhere else or turns to face another way.
"""

from __future__ import annotations

import numpy as np

from motions.rotations import heading_matrices


def observation_size(num_links: int, num_reference_frames: int = 0, num_reference_links: int | None = None) -> int:
    """Values in the observation; the upcoming clip poses cover every link unless num_reference_links says fewer."""
    r = num_links if num_reference_links is None else num_reference_links
    return 2 + 13 * num_links + 7 * r * num_reference_frames


def observation_layout(link_names: list[str], reference_steps: tuple[int, ...] = (),
                       reference_links: tuple[str, ...] = ()) -> list[tuple[str, int, int, str, str]]:  # fmt: skip
    """(name, offset, size, frame, units) of every block, for docs and the export sidecar."""
    n = len(link_names)
    observed = [name for name in link_names if not reference_links or name in reference_links]
    rows = [("phase", 0, 1, "clip", "cycle fraction"), ("root_height", 1, 1, "world", "m")]
    for i, name in enumerate(link_names):
        rows.append((f"{name}.position", 2 + 7 * i, 3, "heading", "m"))
        rows.append((f"{name}.rotation_wxyz", 5 + 7 * i, 4, "heading", "quaternion"))
    for i, name in enumerate(link_names):
        rows.append((f"{name}.linear_velocity", 2 + 7 * n + 6 * i, 3, "heading", "m/s"))
        rows.append((f"{name}.angular_velocity", 5 + 7 * n + 6 * i, 3, "heading", "rad/s"))
    for j, k in enumerate(reference_steps):
        base = 2 + 13 * n + 7 * len(observed) * j
        for i, name in enumerate(observed):
            rows.append((f"clip+{k}.{name}.position", base + 7 * i, 3, "heading", "m"))
            rows.append((f"clip+{k}.{name}.rotation_wxyz", base + 3 + 7 * i, 4, "heading", "quaternion"))
    return rows


def reference_features(root_pos: np.ndarray, root_quat: np.ndarray, link_pos: np.ndarray, link_quat: np.ndarray,
                       heading: tuple[np.ndarray, np.ndarray] | None = None) -> np.ndarray:  # fmt: skip
    """The clip's upcoming poses seen from the character.

    Shapes: root_pos [N,3], root_quat [N,4] x,y,z,w of the simulated roots; link_pos [N,K,L,3],
    link_quat [N,K,L,4] x,y,z,w of the clip at K future times -> [N,7LK] float32
    (per frame, per link: position relative to the root, rotation w,x,y,z; heading frame).
    heading: `heading_matrices(root_quat)` if the caller has them already.
    Without the leading N axis in every input, the output has none either.
    """
    if root_pos.ndim == 1:
        return reference_features(root_pos[None], root_quat[None], link_pos[None], link_quat[None])[0]
    n, k, L = link_pos.shape[:3]
    rot, qmat = heading_matrices(root_quat) if heading is None else heading  # [N,3,3], [N,4,4]
    pos = (link_pos.reshape(n, k * L, 3) - root_pos[:, None, :]) @ rot
    quat = link_quat.reshape(n, k * L, 4) @ qmat
    quat *= np.where(quat[..., :1] < 0.0, -1.0, 1.0)
    return np.concatenate([pos, quat], axis=2).astype(np.float32).reshape(n, k * L * 7)


def build_observations(phase: np.ndarray, root_pos: np.ndarray, root_quat: np.ndarray, links: np.ndarray,
                       heading: tuple[np.ndarray, np.ndarray] | None = None) -> np.ndarray:  # fmt: skip
    """The state vectors of N characters.

    Shapes: phase [N], root_pos [N,3], root_quat [N,4] x,y,z,w, links [N,L,>=13] rows of
    (com position 3, orientation x,y,z,w 4, linear velocity 3, angular velocity 3)
    -> [N, 2 + 13L] float32. heading: `heading_matrices(root_quat)` if the caller has them already.
    """
    n, L = links.shape[:2]
    rot, qmat = heading_matrices(root_quat) if heading is None else heading
    block = np.zeros((n, 13, 13))  # one product per character turns every link row into the heading frame
    block[:, 0:3, 0:3] = block[:, 7:10, 7:10] = block[:, 10:13, 10:13] = rot
    block[:, 3:7, 3:7] = qmat
    rows = links[:, :, :13] @ block  # [N,L,13]: position, rotation w,x,y,z, linear and angular velocity
    rows[:, :, 0:3] -= root_pos[:, None, :] @ rot
    rows[:, :, 3:7] *= np.where(rows[:, :, 3:4] < 0.0, -1.0, 1.0)
    out = np.empty((n, 2 + 13 * L), dtype=np.float32)
    out[:, 0], out[:, 1] = phase, root_pos[:, 1]
    out[:, 2 : 2 + 7 * L].reshape(n, L, 7)[:] = rows[:, :, 0:7]
    out[:, 2 + 7 * L :].reshape(n, L, 6)[:] = rows[:, :, 7:13]
    return out


def build_observation(phase: float, root_pos: np.ndarray, root_quat: np.ndarray, links: np.ndarray) -> np.ndarray:
    """The state vector of one character: `build_observations` without the leading axis
    (root_pos [3], root_quat [4], links [L,>=13] -> [2 + 13L] float32)."""
    return build_observations(np.array([phase]), root_pos[None], root_quat[None], links[None])[0]
