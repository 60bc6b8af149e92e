"""What a clip is like, as training reads it: its loop seam and how far it travels and turns per cycle.

`imitate motions --check CLIP` reports these beside what the environment derives from the clip (the links
that may touch the ground, whether mirror images apply, how an episode ends), so a user sees why a clip
might be hard before training it. Pure functions of the reference's link positions.
"""

from __future__ import annotations

import numpy as np

from characters.reference import ReferenceMotion
from motions.clip import Clip
from motions.rotations import heading_angle, wrap_angle

SEAM_JUMP_RATIO = 1.5  # a seam step this many times the clip's own 95th-percentile step is a jump in the reference


def link_steps(link_pos: np.ndarray) -> np.ndarray:
    """The largest distance any link moves from one time to the next: link_pos [T,L,3] -> [T-1] metres."""
    return np.linalg.norm(np.diff(link_pos, axis=0), axis=-1).max(axis=-1)


def seam_step(reference: ReferenceMotion, duration: float, dt: float) -> tuple[float, float]:
    """(the largest link move over one step of dt across a looping clip's seam, the 95th percentile of the same
    move over the rest of the clip), metres. A seam far above the clip's own steps is a jump in the reference."""
    seam = link_steps(reference.states_at(np.array([duration - dt / 2, duration + dt / 2])).link_pos)[0]
    times = np.arange(dt, duration - dt, dt)
    inside = link_steps(reference.states_at(times).link_pos)
    return float(seam), float(np.percentile(inside, 95))


def turn_per_cycle(clip: Clip) -> float:
    """Radians the root's heading turns from the first keyframe to the last (a looping clip snaps back by as much
    at its seam: cycles add the root's travel, not its turn, as in DeepMimic)."""
    return float(wrap_angle(heading_angle(clip.root_quat[-1]) - heading_angle(clip.root_quat[0])))
