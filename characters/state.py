"""What rewards and observations read about a character, simulated or reference."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from motions.interpolate import Pose, PoseVelocity


@dataclass(frozen=True)
class CharacterState:
    """A character at one instant, world frame, y up.

    pose, velocity: clip layout (see motions.interpolate).
    link_pos [L,3], link_quat [L,4] (x,y,z,w): every link's inertial frame;
    joint_pos [L,3]: link frame origins (where each link's parent joint sits);
    com_vel [3]: whole-body centre-of-mass velocity.
    """

    pose: Pose
    velocity: PoseVelocity
    link_pos: np.ndarray
    link_quat: np.ndarray
    joint_pos: np.ndarray
    com_vel: np.ndarray
