"""DeepMimic's imitation reward and our tracking metrics, as pure functions.

All inputs are `CharacterState`s (sim and reference) plus index arrays; no
simulator access. Shapes: S spherical joints, R revolute joints, E end effectors, L links.
"""

from __future__ import annotations

import math

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
    return _heading_frame(state.joint_pos[ee], state.pose)


def imitation_errors(sim: CharacterState, ref: CharacterState, layout: JointLayout, ee: np.ndarray, cfg: RewardConfig) -> dict[str, float]:
    """The five squared errors that DeepMimic's reward kernels take."""
    return errors_and_metrics(sim, ref, layout, ee, cfg)[0]


def errors_and_metrics(sim: CharacterState, ref: CharacterState, layout: JointLayout, ee: np.ndarray,
                       cfg: RewardConfig) -> tuple[dict[str, float], dict[str, float]]:  # fmt: skip
    """`imitation_errors` and `tracking_metrics` in one pass (the environment's step needs both).

    Written for few numpy calls: this runs once per control step and is most of the
    environment's Python time. The metrics also hold body_pos_err_max_m (the farthest
    link from its reference), which the pose-drift termination reads."""
    sj, rj = sim.pose.joints, ref.pose.joints
    dot = np.abs(np.einsum("ij,ij->i", sj[layout.sph_pose], rj[layout.sph_pose]))
    sph = 2.0 * np.arccos(np.minimum(dot, 1.0))
    rev = np.abs(sj[layout.rev_pose] - rj[layout.rev_pose])
    root_rot = 2.0 * math.acos(min(abs(float(sim.pose.root_quat @ ref.pose.root_quat)), 1.0))
    pose = layout.root_weight * root_rot**2 + float(layout.sph_weight @ (sph * sph)) + float(layout.rev_weight @ (rev * rev))
    dv = sim.velocity.joints - ref.velocity.joints
    dw = sim.velocity.root_ang - ref.velocity.root_ang
    root_dw = float(dw @ dw)
    velocity = layout.root_weight * root_dw + float(layout.vel_weight @ (dv * dv))
    sim_ee, ref_ee = sim.joint_pos[ee], ref.joint_pos[ee]
    ee_err = float(np.sum((_heading_frame(sim_ee, sim.pose) - _heading_frame(ref_ee, ref.pose)) ** 2))
    dp, dvl = sim.pose.root_pos - ref.pose.root_pos, sim.velocity.root_lin - ref.velocity.root_lin
    root = float(dp @ dp) + cfg.root_rot_coef * root_rot**2 + cfg.root_vel_coef * float(dvl @ dvl) + cfg.root_ang_vel_coef * root_dw
    dc = sim.com_vel - ref.com_vel
    com = cfg.com_vel_coef * float(dc @ dc)
    errors = {"pose": pose, "velocity": velocity, "end_effector": ee_err, "root": root, "com": com}
    d_ee, d_body = sim_ee - ref_ee, sim.link_pos - ref.link_pos
    body = np.sqrt(np.einsum("ij,ij->i", d_body, d_body))
    metrics = {
        "joint_rot_err_rad": float((sph.sum() + rev.sum()) / (sph.size + rev.size)),
        "end_effector_err_m": float(np.sqrt(np.einsum("ij,ij->i", d_ee, d_ee)).mean()),
        "body_pos_err_m": float(body.mean()),
        "body_pos_err_max_m": float(body.max()),
    }
    return errors, metrics


def _heading_frame(points: np.ndarray, pose) -> np.ndarray:
    """Points [E,3] in the world -> [E,3] relative to the root in its heading frame, y = height above the ground."""
    rel = (points - pose.root_pos) @ yaw_matrix(-float(heading_angle(pose.root_quat))).T
    rel[:, 1] = points[:, 1]
    return rel


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
    return {
        "joint_rot_err_rad": float(np.mean(np.concatenate([sph, rev]))),
        "end_effector_err_m": float(np.mean(np.linalg.norm(sim.joint_pos[ee] - ref.joint_pos[ee], axis=1))),
        "body_pos_err_m": float(np.mean(np.linalg.norm(sim.link_pos - ref.link_pos, axis=1))),
    }
