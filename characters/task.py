"""Tasks: a goal the character pursues while it imitates, described beside the imitation task.

The imitation task is the clip and `characters.rewards`; a task adds a goal to it (steering: follow a commanded
heading, `characters.steering`). A task is its config (data) and pure functions over arrays; `Task` is what the
environment loop asks of it, once per step for a whole batch of environments (each environment holds its own
task object, which keeps that environment's goal state, e.g. its current command). The loop names no task: a new
goal (strike a target, follow a path) is a new `Task` and a line in `task_for`, not a change to the loop.

Per step the loop calls, in order: `advance` (before the physics), `reference` (the clip as the goal wants it,
which the imitation reward then judges), `reward_and_infos` (the goal's reward, mixed in with `weight`), `observe`
(the goal in the observation, after the imitation state); `begin` and `observe` on a reset.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

import numpy as np

from characters.state import CharacterState
from motions.clip import Clip


class Task(Protocol):
    obs_size: int  # values the task adds to the end of the observation
    weight: float  # the task reward's share of the reward; the imitation reward has the rest
    blend: float  # where a gait family's reference is (`characters.gait_family`); 0 for a single clip

    def begin(self, tasks: Sequence[Task], clock: np.ndarray, rngs: Sequence[np.random.Generator]) -> None:
        """New episodes in N environments (their tasks), `clock` [N] seconds in (zeros)."""

    def advance(self, tasks: Sequence[Task], clock: np.ndarray, rngs: Sequence[np.random.Generator]) -> None:
        """One control step, before the physics, ending `clock` [N] seconds into each episode (e.g. new commands)."""

    def reference(self, tasks: Sequence[Task], refs: CharacterState, n: int, sim: CharacterState) -> CharacterState:
        """The looked-up clip states (blocks of N rows: now, then what the step also looked up) as the goal
        wants them tracked, given the simulated characters `sim` [N]."""

    def reward_and_infos(self, tasks: Sequence[Task], sim: CharacterState, clock: np.ndarray) -> tuple[np.ndarray, list[dict]]:
        """The task reward [N] in [0, 1] and what each environment's info reports of the goal."""

    def observe(self, tasks: Sequence[Task], sim: CharacterState) -> np.ndarray:
        """The goal as observed [N, obs_size], float32."""

    def obs_mirror(self, polar: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The left-right mirror of the task's observation block: (permutation [obs_size], signs [obs_size]) given
        the reflection's signs of a polar vector (`characters.mirror.reflection_signs`)."""

    def arrow(self) -> float | None:
        """A ground heading to draw for a viewer (rad), or None."""


def task_for(config, clip: Clip) -> Task | None:
    """The task an `EnvConfig` asks for on this clip (None: imitation alone). Raises ValueError when the clip
    cannot serve the task (e.g. steering a clip that does not travel)."""
    if config.steering is not None:
        from characters.steering import SteeringTask

        return SteeringTask(config.steering, clip, config.control_hz)
    return None
