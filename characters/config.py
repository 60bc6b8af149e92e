"""Frozen configuration of the imitation task: rates, episode, actions, reward."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class RewardConfig:
    """DeepMimic's imitation reward (SceneImitate.cpp defaults).

    r = sum_i w_i * exp(-scale_i * err_i), weights normalized to sum 1, so r is in [0, 1].
    pose: weighted squared joint-angle error (root orientation included);
    velocity: weighted squared joint angular-velocity error;
    end_effector: squared position error summed over end effectors, relative to
    the root in the heading frame, height above ground;
    root: |dp|^2 + root_rot_coef*dtheta^2 + root_vel_coef*|dv|^2 + root_ang_vel_coef*|dw|^2;
    com: com_vel_coef * |dv_com|^2 (centre-of-mass velocity).
    """

    pose_weight: float = 0.5
    velocity_weight: float = 0.05
    end_effector_weight: float = 0.15
    root_weight: float = 0.2
    com_weight: float = 0.1
    pose_scale: float = 2.0
    velocity_scale: float = 0.1
    end_effector_scale: float = 10.0
    root_scale: float = 5.0
    com_scale: float = 10.0
    root_rot_coef: float = 0.1
    root_vel_coef: float = 0.01
    root_ang_vel_coef: float = 0.001
    com_vel_coef: float = 0.1
    zero_when_fallen: bool = True


@dataclass(frozen=True)
class EnvConfig:
    """The imitation environment.

    action_mode: "absolute" = DeepMimic's PD targets (axis-angle per spherical
    joint, angle per revolute joint); "relative" = a rotation vector (radians)
    per spherical joint and an angle per revolute joint added to the reference
    pose at the current time, bounded by relative_action_limit_rad.
    pose_termination_m: the episode ends as a fall when any body is farther than
    this from its reference position (0 turns the rule off).
    max_body_speed: a link faster than this (m/s or rad/s) or a NaN in the state
    is a physics blow-up; the episode ends as terminated.
    """

    control_hz: float = 30.0
    sim_hz: float = 240.0
    episode_seconds: float = 20.0
    random_start: bool = True
    action_mode: str = "absolute"
    relative_action_limit_rad: float = 1.0
    pose_termination_m: float = 1.0
    ground_friction: float = 0.9
    solver_iterations: int = 10
    self_collision: bool = True
    max_body_speed: float = 100.0
    reward: RewardConfig = field(default_factory=RewardConfig)

    def __post_init__(self) -> None:
        if self.action_mode not in ("absolute", "relative"):
            raise ValueError(f"action_mode must be 'absolute' or 'relative', got {self.action_mode!r}")
        ratio = self.sim_hz / self.control_hz
        if ratio < 1 or abs(ratio - round(ratio)) > 1e-9:
            raise ValueError(f"sim_hz ({self.sim_hz}) must be a whole multiple of control_hz ({self.control_hz})")

    @property
    def substeps(self) -> int:
        return int(round(self.sim_hz / self.control_hz))
