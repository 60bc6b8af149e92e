"""The reference character: a clip tabulated once, then read in microseconds.

Sampling a clip (slerp, finite differences, forward kinematics) costs about a
millisecond per time in numpy; the environment needs it every control step. So
the clip is sampled once over one cycle on a uniform grid (`table_hz`, default
the physics rate) with exact interpolation and kinematics, and looked up by
linear interpolation between the two nearest grid rows (quaternions
renormalized). Loop cycles add `clip.cycle_offset` to every position.
"""

from __future__ import annotations

import numpy as np

from characters.kinematics import KinematicTree, center_of_mass, link_frames
from characters.state import CharacterState, map_arrays
from motions.clip import Clip
from motions.interpolate import Pose, PoseVelocity, pose_at, velocity_at
from motions.rotations import continuous_sign


class ReferenceMotion:
    """A clip on a character, tabulated for fast lookup."""

    def __init__(self, clip: Clip, tree: KinematicTree, table_hz: float = 240.0) -> None:
        self.clip = clip
        self.tree = tree
        self.table_hz = table_hz
        self.period = clip.duration
        # rows on a uniform grid over [0, period), plus one row at the very end of
        # the cycle (the last keyframe), so no interval straddles a loop seam
        grid = int(np.ceil(self.period * table_hz))
        times = np.concatenate([np.arange(grid) / table_hz, [self.period * (1.0 - 1e-12)]])
        rows = grid + 1
        self._grid = grid
        pose, vel = pose_at(clip, times), velocity_at(clip, times)
        link_pos, link_quat, joint_pos = link_frames(tree, pose.root_pos, pose.root_quat, pose.joints)
        # neighbouring rows must hold quaternions of the same sign, or interpolating between them fails
        root_quat = continuous_sign(pose.root_quat)
        joints = pose.joints.copy()
        for c, d in zip(np.cumsum([0, *clip.joint_dofs[:-1]]), clip.joint_dofs, strict=True):
            if d == 4:
                joints[:, c : c + 4] = continuous_sign(joints[:, c : c + 4])
        link_quat = np.stack([continuous_sign(link_quat[:, i]) for i in range(tree.num_links)], axis=1)
        h = 0.5 / table_hz
        com = [center_of_mass(tree, p.root_pos, link_frames(tree, p.root_pos, p.root_quat, p.joints)[0]) for p in
               (pose_at(clip, times - h), pose_at(clip, times + h))]  # fmt: skip
        com_vel = (com[1] - com[0]) / (2 * h)
        L = tree.num_links
        parts = [pose.root_pos, root_quat, joints, vel.root_lin, vel.root_ang, vel.joints,
                 link_pos.reshape(rows, -1), link_quat.reshape(rows, -1), joint_pos.reshape(rows, -1), com_vel]  # fmt: skip
        sizes = [p.shape[1] for p in parts]
        edges = np.cumsum([0] + sizes)
        self._slices = [slice(a, b) for a, b in zip(edges[:-1], edges[1:], strict=True)]
        self._table = np.concatenate(parts, axis=1)
        self._num_links = L
        # columns to add the cycle offset to: root position, link and joint positions (x,y,z triples)
        offset_row = np.zeros(edges[-1])
        offset_row[self._slices[0]] = clip.cycle_offset
        offset_row[self._slices[6]] = np.tile(clip.cycle_offset, L)
        offset_row[self._slices[8]] = np.tile(clip.cycle_offset, L)
        self._offset_row = offset_row
        starts = [c for c, d in zip(np.cumsum([0, *clip.joint_dofs[:-1]]), clip.joint_dofs, strict=True) if d == 4]
        joint_quat_cols = [edges[2] + c + np.arange(4) for c in starts]
        link_quat_cols = [edges[7] + 4 * i + np.arange(4) for i in range(L)]
        # every quaternion in a row (root, spherical joints, links), renormalized together after interpolation
        self._quat_cols = np.array([edges[1] + np.arange(4), *joint_quat_cols, *link_quat_cols], dtype=int)  # [Q,4]
        # per row i: the change to row i + 1, and 1 / (its interval in grid steps) (1 but for the last, shorter one)
        self._delta = self._table[1:] - self._table[:-1]
        self._row_scale = 1.0 / ((times[1:] - times[:-1]) * table_hz)
        self._recent: dict[float, CharacterState] = {}  # the env asks for the same times more than once per step

    def state_at(self, t: float, blend: float = 0.0) -> CharacterState:
        """The reference at time t (seconds from the clip start). Do not modify the result: it is cached.
        (`blend`: one clip, ignored; see `characters.gait_family`.)"""
        state = self._recent.get(t)
        if state is None:
            if len(self._recent) >= 8:
                self._recent.clear()
            state = self._recent[t] = map_arrays(self.states_at(np.array([t])), lambda a: a[0])
        return state

    def states_at(self, times: np.ndarray, blends: np.ndarray | None = None) -> CharacterState:
        """The reference at N times [N] (seconds from the clip start), as one CharacterState whose
        arrays carry a leading N axis: root_pos [N,3], link_pos [N,L,3], ... (`blends`: one clip, ignored)."""
        return self.state_from_rows(self.rows_at(times))

    def rows_at(self, times: np.ndarray) -> np.ndarray:
        """Table rows [N,C] at N times, quaternions not yet renormalized (`state_from_rows` does)."""
        t = np.asarray(times, dtype=float)
        if self.clip.loop:
            cycle = np.floor(t / self.period)
            local = t - cycle * self.period
        else:
            cycle = np.zeros_like(t)
            local = np.clip(t, 0.0, self.period)
        steps = local * self.table_hz
        i = np.minimum(steps.astype(int), self._grid - 1)
        f = np.clip((steps - i) * self._row_scale[i], 0.0, 1.0)[:, None]
        rows = self._table[i] + f * self._delta[i]  # [N,C]
        if cycle.any():
            rows += cycle[:, None] * self._offset_row
        s = self._slices
        if not self.clip.loop:
            done = t >= self.period
            if done.any():
                for k in (3, 4, 5, 9):  # past the end of a one-shot clip: the last pose, at rest
                    rows[done, s[k]] = 0.0
        return rows

    @property
    def quat_cols(self) -> np.ndarray:
        """[Q,4] the columns of every quaternion in a row (root, spherical joints, links)."""
        return self._quat_cols

    def state_from_rows(self, rows: np.ndarray) -> CharacterState:
        """Rows [N,C] (this table's layout) as a CharacterState, every quaternion renormalized."""
        q = rows[:, self._quat_cols]  # [N,Q,4]
        rows[:, self._quat_cols] = q / np.sqrt(np.einsum("nqi,nqi->nq", q, q))[..., None]
        s = self._slices
        n, L = len(rows), self._num_links
        return CharacterState(
            pose=Pose(rows[:, s[0]], rows[:, s[1]], rows[:, s[2]]),
            velocity=PoseVelocity(rows[:, s[3]], rows[:, s[4]], rows[:, s[5]]),
            link_pos=rows[:, s[6]].reshape(n, L, 3),
            link_quat=rows[:, s[7]].reshape(n, L, 4),
            joint_pos=rows[:, s[8]].reshape(n, L, 3),
            com_vel=rows[:, s[9]],
        )
