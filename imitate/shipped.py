"""Controllers shipped inside the package: the best ones the project's own training produced.

Each lives in `imitate/controllers/<character>-<clip stem>/` (a steerable one, trained with --steer, in
`<character>-<clip stem>-steer/`):

  controller.onnx / controller.json   the exported controller and its contract
  config.json, log.csv                the training run's configuration and log
  eval.json                           measured scores: the full `imitate eval` of the run, and a short
                                      deterministic check that tests/test_shipped_controllers.py repeats

`imitate play --motion walk.txt` and `imitate render --motion run.txt --mp4 run.mp4`
use them when no run folder or --policy is given (with --steer / --steer-script: the steerable one). No torch here.
"""

from __future__ import annotations

import json
from pathlib import Path

CONTROLLERS = Path(__file__).resolve().parent / "controllers"
CHECK_EPISODES = 4  # the short check: episodes from these start times of the clip, deterministic actions
CHECK_SECONDS = 4.0


def shipped_dir(character: str, clip_name: str, steered: bool = False) -> Path:
    return CONTROLLERS / f"{character}-{Path(clip_name).stem}{'-steer' if steered else ''}"


def find_shipped(character: str, clip_name: str, steered: bool = False) -> Path | None:
    """The shipped controller.onnx for this character and clip file name (steered: the steerable one), if there is one."""
    path = shipped_dir(character, clip_name, steered) / "controller.onnx"
    return path if path.exists() else None


def list_shipped() -> list[Path]:
    return sorted(p.parent for p in CONTROLLERS.glob("*/controller.onnx"))


def recorded_check(folder: Path) -> dict[str, float]:
    return json.loads((folder / "eval.json").read_text())["check"]
