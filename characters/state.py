"""What rewards and observations read about a character, simulated or reference."""

from __future__ import annotations

from collections.abc import Callable
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
    A batch of N characters is one CharacterState whose arrays carry a leading N axis.
    """

    pose: Pose
    velocity: PoseVelocity
    link_pos: np.ndarray
    link_quat: np.ndarray
    joint_pos: np.ndarray
    com_vel: np.ndarray


def map_arrays(state: CharacterState, fn: Callable[[np.ndarray], np.ndarray]) -> CharacterState:
    """The state with `fn` applied to every array (to index, slice or add a batch axis)."""
    pose, vel = state.pose, state.velocity
    return CharacterState(Pose(fn(pose.root_pos), fn(pose.root_quat), fn(pose.joints)),
                          PoseVelocity(fn(vel.root_lin), fn(vel.root_ang), fn(vel.joints)),
                          fn(state.link_pos), fn(state.link_quat), fn(state.joint_pos), fn(state.com_vel))  # fmt: skip


def add_batch_axis(state: CharacterState) -> CharacterState:
    """The same state as a batch of one: every array gets a leading axis of size 1."""
    return map_arrays(state, lambda a: a[None])
