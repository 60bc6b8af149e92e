"""DeepMimic's imitation reward and our tracking metrics, as pure functions.

All inputs are `CharacterState`s (sim and reference) plus index arrays; no
simulator access. Shapes: S spherical joints, R revolute joints, E end effectors, L links.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

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
    (the farthest link from its reference), which the pose-drift termination reads, and that link's index,
    body_pos_err_max_link. headings [2N,3,3]:
    `heading_rotation` of the sim roots, then the reference roots, if the caller has them already."""
    sj, rj = sim.pose.joints, ref.pose.joints  # [N,D]
    qs, qr = sim.pose.root_quat, ref.pose.root_quat  # [N,4]
    n, e, L = len(qs), len(ee), sim.link_pos.shape[1]
    w = _weights(layout, cfg, e, L)
    # every rotation error [N,S+1+R]: the spherical joints and the root as quaternion angles, then the revolute joints
    dots = np.concatenate([(sj * rj) @ layout.sph_sum.T, np.einsum("ni,ni->n", qs, qr)[:, None]], axis=1)
    angles = np.concatenate([2.0 * np.arccos(np.minimum(np.abs(dots), 1.0)), np.abs((sj - rj)[:, layout.rev_pose])], axis=1)
    squares = angles * angles
    root_rot2 = squares[:, len(layout.sph_pose)]  # [N]
    # the plain differences [N,4,3]: root position, root linear and angular velocity, centre-of-mass velocity
    d = np.stack([sim.pose.root_pos - ref.pose.root_pos, sim.velocity.root_lin - ref.velocity.root_lin,
                  sim.velocity.root_ang - ref.velocity.root_ang, sim.com_vel - ref.com_vel], axis=1)  # fmt: skip
    d2 = np.einsum("nki,nki->nk", d, d)  # [N,4] their squared lengths
    dv = sim.velocity.joints - ref.velocity.joints
    sim_ee, ref_ee = sim.joint_pos[:, ee], ref.joint_pos[:, ee]  # [N,E,3]
    # end effectors in each root's heading frame, heights from the ground: subtract the root's x and z only
    if headings is None:
        headings = heading_rotation(np.concatenate([qs, qr]))  # [2N,3,3]: sim, then reference
    d_hf = (sim_ee - (sim.pose.root_pos * _XZ)[:, None]) @ headings[:n] - (ref_ee - (ref.pose.root_pos * _XZ)[:, None]) @ headings[n:]
    errors = {"pose": squares @ w.pose, "velocity": layout.root_weight * d2[:, 2] + (dv * dv) @ layout.vel_weight,
              "end_effector": np.einsum("nij,nij->n", d_hf, d_hf), "root": d2 @ w.root + cfg.root_rot_coef * root_rot2,
              "com": cfg.com_vel_coef * d2[:, 3]}  # fmt: skip
    # distances of the end effectors [N,E] and the links [N,L] from the clip's
    gaps = np.concatenate([sim_ee - ref_ee, sim.link_pos - ref.link_pos], axis=1)
    dist = np.sqrt(np.einsum("nij,nij->ni", gaps, gaps))
    means = dist @ w.distance_means  # [N,2]: end effectors, links
    metrics = {
        "joint_rot_err_rad": angles @ w.joint_mean,
        "end_effector_err_m": means[:, 0],
        "body_pos_err_m": means[:, 1],
        "body_pos_err_max_m": dist[:, e:].max(axis=1),
        "body_pos_err_max_link": dist[:, e:].argmax(axis=1).astype(float),  # its link index (PyBullet's)
    }
    return errors, metrics


_XZ = np.array([1.0, 0.0, 1.0])


@dataclass(frozen=True, eq=False)
class _ErrorWeights:
    """Constant vectors with which `batch_errors_and_metrics` sums in one product each.

    pose [S+1+R]: the rotation weights of the spherical joints, the root's, then the revolute joints';
    joint_mean [S+1+R]: 1/(S+R) on the joints, 0 on the root; root [4]: the root term's weights of the
    squared root position, linear velocity, angular velocity and centre-of-mass velocity errors;
    distance_means [E+L,2]: the means of the end-effector and of the link distances."""

    pose: np.ndarray
    joint_mean: np.ndarray
    root: np.ndarray
    distance_means: np.ndarray


@functools.lru_cache(maxsize=16)
def _weights(layout: JointLayout, cfg: RewardConfig, e: int, num_links: int) -> _ErrorWeights:
    s = len(layout.sph_pose)
    joints = len(layout.rot_weight)
    joint_mean = np.full(joints + 1, 1.0 / joints)
    joint_mean[s] = 0.0
    means = np.zeros((e + num_links, 2))
    means[:e, 0], means[e:, 1] = 1.0 / e, 1.0 / num_links
    return _ErrorWeights(
        pose=np.concatenate([layout.sph_weight, [layout.root_weight], layout.rev_weight]),
        joint_mean=joint_mean,
        root=np.array([1.0, cfg.root_vel_coef, cfg.root_ang_vel_coef, 0.0]),
        distance_means=means,
    )


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


def batch_rewards(errors: dict[str, np.ndarray], cfg: RewardConfig) -> tuple[np.ndarray, np.ndarray]:
    """`reward_terms` and `total_reward` of N characters in two products: errors {term: [N]} (the keys of TERMS)
    -> terms [5,N] in TERMS order, rewards [N] in [0, 1]."""
    scales, weights = _reward_vectors(cfg)
    terms = np.exp(np.stack([errors[k] for k in TERMS]) * scales)
    return terms, weights @ terms


@functools.lru_cache(maxsize=16)
def _reward_vectors(cfg: RewardConfig) -> tuple[np.ndarray, np.ndarray]:
    """-scale [5,1] and the normalized weights [5] of the reward terms, in TERMS order."""
    scales = np.array([cfg.pose_scale, cfg.velocity_scale, cfg.end_effector_scale, cfg.root_scale, cfg.com_scale])
    weights = np.array([cfg.pose_weight, cfg.velocity_weight, cfg.end_effector_weight, cfg.root_weight, cfg.com_weight])
    return -scales[:, None], weights / weights.sum()


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
