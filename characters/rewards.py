"""DeepMimic's imitation reward and our tracking metrics, as pure functions.

All inputs are `CharacterState`s (sim and reference) plus index arrays; no
simulator access. Shapes: S spherical joints, R revolute joints, E end effectors, L links.
"""

from __future__ import annotations

import math

import numpy as np

from characters.config import RewardConfig
from characters.layout import JointLayout
from characters.state import CharacterState, add_batch_axis
from motions.rotations import heading_angle, heading_rotation, yaw_matrix

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
    """`imitation_errors` and `tracking_metrics` in one pass, for one character (see `batch_errors_and_metrics`)."""
    errors, metrics = batch_errors_and_metrics(add_batch_axis(sim), add_batch_axis(ref), layout, ee, cfg)
    return {k: float(v[0]) for k, v in errors.items()}, {k: float(v[0]) for k, v in metrics.items()}


def batch_errors_and_metrics(sim: CharacterState, ref: CharacterState, layout: JointLayout, ee: np.ndarray, cfg: RewardConfig,
                             headings: np.ndarray | None = None) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:  # fmt: skip
    """`imitation_errors` and `tracking_metrics` of N characters in one pass (the environment's step needs both).

    sim, ref: CharacterStates whose arrays carry a leading N axis (root_pos [N,3], link_pos [N,L,3], ...)
    -> ({error name: [N]}, {metric name: [N]}). Written for few numpy calls over the whole batch (tests
    check it against the plain functions in this file). The metrics also hold body_pos_err_max_m
    (the farthest link from its reference), which the pose-drift termination reads. headings [2N,3,3]:
    `heading_rotation` of the sim roots, then the reference roots, if the caller has them already."""
    sj, rj = sim.pose.joints, ref.pose.joints  # [N,D]
    sph = 2.0 * np.arccos(np.minimum(np.abs((sj * rj) @ layout.sph_sum.T), 1.0))  # [N,S] quaternion angles
    angles = np.concatenate([sph, np.abs((sj - rj)[:, layout.rev_pose])], axis=1)  # [N,S+R]: spherical, then revolute
    qs, qr = sim.pose.root_quat, ref.pose.root_quat
    root_rot2 = (2.0 * np.arccos(np.minimum(np.abs(np.einsum("ni,ni->n", qs, qr)), 1.0))) ** 2  # [N]
    pose = layout.root_weight * root_rot2 + (angles * angles) @ layout.rot_weight
    dv = sim.velocity.joints - ref.velocity.joints
    dw = sim.velocity.root_ang - ref.velocity.root_ang
    root_dw = np.einsum("ni,ni->n", dw, dw)
    velocity = layout.root_weight * root_dw + (dv * dv) @ layout.vel_weight
    sim_ee, ref_ee = sim.joint_pos[:, ee], ref.joint_pos[:, ee]  # [N,E,3]
    # end effectors in each root's heading frame, heights from the ground: subtract the root's x and z only
    n = len(qs)
    if headings is None:
        headings = heading_rotation(np.concatenate([qs, qr]))  # [2N,3,3]: sim, then reference
    d_hf = (sim_ee - (sim.pose.root_pos * _XZ)[:, None]) @ headings[:n] - (ref_ee - (ref.pose.root_pos * _XZ)[:, None]) @ headings[n:]
    dp, dvl = sim.pose.root_pos - ref.pose.root_pos, sim.velocity.root_lin - ref.velocity.root_lin
    root = (np.einsum("ni,ni->n", dp, dp) + cfg.root_rot_coef * root_rot2 + cfg.root_vel_coef * np.einsum("ni,ni->n", dvl, dvl)
            + cfg.root_ang_vel_coef * root_dw)  # fmt: skip
    dc = sim.com_vel - ref.com_vel
    errors = {"pose": pose, "velocity": velocity, "end_effector": np.einsum("nij,nij->n", d_hf, d_hf),
              "root": root, "com": cfg.com_vel_coef * np.einsum("ni,ni->n", dc, dc)}  # fmt: skip
    # distances of the end effectors [N,E] and the links [N,L] from the clip's
    d = np.concatenate([sim_ee - ref_ee, sim.link_pos - ref.link_pos], axis=1)
    dist = np.sqrt(np.einsum("nij,nij->ni", d, d))
    e = len(ee)
    body = dist[:, e:]
    metrics = {  # sums over counts: np.mean costs microseconds more per call
        "joint_rot_err_rad": angles.sum(axis=1) / angles.shape[1],
        "end_effector_err_m": dist[:, :e].sum(axis=1) / e,
        "body_pos_err_m": body.sum(axis=1) / body.shape[1],
        "body_pos_err_max_m": body.max(axis=1),
    }
    return errors, metrics


_XZ = np.array([1.0, 0.0, 1.0])


def _heading_frame(points: np.ndarray, pose) -> np.ndarray:
    """Points [E,3] in the world -> [E,3] relative to the root in its heading frame, y = height above the ground."""
    rel = (points - pose.root_pos) @ yaw_matrix(-float(heading_angle(pose.root_quat))).T
    rel[:, 1] = points[:, 1]
    return rel


def reward_terms(errors: dict, cfg: RewardConfig) -> dict:
    """exp(-scale * err) per term, each in (0, 1]; errors are floats or arrays [N] (then so are the terms)."""
    exp = math.exp if isinstance(errors["pose"], float) else np.exp
    return {
        "pose": exp(-cfg.pose_scale * errors["pose"]),
        "velocity": exp(-cfg.velocity_scale * errors["velocity"]),
        "end_effector": exp(-cfg.end_effector_scale * errors["end_effector"]),
        "root": exp(-cfg.root_scale * errors["root"]),
        "com": exp(-cfg.com_scale * errors["com"]),
    }


def total_reward(terms: dict, cfg: RewardConfig):
    """Weighted sum with weights normalized to 1: a reward in [0, 1] (float, or [N] for array terms)."""
    weighted = (cfg.pose_weight * terms["pose"] + cfg.velocity_weight * terms["velocity"] + cfg.end_effector_weight
                * terms["end_effector"] + cfg.root_weight * terms["root"] + cfg.com_weight * terms["com"])  # fmt: skip
    return weighted / (cfg.pose_weight + cfg.velocity_weight + cfg.end_effector_weight + cfg.root_weight + cfg.com_weight)


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
