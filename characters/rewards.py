"""DeepMimic's imitation reward and our tracking metrics, as pure functions.

All inputs are `CharacterState`s (sim and reference) plus index arrays; no
simulator access. Shapes: S spherical joints, R revolute joints, E end effectors, L links.
"""

from __future__ import annotations

import numpy as np

from characters.config import RewardConfig
from characters.layout import JointLayout
from characters.state import CharacterState
from motions.rotations import heading_angle, yaw_matrix

TERMS = ("pose", "velocity", "end_effector", "root", "com")


def quat_diff_angle(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Angle of the rotation between unit quaternions. [...,4], [...,4] -> [...] in [0, pi]."""
    dot = np.abs(np.sum(a * b, axis=-1))
    return 2.0 * np.arccos(np.minimum(dot, 1.0))


def joint_angle_errors(sim: CharacterState, ref: CharacterState, layout: JointLayout) -> tuple[np.ndarray, np.ndarray]:
    """Per-joint rotation error in radians: spherical [S], revolute [R]."""
    sph = quat_diff_angle(sim.pose.joints[layout.sph_pose], ref.pose.joints[layout.sph_pose])
    rev = np.abs(sim.pose.joints[layout.rev_pose] - ref.pose.joints[layout.rev_pose])
    return sph, rev


def end_effector_positions(state: CharacterState, ee: np.ndarray) -> np.ndarray:
    """End-effector joint positions relative to the root, in the root's heading frame,
    with the height measured from the ground (y = 0). ee [E] link indices -> [E,3]."""
    rel = (state.joint_pos[ee] - state.pose.root_pos) @ yaw_matrix(-float(heading_angle(state.pose.root_quat))).T
    rel[:, 1] = state.joint_pos[ee, 1]
    return rel


def imitation_errors(sim: CharacterState, ref: CharacterState, layout: JointLayout, ee: np.ndarray, cfg: RewardConfig) -> dict[str, float]:
    """The five squared errors that DeepMimic's reward kernels take."""
    return errors_and_metrics(sim, ref, layout, ee, cfg)[0]


def errors_and_metrics(sim: CharacterState, ref: CharacterState, layout: JointLayout, ee: np.ndarray,
                       cfg: RewardConfig) -> tuple[dict[str, float], dict[str, float]]:  # fmt: skip
    """`imitation_errors` and `tracking_metrics` in one pass (the environment's step needs both)."""
    sph, rev = joint_angle_errors(sim, ref, layout)
    root_rot = float(quat_diff_angle(sim.pose.root_quat, ref.pose.root_quat))
    pose = layout.root_weight * root_rot**2 + layout.sph_weight @ sph**2 + layout.rev_weight @ rev**2
    dv = sim.velocity.joints - ref.velocity.joints
    root_dw = float(np.sum((sim.velocity.root_ang - ref.velocity.root_ang) ** 2))
    velocity = (
        layout.root_weight * root_dw
        + layout.sph_weight @ np.sum(dv[layout.sph_vel] ** 2, axis=1)
        + layout.rev_weight @ dv[layout.rev_vel] ** 2
    )
    ee_err = float(np.sum((end_effector_positions(sim, ee) - end_effector_positions(ref, ee)) ** 2))
    root = (
        float(np.sum((sim.pose.root_pos - ref.pose.root_pos) ** 2))
        + cfg.root_rot_coef * root_rot**2
        + cfg.root_vel_coef * float(np.sum((sim.velocity.root_lin - ref.velocity.root_lin) ** 2))
        + cfg.root_ang_vel_coef * root_dw
    )
    com = cfg.com_vel_coef * float(np.sum((sim.com_vel - ref.com_vel) ** 2))
    errors = {"pose": float(pose), "velocity": float(velocity), "end_effector": ee_err, "root": root, "com": com}
    return errors, _metrics(sim, ref, sph, rev, ee)


def reward_terms(errors: dict[str, float], cfg: RewardConfig) -> dict[str, float]:
    """exp(-scale * err) per term, each in (0, 1]."""
    scales = {"pose": cfg.pose_scale, "velocity": cfg.velocity_scale, "end_effector": cfg.end_effector_scale,
              "root": cfg.root_scale, "com": cfg.com_scale}  # fmt: skip
    return {k: float(np.exp(-scales[k] * errors[k])) for k in TERMS}


def total_reward(terms: dict[str, float], cfg: RewardConfig) -> float:
    """Weighted sum with weights normalized to 1: a reward in [0, 1]."""
    weights = {"pose": cfg.pose_weight, "velocity": cfg.velocity_weight, "end_effector": cfg.end_effector_weight,
               "root": cfg.root_weight, "com": cfg.com_weight}  # fmt: skip
    return sum(weights[k] * terms[k] for k in TERMS) / sum(weights.values())


def tracking_metrics(sim: CharacterState, ref: CharacterState, layout: JointLayout, ee: np.ndarray) -> dict[str, float]:
    """Human-readable tracking errors.

    joint_rot_err_rad: mean joint rotation error over actuated joints;
    end_effector_err_m: mean end-effector position error (world frame);
    body_pos_err_m: mean link position error (world frame), the success metric.
    """
    sph, rev = joint_angle_errors(sim, ref, layout)
    return _metrics(sim, ref, sph, rev, ee)


def _metrics(sim: CharacterState, ref: CharacterState, sph: np.ndarray, rev: np.ndarray, ee: np.ndarray) -> dict[str, float]:
    d_ee, d_body = sim.joint_pos[ee] - ref.joint_pos[ee], sim.link_pos - ref.link_pos
    return {
        "joint_rot_err_rad": float((sph.sum() + rev.sum()) / (sph.size + rev.size)),
        "end_effector_err_m": float(np.sqrt(np.einsum("ij,ij->i", d_ee, d_ee)).mean()),
        "body_pos_err_m": float(np.sqrt(np.einsum("ij,ij->i", d_body, d_body)).mean()),
    }
