"""Which links may touch the ground: read from the clip's own kinematics.

DeepMimic lists the links allowed to touch the ground by hand, per clip (feet for
a walk, hands too for a cartwheel, most of the body for a get-up). Here the list
comes from the reference: the character is posed as the clip on a grid of times
over the clip, and a link may touch the ground when the clip brings it within
`CONTACT_TOLERANCE_M` of the ground at some time. The character's own
ground-contact links (its feet) may always touch. Where the clip sinks another
body part into the ground (a lying pose), the tolerance at that time grows by
the depth, at most doubling: the body, which cannot sink, lies differently by
as much (a get-up from the back rests its pelvis 4.6 cm up while its shoulder
is 3 cm under; bench/RESULTS.md, "The clip library", levers tried). Any other contact is
contact the reference does not make: a fall.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import pybullet as pb

CONTACT_TOLERANCE_M = 0.04  # a link the clip brings this close to the ground may touch it (crawl's right hand: 2.7 cm)
CONTACT_REACH_M = 0.3  # clearances are measured up to this height, above twice the tolerance (the most a link may touch from)
CONTACT_SAMPLE_HZ = 60.0  # clip poses per second that the clearance is measured on


def allowed_ground_links(clearance: np.ndarray, always: np.ndarray, tolerance_m: float = CONTACT_TOLERANCE_M) -> np.ndarray:
    """Links that may touch the ground: clearance [T,K] (each link's distance to the ground in the clip's pose at
    T times; negative inside it), always [K] bool (links that may always touch) -> [K] bool: those that may
    always touch, and those the clip brings within tolerance_m of the ground at some time. Where the clip sinks
    a body part other than those into the ground (a lying pose), the body, which cannot sink, lies
    differently by as much: at that time the tolerance grows by the depth, up to tolerance_m (a limb sunk
    deeper, a crawl's knee at its loop seam, does not lower the rest of the body)."""
    sunk = np.clip(-clearance[:, ~always].min(axis=1, initial=np.inf), 0.0, tolerance_m)  # [T]
    return always | ((clearance - sunk[:, None]).min(axis=0) <= tolerance_m)


def reference_clearance(body_id: int, plane_id: int, client: int, set_pose: Callable[[object], None], poses: Sequence[object],
                        num_links: int, reach_m: float) -> np.ndarray:  # fmt: skip
    """Each link's distance to the ground [T,K] (column 0 the base, link j at column j+1) with the body posed
    at each of T poses by `set_pose(pose)`; reach_m where a link is farther from the ground than reach_m."""
    out = np.full((len(poses), num_links + 1), reach_m)
    for t, pose in enumerate(poses):
        set_pose(pose)
        for p in pb.getClosestPoints(body_id, plane_id, reach_m, physicsClientId=client):
            k = p[3] + 1
            out[t, k] = min(out[t, k], p[8])
    return out
