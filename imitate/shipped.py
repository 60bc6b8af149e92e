"""Controllers shipped inside the package: the best ones the project's own training produced.

Each lives in `imitate/controllers/<character>-<clip stem>/`:

  controller.onnx / controller.json   the exported controller and its contract
  config.json, log.csv                the training run's configuration and log
  eval.json                           measured scores: the full `imitate eval` of the run, and a short
                                      deterministic check that tests/test_shipped_controllers.py repeats

`imitate play --motion walk.txt` and `imitate render --motion run.txt --mp4 run.mp4`
use them when no run folder or --policy is given. No torch here.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

CONTROLLERS = Path(__file__).resolve().parent / "controllers"
CHECK_EPISODES = 4  # the short check: episodes from these start times of the clip, deterministic actions
CHECK_SECONDS = 4.0


def shipped_dir(character: str, clip_name: str) -> Path:
    return CONTROLLERS / f"{character}-{Path(clip_name).stem}"


def find_shipped(character: str, clip_name: str) -> Path | None:
    """The shipped controller.onnx for this character and clip file name, if there is one."""
    path = shipped_dir(character, clip_name) / "controller.onnx"
    return path if path.exists() else None


def list_shipped() -> list[Path]:
    return sorted(p.parent for p in CONTROLLERS.glob("*/controller.onnx"))


def check_controller(folder: Path) -> dict[str, float]:
    """The short deterministic check: CHECK_EPISODES episodes of up to CHECK_SECONDS, starting at evenly
    spaced times of the clip, driven by the ONNX controller alone.

    Returns mean normalized return, mean episode seconds and fall rate."""
    from dataclasses import replace

    from characters.env import ImitationEnv
    from imitate.policy_source import from_onnx

    source = from_onnx(folder / "controller.onnx", None, None)
    env = ImitationEnv(source.character, source.clip_path, replace(source.env, episode_seconds=CHECK_SECONDS))
    returns, seconds, falls = [], [], []
    try:
        for i in range(CHECK_EPISODES):
            obs, _ = env.reset(seed=i, options={"start_time": i * env.clip.duration / CHECK_EPISODES})
            total, steps = 0.0, 0
            while True:
                obs, r, terminated, truncated, _ = env.step(source.policy(obs, env.action_base_pose()))
                total, steps = total + r, steps + 1
                if terminated or truncated:
                    break
            returns.append(total / steps)
            seconds.append(steps / env.config.control_hz)
            falls.append(bool(terminated))
    finally:
        env.close()
    return {"normalized_return": float(np.mean(returns)), "episode_seconds": float(np.mean(seconds)), "fall_rate": float(np.mean(falls))}


def recorded_check(folder: Path) -> dict[str, float]:
    return json.loads((folder / "eval.json").read_text())["check"]
