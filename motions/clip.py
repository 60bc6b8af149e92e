"""The motion clip container: keyframes and how to read them, nothing else.

Interpolation lives in `motions.interpolate`; file parsing in `motions.loading`.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np


class ClipError(ValueError):
    """A clip that cannot be used. `str()` is one line: '<file>: <problem>'."""

    def __init__(self, source: str, problem: str) -> None:
        super().__init__(f"{source}: {problem}")
        self.source = source
        self.problem = problem


@dataclass(frozen=True, eq=False)
class Clip:
    """Keyframes of one motion, in the character's joint order.

    Shapes (F keyframes, D = sum(joint_dofs)):
      durations [F]   seconds from keyframe i to i+1 (the last entry is unused)
      root_pos  [F,3] world position of the root, metres, y up
      root_quat [F,4] world orientation of the root, x,y,z,w
      joints    [F,D] per joint in order: 4 values (local quaternion x,y,z,w)
                      for a spherical joint, 1 value (radians) for a revolute one
    joint_dofs: values per joint in `joints` (4 or 1), e.g. the humanoid's 12 joints.
    file_format: the file format it was read from ("DeepMimic", "motion_imitation", "BVH").
    advance_per_cycle: a looping clip's root moves on by `cycle_offset` each cycle (else it comes back).
    """

    name: str
    source: str
    loop: bool
    durations: np.ndarray
    root_pos: np.ndarray
    root_quat: np.ndarray
    joints: np.ndarray
    joint_dofs: tuple[int, ...]
    file_format: str = "DeepMimic"
    advance_per_cycle: bool = True

    @property
    def num_frames(self) -> int:
        return int(self.durations.shape[0])

    @property
    def frame_times(self) -> np.ndarray:
        """[F] time of each keyframe from the start of the clip."""
        return np.concatenate([[0.0], np.cumsum(self.durations[:-1])])

    @cached_property  # read every control step (the phase); a Clip's keyframes are not changed after loading
    def duration(self) -> float:
        """Length of one pass (one cycle for a looping clip), seconds."""
        return float(np.sum(self.durations[:-1]))

    @property
    def cycle_offset(self) -> np.ndarray:
        """[3] root displacement per loop cycle: first-to-last keyframe, horizontal only.

        The vertical component is zero so that repeated cycles neither sink
        nor float (DeepMimic does the same); non-looping clips have none.
        """
        if not self.loop or not self.advance_per_cycle:
            return np.zeros(3)
        delta = self.root_pos[-1] - self.root_pos[0]
        return np.array([delta[0], 0.0, delta[2]])
