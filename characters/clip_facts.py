"""What a clip is like, as training reads it: its loop seam, how far it travels and turns per cycle, and how fast it
turns its feet while they stand on the ground.

`imitate motions --check CLIP` reports these beside what the environment derives from the clip (the links
that may touch the ground, whether mirror images apply, how an episode ends), so a user sees why a clip
might be hard before training it. Pure functions of the reference's link positions and orientations.
"""

from __future__ import annotations

import numpy as np

from characters.reference import ReferenceMotion
from motions.clip import Clip
from motions.rotations import heading_angle, quat_conj, quat_mul, quat_to_rotvec, wrap_angle

SEAM_JUMP_RATIO = 1.5  # a seam step this many times the clip's own 95th-percentile step is a jump in the reference
FOOT_DOWN_M = 0.02  # a foot whose lowest point is this close to the ground stands on it


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


def turn_on_ground(link_quat: np.ndarray, clearance: np.ndarray, dt: float, down_m: float = FOOT_DOWN_M) -> np.ndarray:
    """How fast links turn about the vertical while they stand on the ground, averaged over the clip.

    link_quat [T,K,4] (x, y, z, w) and clearance [T,K] (metres from the ground) of K links at T times dt apart
    -> [K] radians per second: each step's rotation about the vertical (y), summed over the steps that start and
    end within down_m of the ground, divided by the clip's length (T-1)*dt. A foot turns on the ground by
    pivoting on a point of its sole (the humanoid's ball or heel), by tipping onto an edge, or by sliding."""
    steps = quat_to_rotvec(quat_mul(link_quat[1:], quat_conj(link_quat[:-1])))[..., 1]  # [T-1,K] world-frame yaw steps
    down = (clearance[:-1] <= down_m) & (clearance[1:] <= down_m)
    return np.abs(np.where(down, steps, 0.0)).sum(axis=0) / ((len(link_quat) - 1) * dt)
