"""Where a policy for play/render comes from: a run folder (numpy copy of the trained
policy), an exported ONNX file (onnxruntime only: no torch), or nothing (play the clip)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from characters.config import DEEPMIMIC_ENV, EnvConfig
from characters.registry import get_character
from imitate.errors import UserError
from imitate.motion_input import is_bvh, resolve_motion
from imitate.run_folder import env_from_jsonable
from imitate.shipped import find_shipped
from motions import load_clip, resolve_clip

Policy = Callable[[np.ndarray, np.ndarray], np.ndarray]


@dataclass(frozen=True)
class Source:
    """A controller and the environment it runs in. The environment is the training's without its random
    pushes (a training perturbation: eval, play and render show the controller undisturbed)."""

    character: str
    clip_path: str
    env: EnvConfig
    policy: Policy | None
    label: str

    def __post_init__(self) -> None:
        if self.env.pushes is not None:
            object.__setattr__(self, "env", replace(self.env, pushes=None))


def from_run(run_dir: Path, which: str = "best") -> Source:
    """The run's policy as a numpy callable (torch is needed only to read the checkpoint)."""
    from awr_core.agent import AWRAgent
    from imitate.imitation import open_env
    from imitate.run_folder import checkpoint_path, load_run_checkpoint, read_config

    config = read_config(run_dir)
    ck = checkpoint_path(run_dir, which)
    env = open_env(config.character, config.clip_path, config.env)
    data = load_run_checkpoint(ck, config.character, env.observation_space.shape[0], env.action_space.shape[0])
    agent = AWRAgent(env.observation_space, env.action_space, config.awr)
    agent.load_state_dict(data["agent"])
    env.close()
    from awr_core.numpy_policy import NumpyPolicy

    numpy_policy = NumpyPolicy(agent.policy_weights())
    return Source(config.character, config.clip_path, config.env, lambda obs, ref: numpy_policy.act(obs[None], deterministic=True)[0],
                  f"{run_dir} ({ck.name})")  # fmt: skip


def from_onnx(path: Path, motion: str | None, character: str | None) -> Source:
    """An exported controller, run by onnxruntime; rates and action mode come from its contract."""
    from imitate.onnx_policy import OnnxController

    controller = OnnxController(path)
    c = controller.contract
    name = character or controller.character
    if name != controller.character:
        raise UserError(f"{path}: controller is for character {controller.character!r}, not {name!r}")
    spec = get_character(name)
    clip_path = resolve_motion(motion or str(c["clip"]), spec)
    load_clip(clip_path, spec.joint_dofs, spec.name, spec.clip_convention)
    if "env_config" in c:  # the environment the controller was trained in, field for field
        env = env_from_jsonable(c["env_config"])
        if env.steering is not None and env.steering.speed_clips:  # a faster gait: beside the model, else by name
            found = tuple(str(path.parent / n) if (path.parent / n).is_file() else n for n in env.steering.speed_clips)
            env = replace(env, steering=replace(env.steering, speed_clips=found))
    else:
        env = replace(DEEPMIMIC_ENV, action_mode=c["action_mode"], control_hz=float(c["control_hz"]), sim_hz=float(c["physics_hz"]))

    def act(obs: np.ndarray, ref: np.ndarray) -> np.ndarray:
        return controller.act(obs[None], ref[None] if controller.relative else None)[1][0]

    return Source(name, str(clip_path), env, act, str(path))


def clip_only(motion: str, character: str) -> Source:
    spec = get_character(character)
    clip_path = resolve_motion(motion, spec)
    load_clip(clip_path, spec.joint_dofs, spec.name, spec.clip_convention)
    return Source(spec.name, str(clip_path), EnvConfig(), None, f"{clip_path.name} (reference motion)")


def resolve_source(run_dir: Path | None, policy: Path | None, motion: str | None, character: str | None,
                   reference: bool = False, steered: bool = False) -> Source:  # fmt: skip
    """A run folder, else an ONNX file, else the controller shipped for the clip (unless `reference`; steered: the
    steerable one), else the clip itself."""
    if run_dir is not None and policy is not None:
        raise UserError("give a run folder or --policy FILE.onnx, not both")
    if run_dir is not None:
        return from_run(run_dir)
    if policy is not None:
        return from_onnx(policy, motion, character)
    if motion is None:
        raise UserError("nothing to show: give a run folder, --policy FILE.onnx, or --motion CLIP")
    name = character or "humanoid"
    clip_name = None if reference or is_bvh(motion) else resolve_clip(motion, get_character(name).clip_prefix).name
    shipped = None if clip_name is None else find_shipped(name, clip_name, steered)
    if shipped is not None:
        source = from_onnx(shipped, motion, name)
        return replace(source, label=f"shipped controller {shipped.parent.name}")
    return clip_only(motion, name)
