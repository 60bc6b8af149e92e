"""A helping hand at the root: a PD force and torque pulling the character's root toward the clip's.

A training curriculum (the "virtual assistant" of Yu, Turk and Liu 2018, Learning Symmetric
and Low-Energy Locomotion): early on the hand holds the character up and moves it along with
the clip, so episodes last and the policy learns the limbs' motion; as the level falls to 0
the policy must find balance and propulsion itself. At level 0 nothing is applied: the task
is DeepMimic's, and every evaluation runs there.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from characters.body import pb
from motions.rotations import quat_canonical, quat_conj, quat_mul, quat_to_rotvec, rotvec_to_quat

if TYPE_CHECKING:
    from characters.env import ImitationEnv


@dataclass(frozen=True)
class AssistGains:
    """Full-assist gains as accelerations, so one setting suits any body: the force is
    mass * (stiffness * dp + damping * dv) and the torque inertia * (rot_stiffness * dtheta + rot_damping * dw)."""

    stiffness: float  # 1/s^2: root acceleration per metre of position error
    damping: float  # 1/s: root acceleration per m/s of velocity error
    rot_stiffness: float  # 1/s^2: angular acceleration per radian of orientation error
    rot_damping: float  # 1/s: angular acceleration per rad/s of angular-velocity error


def assist_wrench(
    level: np.ndarray,
    mass: float,
    inertia: float,
    root_pos: np.ndarray,
    root_quat: np.ndarray,
    root_lin: np.ndarray,
    root_ang: np.ndarray,
    ref_pos: np.ndarray,
    ref_quat: np.ndarray,
    ref_lin: np.ndarray,
    ref_ang: np.ndarray,
    gains: AssistGains,
) -> tuple[np.ndarray, np.ndarray]:
    """World-frame force [N,3] (newtons) and torque [N,3] (N m) on N characters' roots.

    level [N] in [0, 1] scales both; mass (kg) and inertia (kg m^2, a scalar about the root)
    turn the gains' accelerations into force and torque. Sim and clip roots: positions [N,3],
    quaternions [N,4] (x,y,z,w), linear and angular velocities [N,3], world frame.
    """
    level = np.asarray(level, dtype=float)[:, None]
    accel = gains.stiffness * (ref_pos - root_pos) + gains.damping * (ref_lin - root_lin)
    rot_err = quat_to_rotvec(quat_canonical(quat_mul(ref_quat, quat_conj(root_quat))))  # world frame
    ang_accel = gains.rot_stiffness * rot_err + gains.rot_damping * (ref_ang - root_ang)
    return level * mass * accel, level * inertia * ang_accel


def root_inertia(masses: np.ndarray, link_pos: np.ndarray, root_pos: np.ndarray) -> float:
    """A scalar moment of inertia (kg m^2) about the root: point masses [L] at link centres [L,3], root at [3]."""
    d = link_pos - root_pos
    return float(masses @ np.einsum("ij,ij->i", d, d))


def step_assisted(envs: Sequence[ImitationEnv], targets: np.ndarray, times: np.ndarray, levels: np.ndarray) -> None:
    """The physics of one control step of N environments with the hand at each root (levels [N]).

    Stable PD toward targets [N,D]; before every physics step the wrench is recomputed from each root's
    state then and the clip's root carried on from the step's start (times [N]) at the clip's velocity.
    Recomputed, not held: an explicit damping force held for a whole control step overshoots and blows up.
    """
    e0 = envs[0]
    cfg, n = e0.config, len(envs)
    ref = e0.reference.states_at(times)
    vel = ref.velocity
    for env, target in zip(envs, targets, strict=True):
        env.body.set_pd_targets(target)
    for k in range(cfg.substeps):
        tau = k / cfg.sim_hz
        rows: list[float] = []
        for e in envs:
            for part in (*pb.getBasePositionAndOrientation(e.body.body, physicsClientId=e.client),
                         *pb.getBaseVelocity(e.body.body, physicsClientId=e.client)):  # fmt: skip
                rows += part
        base = np.array(rows).reshape(n, 13)  # position 3, quaternion 4, linear and angular velocity 3 + 3
        ref_pos = ref.pose.root_pos + tau * vel.root_lin
        ref_quat = quat_mul(rotvec_to_quat(tau * vel.root_ang), ref.pose.root_quat)
        force, torque = assist_wrench(levels, e0._assist_mass, e0._assist_inertia, base[:, 0:3], base[:, 3:7], base[:, 7:10],
                                      base[:, 10:13], ref_pos, ref_quat, vel.root_lin, vel.root_ang, cfg.assist_gains)  # fmt: skip
        for i, (env, f, t, at) in enumerate(zip(envs, force.tolist(), torque.tolist(), base[:, 0:3].tolist(), strict=True)):
            env.body.apply_pd()
            if levels[i] > 0.0:  # external forces last one physics step
                pb.applyExternalForce(env.body.body, -1, f, at, pb.WORLD_FRAME, physicsClientId=env.client)
                pb.applyExternalTorque(env.body.body, -1, t, pb.WORLD_FRAME, physicsClientId=env.client)
            pb.stepSimulation(physicsClientId=env.client)
