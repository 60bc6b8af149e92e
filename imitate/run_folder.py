"""A run folder: config.json, clip.txt, checkpoints/, log.csv, curve.png. Created by `train`, read by the rest.

A run folder holds no path of the machine that trained it: the clip it learned is copied in as clip.txt,
so the folder can be moved to another directory or machine and still be evaluated, played and resumed.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from awr_core.config import AWRConfig
from characters.config import EnvConfig
from characters.registry import get_character
from imitate import __version__
from imitate.errors import UserError
from imitate.options import from_jsonable, to_jsonable

RUN_FORMAT = "imitate-run"
RUN_VERSION = 1


CLIP_FILE = "clip.txt"  # the run's own copy of its clip
ENV_BEFORE = {"pd_target_velocity": "zero"}  # EnvConfig fields newer than some saved runs and controllers: the value those trained with
STOP_RULE_FILE = "stop_rule.json"  # a steered run: the samples its next steering test waits for, kept across a resume


@dataclass(frozen=True)
class RunConfig:
    character: str
    motion: str  # what the user named, e.g. walk.txt
    clip_path: str  # where the clip is on this machine (the run folder's clip.txt once written); never stored
    env: EnvConfig
    awr: AWRConfig
    num_envs: int  # rollout workers (processes or Ray actors)
    envs_per_worker: int = 1  # environments each worker steps as one batch
    clip_name: str = ""  # the clip's file name, e.g. humanoid3d_walk.txt (shipped controllers are found by it)

    def to_json(self) -> dict[str, Any]:
        return {
            "format": RUN_FORMAT, "version": RUN_VERSION, "package_version": __version__,
            "character": self.character, "motion": self.motion, "clip": CLIP_FILE, "clip_name": self.clip_name,
            "num_envs": self.num_envs, "envs_per_worker": self.envs_per_worker, "env": to_jsonable(self.env), "awr": to_jsonable(self.awr),
        }  # fmt: skip


def env_from_jsonable(data: dict[str, Any]) -> EnvConfig:
    """A run's or an exported controller's environment from its JSON; a field added after it was saved takes the
    value it trained with (`ENV_BEFORE`), not today's default."""
    return from_jsonable(EnvConfig, {**ENV_BEFORE, **data})


def new_run_dir(root: Path, character: str, clip_name: str) -> Path:
    stem = Path(clip_name).stem.removeprefix(get_character(character).clip_prefix)
    return root / f"{character}-{stem}-{time.strftime('%Y%m%d-%H%M%S')}"


def write_config(run_dir: Path, config: RunConfig) -> None:
    """config.json, and the clip copied in as clip.txt (unless the run has its copy already)."""
    run_dir.mkdir(parents=True, exist_ok=True)
    clip = Path(run_dir) / CLIP_FILE
    if not clip.exists():
        tmp_clip = Path(run_dir) / (CLIP_FILE + ".tmp")
        tmp_clip.write_bytes(Path(config.clip_path).read_bytes())
        tmp_clip.replace(clip)
    data = config.to_json()
    steering = config.env.steering
    if steering is not None and steering.speed_clips:  # a steered run's faster gait: its own copy too, by file name
        names = []
        for path in steering.speed_clips:
            own = Path(run_dir) / Path(path).name
            if not own.exists():
                own.write_bytes(Path(path).read_bytes())
            names.append(own.name)
        data["env"]["steering"]["speed_clips"] = names
    _write_whole(run_dir / "config.json", json.dumps(data, indent=2) + "\n")


def _write_whole(path: Path, text: str) -> None:
    """Write text to a temporary file beside path, then move it into place: a reader never sees half a file."""
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text)
    tmp.replace(path)


def read_steering_wait(path: Path) -> int:
    """The samples a steered run's next steering test waits for, from its STOP_RULE_FILE (0: none saved)."""
    if not path.exists():
        return 0
    try:
        return int(json.loads(path.read_text())["next_steering_test"])
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise UserError(f"{path}: unreadable stop-rule state ({exc})") from None


def write_steering_wait(path: Path, samples: int) -> None:
    """Save the samples a steered run's next steering test waits for."""
    _write_whole(path, json.dumps({"next_steering_test": int(samples)}) + "\n")


def read_config(run_dir: Path) -> RunConfig:
    path = Path(run_dir) / "config.json"
    if not Path(run_dir).is_dir():
        raise UserError(f"{run_dir}: no such run folder")
    try:
        data = json.loads(path.read_text())
    except FileNotFoundError:
        raise UserError(f"{run_dir}: not a run folder (no config.json)") from None
    except (OSError, json.JSONDecodeError) as exc:
        raise UserError(f"{path}: unreadable run config ({exc})") from None
    if not isinstance(data, dict) or data.get("format") != RUN_FORMAT:
        raise UserError(f"{path}: not an imitate run config")
    try:
        clip_path, clip_name = _run_clip(Path(run_dir), data)
        env = env_from_jsonable(data["env"])
        if env.steering is not None and env.steering.speed_clips:  # the run's copies, else found again by name
            found = tuple(str(Path(run_dir) / n) if (Path(run_dir) / n).is_file() else n for n in env.steering.speed_clips)
            env = replace(env, steering=replace(env.steering, speed_clips=found))
        return RunConfig(
            character=data["character"], motion=data["motion"], clip_path=clip_path, clip_name=clip_name,
            env=env, awr=from_jsonable(AWRConfig, data["awr"]), num_envs=int(data["num_envs"]),
            envs_per_worker=int(data.get("envs_per_worker", 1)),  # run folders from before batches: one each
        )  # fmt: skip
    except (KeyError, TypeError, ValueError) as exc:
        raise UserError(f"{path}: run config is incomplete or invalid ({exc})") from None


def _run_clip(run_dir: Path, data: dict[str, Any]) -> tuple[str, str]:
    """Where a run's clip is on this machine, and its file name: the run's clip.txt; for a folder without one
    (a shipped controller's record, or written before runs kept their clip), the clip found again by name."""
    from characters.registry import get_character
    from motions import resolve_clip

    own = run_dir / str(data.get("clip", CLIP_FILE))
    name = str(data.get("clip_name") or Path(str(data.get("clip_path", data["motion"]))).name)
    if own.is_file():
        return str(own), name
    try:
        return str(resolve_clip(name, get_character(data["character"]).clip_prefix)), name
    except (FileNotFoundError, ValueError) as exc:
        raise UserError(f"{run_dir}: the run's clip {name!r} is not in the folder ({CLIP_FILE}) and cannot be found ({exc})") from None


def checkpoint_path(run_dir: Path, which: str = "best") -> Path:
    """checkpoints/best.pt (falls back to latest.pt when no evaluation has run yet)."""
    folder = Path(run_dir) / "checkpoints"
    path = folder / f"{which}.pt"
    if not path.exists() and which == "best":
        path = folder / "latest.pt"
    if not path.exists():
        raise UserError(f"{run_dir}: no checkpoint yet (checkpoints/{which}.pt missing)")
    return path


def load_run_checkpoint(path: Path, character: str, obs_size: int, act_size: int) -> dict[str, Any]:
    """Load a checkpoint and check that it belongs to this character and these spaces."""
    from awr_core.checkpoint import CheckpointError, load_checkpoint  # torch: only where a checkpoint is read

    try:
        data = load_checkpoint(path)
    except CheckpointError as exc:
        raise UserError(str(exc)) from None
    meta = data.get("meta", {})
    if meta.get("character") not in (None, character):
        raise UserError(f"{path}: checkpoint is for character {meta.get('character')!r}, not {character!r}")
    if (meta.get("obs_size"), meta.get("act_size")) != (obs_size, act_size):
        raise UserError(
            f"{path}: checkpoint expects {meta.get('obs_size')} observations / {meta.get('act_size')} actions, "
            f"the environment has {obs_size} / {act_size}"
        )
    return data
