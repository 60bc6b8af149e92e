"""A gait family: a walk and a run (or any slow and fast looping gaits) and the gaits between them, tabulated.

The reference of a steered controller that follows a commanded speed. `motions.blend` makes LEVELS cycles
from the slowest clip (blend 0) to the fastest (blend 1), aligned by phase; each is tabulated as a
`ReferenceMotion`, and a lookup at blend b mixes the two nearest levels at the same fraction of their cycles.
Time is the slowest clip's: a "clip time" t means the phase t / T0 of every level (T0 the slowest clip's
cycle), so an environment steps its clip time by rate(b) / control_hz, rate(b) = T0 / T(b), and the
levels' velocities stay physical.
"""

from __future__ import annotations

import numpy as np

from characters.kinematics import KinematicTree
from characters.reference import ReferenceMotion
from characters.state import CharacterState, map_arrays
from motions.blend import blend_cycle, phase_offset
from motions.clip import Clip

LEVELS = 9  # tabulated blends, 0, 1/8, ..., 1: between two neighbours a lookup mixes them linearly


class GaitFamily:
    """Two looping gaits and the blends between them: `states_at(times, blends)` as `ReferenceMotion.states_at`."""

    def __init__(self, slow: Clip, fast: Clip, tree: KinematicTree, table_hz: float = 240.0, levels: int = LEVELS) -> None:
        self.clip, self.tree, self.table_hz = slow, tree, table_hz
        self.offset = phase_offset(slow, fast)  # the fast clip's phase that matches the slow one's start
        weights = np.linspace(0.0, 1.0, levels)
        self.cycles = [blend_cycle(slow, fast, w, self.offset) for w in weights]
        self.refs = [ReferenceMotion(c, tree, table_hz) for c in self.cycles]
        self.period = slow.duration  # clip time is the slowest clip's
        self.durations = np.array([c.duration for c in self.cycles])  # [K] seconds per cycle of each level
        offsets = np.array([c.cycle_offset for c in self.cycles])
        self.paces = np.hypot(offsets[:, 0], offsets[:, 2]) / self.durations  # [K] m/s
        if np.any(np.diff(self.paces) <= 0):
            raise ValueError(f"{fast.source}: the blends between {slow.name} and {fast.name} do not speed up steadily "
                             f"(paces {np.round(self.paces, 2).tolist()} m/s)")  # fmt: skip
        self._quat_cols = self.refs[0].quat_cols
        self._recent: dict[tuple[float, float], CharacterState] = {}

    def _levels(self, blends: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(lower level k [N], fraction toward k + 1 [N]) of blends [N] in [0, 1]."""
        x = np.clip(np.asarray(blends, dtype=float), 0.0, 1.0) * (len(self.refs) - 1)
        k = np.minimum(x.astype(int), len(self.refs) - 2)
        return k, x - k

    def rate(self, blends: np.ndarray) -> np.ndarray:
        """Clip time per second at blends [N]: T0 / T(b), T(b) mixed from the two nearest levels' cycles."""
        k, f = self._levels(blends)
        return self.period / ((1 - f) * self.durations[k] + f * self.durations[k + 1])

    def pace(self, blends: np.ndarray) -> np.ndarray:
        """The blends' travel speeds [N] (m/s), mixed from the two nearest levels'."""
        k, f = self._levels(blends)
        return (1 - f) * self.paces[k] + f * self.paces[k + 1]

    def blend_for_pace(self, speeds: np.ndarray) -> np.ndarray:
        """The blends [N] that travel at speeds [N] (clipped to the slowest and fastest level)."""
        levels = np.linspace(0.0, 1.0, len(self.refs))
        return np.interp(speeds, self.paces, levels)

    def states_at(self, times: np.ndarray, blends: np.ndarray | None = None) -> CharacterState:
        """The reference at clip times [N] (the phase times / T0 of each level) and blends [N] (None: 0)."""
        t = np.asarray(times, dtype=float)
        k, f = self._levels(np.zeros(len(t)) if blends is None else blends)
        phase = t / self.period
        rows = None
        for level in np.unique(k).tolist():
            at = np.flatnonzero(k == level)
            lo = self.refs[level].rows_at(phase[at] * self.durations[level])
            hi = self.refs[level + 1].rows_at(phase[at] * self.durations[level + 1])
            q_lo, q_hi = lo[:, self._quat_cols], hi[:, self._quat_cols]  # the same rotation may carry either sign
            hi[:, self._quat_cols] = np.where(np.einsum("nqi,nqi->nq", q_lo, q_hi)[..., None] < 0, -q_hi, q_hi)
            mixed = lo + f[at, None] * (hi - lo)
            if rows is None:
                rows = np.empty((len(t), mixed.shape[1]))
            rows[at] = mixed
        return self.refs[0].state_from_rows(rows)

    def state_at(self, t: float, blend: float = 0.0) -> CharacterState:
        """One time and blend; cached like `ReferenceMotion.state_at` (do not modify the result)."""
        key = (t, blend)
        state = self._recent.get(key)
        if state is None:
            if len(self._recent) >= 8:
                self._recent.clear()
            state = self._recent[key] = map_arrays(self.states_at(np.array([t]), np.array([blend])), lambda a: a[0])
        return state
