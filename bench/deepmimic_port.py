"""Load PyBullet's own DeepMimic humanoid environment for side-by-side benchmarks.

`pybullet_envs/__init__.py` imports the old `gym`, which we do not install; its
`deep_mimic` modules do not need it. So the package is registered here as an
empty namespace and only the DeepMimic modules are imported. Benchmark use only.
"""

from __future__ import annotations

import sys
import types
from pathlib import Path

import pybullet_data


def load_port_env(motion_file: str = "data/motions/humanoid3d_run.txt"):
    """PyBullet's PyBulletDeepMimicEnv (not the gym wrapper), 240 Hz physics, RSI."""
    root = Path(pybullet_data.getDataPath()).parent / "pybullet_envs"
    if "pybullet_envs" not in sys.modules:
        pkg = types.ModuleType("pybullet_envs")
        pkg.__path__ = [str(root)]
        sys.modules["pybullet_envs"] = pkg
    from pybullet_envs.deep_mimic.env.pybullet_deep_mimic_env import InitializationStrategy, PyBulletDeepMimicEnv
    from pybullet_utils.arg_parser import ArgParser

    args = ArgParser()
    args.load_args(
        ["--motion_file", motion_file, "--fall_contact_bodies", "0", "1", "2", "3", "4", "6", "7", "8", "9", "10", "12", "13", "14"]
    )
    return PyBulletDeepMimicEnv(args, enable_draw=False, time_step=1.0 / 240, init_strategy=InitializationStrategy.RANDOM)


def port_control_step(env, action) -> tuple[list[float], float, bool]:
    """One 30 Hz control step the way the port's gym wrapper does it: action, 8 physics updates, reward, state."""
    env.set_action(0, action)
    for _ in range(8):
        env.update(1.0 / 240)
    reward = env.calc_reward(0)
    done = env.is_episode_end()
    return env.record_state(0), reward, done
