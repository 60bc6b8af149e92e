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
SUCCESS_BODY_ERROR_M = 0.5  # a successful episode: no fall, mean body-position error under this
