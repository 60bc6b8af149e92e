"""Frozen configuration of the imitation task: rates, episode, actions, reward.

`EnvConfig()` is what `imitate` trains with; `DEEPMIMIC_ENV` is DeepMimic's own task.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from characters.pushes import PushConfig
from characters.steering import SteeringConfig


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

    pose_weight: float = 0.5  # weight of the joint-rotation term
    velocity_weight: float = 0.05  # weight of the joint-velocity term
    end_effector_weight: float = 0.15  # weight of the end-effector position term
    root_weight: float = 0.2  # weight of the root position/rotation/velocity term
    com_weight: float = 0.1  # weight of the centre-of-mass velocity term
    pose_scale: float = 2.0  # kernel scale of the joint-rotation error
    velocity_scale: float = 0.1  # kernel scale of the joint-velocity error
    end_effector_scale: float = 10.0  # kernel scale of the end-effector error (summed, m^2)
    root_scale: float = 5.0  # kernel scale of the root error
    com_scale: float = 10.0  # kernel scale of the centre-of-mass error
    root_rot_coef: float = 0.1  # root error: weight of the squared root rotation angle
    root_vel_coef: float = 0.01  # root error: weight of the squared root velocity error
    root_ang_vel_coef: float = 0.001  # root error: weight of the squared root angular-velocity error
    com_vel_coef: float = 0.1  # centre-of-mass error: weight of the squared velocity error
    zero_when_fallen: bool = True  # a step that ends in a fall is rewarded 0 (DeepMimic)


@dataclass(frozen=True)
class EnvConfig:
    """The imitation environment.

    action_mode: "absolute" = DeepMimic's PD targets (axis-angle per spherical
    joint, angle per revolute joint); "relative" = a rotation vector (radians)
    per spherical joint and an angle per revolute joint added to the reference
    pose `relative_lookahead_steps` control steps ahead of the current time (the
    pose the PD controller should reach by the end of the step), bounded by the
    character's `relative_action_limit_rad`.
    pd_target_velocity: "clip" = the PD also targets the clip's joint velocities at
    the time of the relative actions' base pose (`relative_lookahead_steps` ahead),
    so a fast move is followed without lag;
    "zero" = target velocity 0 (DeepMimic), where the PD damps every motion.
    reference_obs_steps: append the clip's body pose at these control steps ahead
    to the observation (layout in `characters.observation`).
    reference_obs_links: the links whose upcoming clip poses are observed, by name
    (e.g. ("root",): where the clip's root will be, seen from the character's root);
    empty = every link.
    pose_termination_m: the episode ends as a fall when any body is farther than
    this from its reference position (0 turns the rule off).
    max_body_speed: a link faster than this (m/s or rad/s) or a NaN in the state
    is a physics blow-up; the episode ends as terminated.
    steering: follow a commanded heading instead of the clip's own path (`characters.steering`); None: off.
    pushes: hit the character at random times (`characters.pushes`); None: never.
    """

    control_hz: float = 30.0  # policy rate (Hz)
    sim_hz: float = 240.0  # physics rate (Hz), a whole multiple of control_hz
    episode_seconds: float = 20.0  # time limit of an episode (s)
    random_start: bool = True  # reference state initialization: start at a random time of the clip
    action_mode: str = "relative"  # "relative" to the clip's pose, or "absolute" DeepMimic PD targets; an untrained policy stands longer
    relative_lookahead_steps: int = 1  # relative actions are added to the clip's pose this many control steps ahead: where the step ends
    reference_obs_steps: tuple[int, ...] = (1, 4)  # observe the clip's pose this many control steps ahead too; none = DeepMimic
    reference_obs_links: tuple[str, ...] = ("root",)  # links whose upcoming clip poses are observed ("root": the root link); none = all
    pd_target_velocity: str = "clip"  # the PD's target velocity: "clip" (the clip's) or "zero" (DeepMimic); bench/pd_tracking.py
    pose_termination_m: float = 1.0  # end as a fall when a body is this far from its reference (m; 0 = off)
    ground_friction: float = 0.9  # lateral friction of the ground and the body
    solver_iterations: int = 10  # PyBullet constraint solver iterations
    self_collision: bool = True  # body parts collide with each other (not with their parents)
    max_body_speed: float = 500.0  # faster than this (m/s, rad/s) counts as a physics blow-up (flailing feet reach 130 rad/s)
    reward: RewardConfig = field(default_factory=RewardConfig)
    steering: SteeringConfig | None = None  # a commanded heading (`imitate --steer`); None: the clip's own path
    pushes: PushConfig | None = None  # random hits (`imitate --steer`: a steered character can recover); None: never

    def __post_init__(self) -> None:
        if self.action_mode not in ("absolute", "relative"):
            raise ValueError(f"action_mode must be 'absolute' or 'relative', got {self.action_mode!r}")
        if self.pd_target_velocity not in ("clip", "zero"):
            raise ValueError(f"pd_target_velocity must be 'clip' or 'zero', got {self.pd_target_velocity!r}")
        if any(k < 0 for k in self.reference_obs_steps):
            raise ValueError(f"reference_obs_steps must be >= 0, got {self.reference_obs_steps}")
        ratio = self.sim_hz / self.control_hz
        if ratio < 1 or abs(ratio - round(ratio)) > 1e-9:
            raise ValueError(f"sim_hz ({self.sim_hz}) must be a whole multiple of control_hz ({self.control_hz})")

    @property
    def substeps(self) -> int:
        return int(round(self.sim_hz / self.control_hz))


DEEPMIMIC_ENV = EnvConfig(action_mode="absolute", relative_lookahead_steps=1, reference_obs_steps=(), reference_obs_links=(),
                          pd_target_velocity="zero")
"""DeepMimic's task: absolute PD targets, its 197-value state alone (`EnvConfig()` is what `imitate` trains)."""
