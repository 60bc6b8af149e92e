"""What the window shows, without the window: a simulation (or clip playback) driven in real time.

Keys map to these methods; tests call them directly.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from characters.env import ImitationEnv

Policy = Callable[[np.ndarray, np.ndarray], np.ndarray]
SPEEDS = (0.125, 0.25, 0.5, 1.0, 2.0, 4.0)


class Player:
    """Steps `env` with `policy` (or plays the clip when policy is None) at real time x speed."""

    def __init__(self, env: ImitationEnv, policy: Policy | None, seed: int = 0, steer: bool = False) -> None:
        """steer: a person steers a steered controller (`turn`); otherwise its command changes at random as in training."""
        self.env = env
        self.policy = policy
        self.seed = seed
        self.steering = steer and env.steering is not None
        self.paused = False
        self.speed_index = SPEEDS.index(1.0)
        self.ghost_visible = env.ghost is not None
        self.falls = 0
        self.episodes = 0
        self.steps = 0
        self.info: dict = {}
        self._debt = 0.0
        self.reset()

    @property
    def speed(self) -> float:
        return SPEEDS[self.speed_index]

    def reset(self) -> None:
        self.obs, _ = self.env.reset(seed=self.seed + self.episodes, options={"start_time": 0.0})
        self._hold_command()
        self.info = {}
        self._debt = 0.0

    def _hold_command(self) -> None:
        if self.steering:  # the person's command from the start of every episode: no random changes
            self.env.steer_to(self.env.task.command)

    def turn(self, angle: float) -> None:
        """Steer: turn the commanded heading by `angle` rad (positive: left). Nothing for a controller not steered."""
        if self.steering:
            self.env.steer_to(self.env.task.command + angle)

    def change_speed(self, delta: float) -> None:
        """Steer: the commanded speed up or down by `delta` m/s, within the gaits' range (one clip: its pace)."""
        if self.steering:
            self.env.steer_to(self.env.task.command, self.env.task.speed + delta)

    def step(self) -> None:
        """One control step (1/control_hz s of simulated time)."""
        env = self.env
        if self.policy is None:
            env.pose_as_clip(env.time + 1.0 / env.config.control_hz)
            self.info = {"time": env.time}
        else:
            self.obs, _, terminated, truncated, self.info = env.step(self.policy(self.obs, env.action_base_pose()))
            if terminated:
                self.falls += 1
            if terminated or truncated:
                self.episodes += 1
                self.obs, _ = env.reset(seed=self.seed + self.episodes, options={"start_time": env.time % env.clip.duration})
                self._hold_command()
        self.steps += 1

    def advance(self, dt: float) -> int:
        """Advance by dt seconds of wall time (unless paused); returns the control steps taken."""
        if self.paused:
            return 0
        self._debt += dt * self.speed
        period = 1.0 / self.env.config.control_hz
        taken = 0
        while self._debt >= period and taken < 8:  # never spiral: drop time we cannot catch up on
            self.step()
            self._debt -= period
            taken += 1
        self._debt = min(self._debt, period)
        return taken

    def toggle_pause(self) -> None:
        self.paused = not self.paused

    def single_step(self) -> None:
        self.paused = True
        self.step()

    def slower(self) -> None:
        self.speed_index = max(0, self.speed_index - 1)

    def faster(self) -> None:
        self.speed_index = min(len(SPEEDS) - 1, self.speed_index + 1)

    def toggle_ghost(self) -> None:
        self.ghost_visible = not self.ghost_visible and self.env.ghost is not None

    def overlay_lines(self) -> list[str]:
        env, info = self.env, self.info
        lines = [
            f"t {env.time:6.2f} s   phase {env.phase:.2f}   speed x{self.speed:g}{'   PAUSED' if self.paused else ''}",
            f"falls {self.falls}   episodes {self.episodes}",
        ]
        terms = info.get("reward_terms")
        if terms:
            lines.append("reward  " + "  ".join(f"{k} {v:.2f}" for k, v in terms.items()))
            lines.append(
                f"errors  joints {info['joint_rot_err_rad']:.3f} rad   end effectors {info['end_effector_err_m']:.3f} m"
                f"   bodies {info['body_pos_err_m']:.3f} m"
            )
        if self.steering:
            low, high = env.task.speed_range
            keys = "left/right arrows: turn 30 deg" + (f"   up/down: speed {low:.1f}-{high:.1f} m/s" if high > low else "")
            lines.append(f"command {math.degrees(env.task.command):.0f} deg, {env.task.speed:.2f} m/s   {keys}")
        lines.append("space pause  . step  r reset  [ ] speed  g ghost  c camera  drag orbit  wheel zoom")
        return lines
