"""How good a converted clip is, measured on the character's own forward kinematics: pure functions on arrays."""

from __future__ import annotations

import numpy as np

CONTACT_M = 0.03  # a foot whose lowest point is this close to the ground is in contact
LIMBS = (("hip", "knee"), ("knee", "ankle"), ("shoulder", "elbow"), ("elbow", "wrist"))  # thigh, shin, upper arm, forearm


def ground_offset(sole_heights: np.ndarray) -> float:
    """How far to raise a clip so its lowest sole point just touches the ground, once for the whole clip
    (a jump stays a jump). sole_heights [F,P] -> metres (negative: lower it)."""
    return float(-sole_heights.min())


def sole_figures(sole_heights: np.ndarray) -> dict[str, float]:
    """penetration_m: the lowest sole point over the clip (below zero: into the ground); floating_m: the
    median over frames of each frame's lowest sole point. sole_heights [F,P]."""
    lowest = sole_heights.min(axis=1)
    return {"penetration_m": float(lowest.min()), "floating_m": float(np.median(lowest))}


def skating(foot_pos: np.ndarray, foot_low: np.ndarray, dt: float) -> float:
    """Mean horizontal speed (m/s) of feet in contact: foot_pos [F,K,3] (y up), foot_low [F,K] each foot's
    height above the ground; a foot is in contact in frames where foot_low < CONTACT_M. 0 without contact."""
    speed = np.linalg.norm(np.diff(foot_pos[:, :, [0, 2]], axis=0), axis=2) / dt  # [F-1,K]
    contact = (foot_low[1:] < CONTACT_M) & (foot_low[:-1] < CONTACT_M)
    return float(speed[contact].mean()) if contact.any() else 0.0


def limb_direction_errors(char_points: dict[str, np.ndarray], source_points: dict[str, np.ndarray]) -> dict[str, float]:
    """Largest angle (degrees) over frames and sides between the character's and the source's thigh, shin,
    upper-arm and forearm directions. Points: role -> [F,3]."""
    out = {}
    for a, b in LIMBS:
        worst = 0.0
        for side in ("left", "right"):
            u = char_points[f"{side}_{b}"] - char_points[f"{side}_{a}"]
            v = source_points[f"{side}_{b}"] - source_points[f"{side}_{a}"]
            cos = np.sum(u * v, axis=1) / (np.linalg.norm(u, axis=1) * np.linalg.norm(v, axis=1) + 1e-12)
            worst = max(worst, float(np.degrees(np.arccos(np.clip(cos, -1, 1))).max()))
        out[f"{a}-{b}"] = worst
    return out


def joint_speeds(quats: np.ndarray, dt: float) -> float:
    """Largest angular speed (rad/s) between neighbouring frames of local rotations quats [F,K,4] (x,y,z,w)."""
    dots = np.abs(np.sum(quats[1:] * quats[:-1], axis=-1))
    return float((2 * np.arccos(np.clip(dots, -1, 1))).max() / dt) if len(quats) > 1 else 0.0


def sign_flips(quats: np.ndarray) -> int:
    """Neighbouring frames whose quaternions [F,K,4] have a negative dot product (a sign flip)."""
    return int(np.sum(np.sum(quats[1:] * quats[:-1], axis=-1) < 0))
