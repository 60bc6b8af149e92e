"""What `imitate` does when told nothing else, beside the configs' own defaults.

`EnvConfig()` (characters.config) and `AWRConfig()` (awr_core.config) are the
recipe every entry point trains with; the numbers behind them are in
bench/RESULTS.md ("Learning walk and run with the defaults").
"""

from __future__ import annotations

DEFAULT_ENVS_PER_WORKER = 16  # environments a rollout worker steps as one batch: bench/env_throughput.py
DEFAULT_BUDGET = "4h"  # a cap; training stops earlier when the skill meets the bar below
BAR_NORMALIZED_RETURN = 0.8  # the bar: a test's normalized return ...
BAR_SUCCESS_RATE = 0.9  # ... and its share of successful episodes
BAR_CONFIRM_EPISODES = 30  # a test that meets the bar is confirmed on this many episodes before training stops (8 can be lucky)
EVAL_SEED = 0  # seed of the first episode of `imitate eval` and of the bar's confirming test: the same start times, so they agree
SUCCESS_BODY_ERROR_M = 0.5  # a successful episode: no fall, mean body-position error under this
# the steering bar (a steered run's confirming test, `imitate eval` of a steered controller): 30 episodes of this long,
# the command changing every 3-7 s; errors counted from 1.5 s after each change (characters.steering)
STEER_BAR_SECONDS = 60.0
STEER_BAR_CHANGE_SECONDS = (3.0, 7.0)  # the time between command changes; each change is a new heading drawn uniformly
# on the circle (with a gait family, a new speed too), whatever mix of sharp and gradual turns training drew
STEER_BAR_NO_FALL = 0.95  # share of episodes without a fall (the drift rule off: the clip follows the character)
STEER_BAR_HEADING_DEG = 15.0  # mean heading error
STEER_BAR_SPEED_M_S = 0.3  # mean speed error
STEER_BAR_POSE_REWARD = 0.6  # mean pose reward term: the motion still looks like the clip
STEER_RETEST_SAMPLES = 200_000  # after a failed steering test (about a minute on one core) the next waits this many samples
