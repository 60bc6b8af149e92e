"""Steering: the character follows a commanded heading, its clip turned to match (DeepMimic's heading task).

A steered environment holds a command per episode, a heading on the ground that changes at random
times (sharp turns and gradual ones). The clip is turned, about the vertical, toward the command at a
limited rate, never more than a set angle ahead of the character, and moved along the ground to it, so
the imitation reward measures the pose, the height and the velocities against the clip as if it were
walking the commanded way; a task reward for the centre of mass moving the turned clip's way at its pace is
added (DeepMimic: 0.7 imitation, 0.3 task; its reward asks for the command itself).
The policy observes the command in its own heading frame. Headings follow `motions.rotations`: the yaw of
a root's x axis, a ground direction (dx, dz) having heading atan2(-dz, dx).

All functions are pure: arrays in, arrays out, N environments at once.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from characters.state import CharacterState
from motions.clip import Clip
from motions.interpolate import Pose, PoseVelocity
from motions.rotations import heading_angle, quat_mul, wrap_angle, yaw_quat


@dataclass(frozen=True)
class SteeringConfig:
    """change_seconds: a new command after a time drawn uniformly from this range (s).
    sharp_turn_share: the share of changes to a heading drawn uniformly on the circle; the others turn by
    at most gradual_turn_rad either way. turn_rate_rad_s: how fast the clip turns toward a new command.
    task_weight: the task reward's share of the reward (the imitation reward has the rest);
    task_scale: its kernel, exp(-scale * max(0, pace - v . d)^2) with v the centre-of-mass velocity and d
    the commanded direction (DeepMimic's heading task). metric_delay_s: heading and speed errors are
    measured from this long after a change (the character needs time to turn).
    speed_clips: a faster looping clip of the same gait (a run beside a walk): the command then also has a
    speed between the two clips' paces, the reference blends them to match (`characters.gait_family`);
    speed_change_share: the share of command changes that draw a new speed; blend_rate_per_s: how fast the
    reference's blend follows the commanded speed (the whole range in 1 / rate seconds).
    lead_cap_rad: the turned clip's root heads at most this far from the character's, so in a sharp turn the
    clip waits for the character instead of turning on ahead of it.
    task_follows_clip: the task reward asks for the turned clip's heading and the blended reference's pace
    (which turn and change at the rates above) rather than the command itself; the policy still observes the
    command, and the heading and speed errors are still measured against it."""

    change_seconds: tuple[float, float] = (3.0, 7.0)
    sharp_turn_share: float = 0.5
    gradual_turn_rad: float = math.pi / 3
    turn_rate_rad_s: float = math.pi / 2
    task_weight: float = 0.3
    task_scale: float = 2.5
    metric_delay_s: float = 1.5
    speed_clips: tuple[str, ...] = ()
    speed_change_share: float = 0.5
    blend_rate_per_s: float = 1.0
    lead_cap_rad: float = math.pi / 4  # halves the falls in sharp turns: bench/RESULTS.md, "Learning to steer the walk"
    task_follows_clip: bool = True  # twice the walk-and-run's fall-free episodes: bench/RESULTS.md, "Learning to steer a walk and a run"

    def __post_init__(self) -> None:
        low, high = self.change_seconds
        if not 0 < low <= high:
            raise ValueError(f"change_seconds must be 0 < low <= high, got {self.change_seconds}")
        if not 0.0 <= self.task_weight <= 1.0:
            raise ValueError(f"task_weight must be in [0, 1], got {self.task_weight}")


COMMAND_SIZE = 3  # observed: cos and sin of the command in the character's heading frame, the commanded pace (m/s)


def clip_travel(clip: Clip) -> tuple[float, float]:
    """(heading rad, pace m/s) of a looping clip's travel per cycle; (0, 0) for a clip that stays in place."""
    offset = clip.cycle_offset
    distance = float(np.hypot(offset[0], offset[2]))
    if distance < 1e-6:
        return 0.0, 0.0
    return float(math.atan2(-offset[2], offset[0])), distance / clip.duration


def draw_change(rng: np.random.Generator, current: np.ndarray, cfg: SteeringConfig) -> tuple[np.ndarray, np.ndarray]:
    """New commanded headings for N environments whose command is `current` [N], and the seconds until each
    one's next change [N]: a sharp turn (uniform on the circle) or a gradual one (at most gradual_turn_rad)."""
    n = len(current)
    sharp = rng.random(n) < cfg.sharp_turn_share
    heading = np.where(sharp, rng.uniform(-np.pi, np.pi, n), current + rng.uniform(-cfg.gradual_turn_rad, cfg.gradual_turn_rad, n))
    return wrap_angle(heading), rng.uniform(*cfg.change_seconds, n)


def approach(heading: np.ndarray, target: np.ndarray, max_step: float) -> np.ndarray:
    """Headings [N] turned toward target [N] the short way round by at most max_step (rad)."""
    return wrap_angle(heading + np.clip(wrap_angle(target - heading), -max_step, max_step))


def turn_states(state: CharacterState, yaw: np.ndarray, shift: np.ndarray) -> CharacterState:
    """A batch of states turned by yaw [N] about the vertical through the world origin, then moved by shift [N,3].

    Every array of `state` has a leading N axis (per link: [N,L,...]); joint values are local and stay."""
    c, s = np.cos(yaw), np.sin(yaw)
    rot = np.zeros((len(yaw), 3, 3))
    rot[:, 0, 0], rot[:, 0, 2], rot[:, 1, 1], rot[:, 2, 0], rot[:, 2, 2] = c, s, 1.0, -s, c
    q = yaw_quat(yaw)

    def point(p: np.ndarray) -> np.ndarray:  # [N,3] or [N,L,3]
        return vector(p) + (shift if p.ndim == 2 else shift[:, None, :])

    def vector(v: np.ndarray) -> np.ndarray:
        return np.einsum("nij,nj->ni", rot, v) if v.ndim == 2 else np.einsum("nij,nlj->nli", rot, v)

    def orient(r: np.ndarray) -> np.ndarray:
        return quat_mul(q, r) if r.ndim == 2 else quat_mul(q[:, None, :], r)

    pose, vel = state.pose, state.velocity
    return CharacterState(Pose(point(pose.root_pos), orient(pose.root_quat), pose.joints),
                          PoseVelocity(vector(vel.root_lin), vector(vel.root_ang), vel.joints),
                          point(state.link_pos), orient(state.link_quat), point(state.joint_pos), vector(state.com_vel))  # fmt: skip


def cap_lead(yaw: np.ndarray, clip_heading: np.ndarray, sim_heading: np.ndarray, cap: float) -> np.ndarray:
    """yaw [N] (rad) lessened so the clip's root, heading clip_heading [N] before the turn, heads at most cap
    (rad) from the character's root heading sim_heading [N]."""
    lead = wrap_angle(clip_heading + yaw - sim_heading)
    return yaw - (lead - np.clip(lead, -cap, cap))


def follow_shift(yaw: np.ndarray, clip_root: np.ndarray, sim_root: np.ndarray) -> np.ndarray:
    """shift [N,3] that, after turning by yaw [N], puts the clip's root [N,3] over the character's [N,3] on the
    ground (heights kept): the clip walks where the character is."""
    c, s = np.cos(yaw), np.sin(yaw)
    turned_x = c * clip_root[:, 0] + s * clip_root[:, 2]
    turned_z = -s * clip_root[:, 0] + c * clip_root[:, 2]
    return np.stack([sim_root[:, 0] - turned_x, np.zeros(len(yaw)), sim_root[:, 2] - turned_z], axis=1)


def task_reward(com_vel: np.ndarray, heading: np.ndarray, pace: float | np.ndarray, scale: float) -> np.ndarray:
    """DeepMimic's heading reward [N]: exp(-scale * max(0, pace - v . d)^2), com_vel [N,3], heading [N], pace scalar or [N]."""
    along = com_vel[:, 0] * np.cos(heading) - com_vel[:, 2] * np.sin(heading)
    short = np.maximum(0.0, pace - along)
    return np.exp(-scale * short * short)


def command_features(root_quat: np.ndarray, heading: np.ndarray, pace: float | np.ndarray) -> np.ndarray:
    """The observed command [N,3]: cos and sin of the commanded heading relative to the root's, and the pace (scalar or [N])."""
    rel = heading - heading_angle(root_quat)
    return np.stack([np.cos(rel), np.sin(rel), np.broadcast_to(pace, rel.shape)], axis=1).astype(np.float32)


def heading_and_speed_errors(com_vel: np.ndarray, heading: np.ndarray, pace: float | np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(|heading of the ground velocity - command| rad [N], |ground speed - pace| m/s [N]) of com_vel [N,3]."""
    moving = np.arctan2(-com_vel[:, 2], com_vel[:, 0])
    speed = np.hypot(com_vel[:, 0], com_vel[:, 2])
    return np.abs(wrap_angle(moving - heading)), np.abs(speed - pace)


class SteeringTask:
    """Steering as a `characters.task.Task`: this environment's command and turned clip, and the batch steps."""

    obs_size = COMMAND_SIZE

    def __init__(self, cfg: SteeringConfig, clip: Clip, control_hz: float) -> None:
        self.cfg, self.weight, self.control_hz = cfg, cfg.task_weight, control_hz
        self.travel_heading, self.pace = clip_travel(clip)  # the clip's own way and pace, which the command turns
        if not clip.loop or self.pace < 0.05:
            raise ValueError(f"{clip.source}: steering needs a looping clip that travels (this one moves {self.pace:.2f} m/s)")
        self.command = self.ref_heading = self.travel_heading  # the commanded heading, the clip's turned heading (rad)
        self.changed_at, self.change_at = 0.0, math.inf  # seconds into the episode of the last and the next change
        self.gaits = None  # a gait family (`use_gaits`): the command has a speed too
        self.speed_range = (self.pace, self.pace)  # m/s: the speeds a command can ask for
        self.speed = self.pace  # the commanded speed (m/s)
        self.blend = 0.0  # the gait family's blend the reference is at (0: the clip itself)

    def use_gaits(self, gaits) -> None:
        """Follow a commanded speed too, between the slowest and the fastest gait of `gaits` (a GaitFamily)."""
        self.gaits = gaits
        self.speed_range = (float(gaits.paces[0]), float(gaits.paces[-1]))

    def hold(self, heading: float, time: float, speed: float | None = None) -> None:
        """Command `heading` (and `speed`, within `speed_range`) from `time` (seconds into the episode) on, with
        no random changes (a player, a scripted course)."""
        self.command = float(wrap_angle(np.array(heading)))
        if speed is not None:
            self.speed = float(np.clip(speed, *self.speed_range))
        self.changed_at, self.change_at = time, math.inf

    def begin(self, tasks, times, rngs) -> None:
        """Each episode starts on the clip's own way (a gait family: at a random speed, its blend there at once);
        the first change comes later."""
        for task, t, rng in zip(tasks, times.tolist(), rngs, strict=True):
            task.command = task.ref_heading = task.travel_heading
            task.changed_at, task.change_at = t, t + rng.uniform(*task.cfg.change_seconds)
            if task.gaits is not None:
                task.speed = float(rng.uniform(*task.speed_range))
                task.blend = float(task.gaits.blend_for_pace(np.array([task.speed]))[0])

    def advance(self, tasks, clock, rngs) -> None:
        """A new command where one is due (drawn from each environment's generator), each clip's heading
        turned toward its command at the configured rate, and a gait family's blend moved toward the speed."""
        for task, t, rng in zip(tasks, clock.tolist(), rngs, strict=True):
            if t >= task.change_at:
                heading, wait = draw_change(rng, np.array([task.command]), task.cfg)
                task.command, task.changed_at, task.change_at = float(heading[0]), t, t + float(wait[0])
                if task.gaits is not None and rng.random() < task.cfg.speed_change_share:
                    task.speed = float(rng.uniform(*task.speed_range))
        turned = approach(np.array([t.ref_heading for t in tasks]), np.array([t.command for t in tasks]),
                          self.cfg.turn_rate_rad_s / self.control_hz)  # fmt: skip
        for task, h in zip(tasks, turned.tolist(), strict=True):
            task.ref_heading = h
        if self.gaits is not None:
            step = self.cfg.blend_rate_per_s / self.control_hz
            for task in tasks:
                target = float(self.gaits.blend_for_pace(np.array([task.speed]))[0])
                task.blend += float(np.clip(target - task.blend, -step, step))

    def reference(self, tasks, refs, n, sim) -> CharacterState:
        """The clip turned to each command and moved under each character (every looked-up block alike)."""
        yaw = np.array([t.ref_heading for t in tasks]) - self.travel_heading
        yaw = cap_lead(yaw, heading_angle(refs.pose.root_quat[:n]), heading_angle(sim.pose.root_quat), self.cfg.lead_cap_rad)
        for task, y in zip(tasks, yaw.tolist(), strict=True):  # the clip waits for a character that has not turned yet
            task.ref_heading = float(wrap_angle(np.array(y + self.travel_heading)))
        shift = follow_shift(yaw, refs.pose.root_pos[:n], sim.pose.root_pos)
        blocks = len(refs.pose.root_pos) // n
        return turn_states(refs, np.tile(yaw, blocks), np.tile(shift, (blocks, 1)))

    def reward_and_infos(self, tasks, sim, clock) -> tuple[np.ndarray, list[dict]]:
        commands, speeds = np.array([t.command for t in tasks]), np.array([t.speed for t in tasks])
        aim, pace = commands, speeds
        if self.cfg.task_follows_clip:  # the way and pace the reference goes at this instant
            aim = np.array([t.ref_heading for t in tasks])
            pace = self.gaits.pace(np.array([t.blend for t in tasks])) if self.gaits is not None else speeds
        reward = task_reward(sim.com_vel, aim, pace, self.cfg.task_scale)
        heading_err, speed_err = heading_and_speed_errors(sim.com_vel, commands, speeds)
        facing_off = np.abs(wrap_angle(commands - heading_angle(sim.pose.root_quat)))
        infos = []
        for i, (task, t) in enumerate(zip(tasks, clock.tolist(), strict=True)):
            settled = t - task.changed_at >= self.cfg.metric_delay_s  # errors count once the character could turn
            infos.append({"command_rad": task.command, "command_speed_m_s": task.speed, "task_reward": float(reward[i]),
                          "since_change_s": t - task.changed_at, "facing_off_command_rad": float(facing_off[i]),
                          "heading_err_rad": float(heading_err[i]) if settled else math.nan,
                          "speed_err_m_s": float(speed_err[i]) if settled else math.nan})  # fmt: skip
        return reward, infos

    def observe(self, tasks, sim) -> np.ndarray:
        return command_features(sim.pose.root_quat, np.array([t.command for t in tasks]), np.array([t.speed for t in tasks]))

    def obs_mirror(self, polar: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The command's direction in the heading frame (x: cos, -z: sin) is reflected; the pace stays."""
        return np.arange(COMMAND_SIZE), np.array([polar[0], polar[2], 1.0])

    def arrow(self) -> float | None:
        return self.command


def course_command(course: Sequence[tuple[float, float, float | None]], step: int, hz: float) -> tuple[float, float | None] | None:
    """The command a scripted course gives at control step `step` (rate hz): the (heading rad relative to the
    clip's own direction, speed m/s or None) of the last row whose time falls in this step, or None."""
    due = [(heading, speed) for t, heading, speed in course if step <= t * hz < step + 1]
    return due[-1] if due else None
