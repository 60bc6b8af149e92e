"""A symmetry of the task, for learning from mirror images of the samples (`AWRConfig.mirror`).

The environment supplies it (the learner knows nothing of bodies): for a left-right symmetric
task, the mirror image of a state, acted on with the mirror image of the action, is a state of
the same task that earns the same rewards. Every buffered sample then yields a second one.
"""

from __future__ import annotations

from typing import Protocol

import numpy as np


class Mirror(Protocol):
    def observation(self, obs: np.ndarray) -> np.ndarray:
        """Mirror images of raw observations [N,O] -> [N,O]."""
        ...

    def action(self, action: np.ndarray) -> np.ndarray:
        """Mirror images of environment actions [N,A] -> [N,A] (discrete: indices [N] -> [N])."""
        ...
