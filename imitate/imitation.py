"""Wiring shared by train, eval and the rest: envs, agents and the success test for a run."""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any

from awr_core.collector import InProcessCollector, ProcessCollector, RayCollector
from awr_core.config import AWRConfig
from awr_core.sampler import EpisodeRecord
from awr_core.vector import default_num_envs
from characters.config import EnvConfig
from characters.env import ImitationEnv, ReferenceMismatchError
from characters.factory import ImitationBatchFactory
from characters.mirror import MirrorMap
from imitate.defaults import SUCCESS_BODY_ERROR_M
from imitate.errors import UserError

if TYPE_CHECKING:  # torch loads only when an agent is built: play/render with ONNX run without it
    from awr_core.agent import AWRAgent

INFO_KEYS = ("joint_rot_err_rad", "end_effector_err_m", "body_pos_err_m")


def is_success(record: EpisodeRecord) -> bool:
    """No fall, and a mean body-position error under 0.5 m over the episode."""
    return (not record.terminated) and record.info_means.get("body_pos_err_m", float("inf")) < SUCCESS_BODY_ERROR_M


def check_env(character: str, clip_path: str, env_config: EnvConfig) -> tuple[int, int]:
    """Build one env here and reset it: a clip that does not fit the character fails now, in one line.

    Returns (observation size, action size).
    """
    env = open_env(character, clip_path, env_config)
    sizes = (int(env.observation_space.shape[0]), int(env.action_space.shape[0]))
    env.close()
    return sizes


def open_env(character: str, clip_path: str, env_config: EnvConfig) -> ImitationEnv:
    """An environment, reset once (seed 0) so a clip/character mismatch surfaces as a UserError."""
    try:
        env = ImitationEnv(character, clip_path, env_config)
        env.reset(seed=0)
    except ReferenceMismatchError as exc:
        raise UserError(str(exc)) from None
    return env


BACKENDS = ("local", "ray")


def make_collector(character: str, clip_path: str, env_config: EnvConfig, num_envs: int, seed: int = 0,
                   backend: str = "local", asynchronous: bool = False, envs_per_worker: int = 1) -> Any:  # fmt: skip
    """Rollout actors: `num_envs` local worker processes (in-process for one synchronous worker) or Ray
    actors, each stepping `envs_per_worker` environments as one batch.

    For "ray", connect first (`awr_core.ray_actors.connect`)."""
    factories = [ImitationBatchFactory(character, clip_path, env_config, envs_per_worker) for _ in range(num_envs)]
    if backend == "ray":
        return RayCollector(factories, INFO_KEYS, seed=seed, asynchronous=asynchronous)
    if num_envs > 1 or asynchronous:
        return ProcessCollector(factories, INFO_KEYS, seed=seed, asynchronous=asynchronous)
    return InProcessCollector(factories, INFO_KEYS, seed=seed)


def default_asynchronous(backend: str) -> bool:
    """Sample while the learner updates: on for local workers (bench/scaling.py: faster than taking turns on
    2 cores), off for Ray, whose actors' cores the learner cannot know."""
    return backend == "local"


def default_envs(backend: str, asynchronous: bool) -> int:
    """Rollout workers when --envs is not given: with asynchronous local sampling half the cores
    (at least one), the learner keeps the rest; otherwise one per core (they take turns with the learner)."""
    cores = default_num_envs()
    return max(1, cores // 2) if asynchronous and backend == "local" else cores


def learner_threads(backend: str, asynchronous: bool, num_envs: int) -> int | None:
    """Threads for the learner: with asynchronous local sampling, the cores the actors leave free
    (the learner and the actors then run at the same time); otherwise None (all cores: they take turns)."""
    if asynchronous and backend == "local":
        return max(1, default_num_envs() - num_envs)
    return None


def connect_ray(address: str | None, num_cpus: int | None) -> int:
    """Join (or start) a Ray instance; returns the CPUs it has, the default number of rollout actors."""
    from awr_core.ray_actors import connect

    try:
        ray = connect(address, num_cpus)
    except ImportError as exc:
        raise UserError(str(exc)) from None
    except (ConnectionError, RuntimeError, ValueError) as exc:
        raise UserError(f"cannot reach the Ray cluster at {address}: {str(exc).strip().splitlines()[0]}") from None
    return max(1, int(ray.cluster_resources().get("CPU", 1)))


def task_mirror(character: str, clip_path: str, env_config: EnvConfig) -> MirrorMap:
    """The task's left-right mirror image, for `--mirror`; a clip or character without one is a UserError."""
    mirror = mirror_or_reason(character, clip_path, env_config)
    if isinstance(mirror, str):
        raise UserError(f"--mirror: {mirror}")
    return mirror


@functools.lru_cache(maxsize=4)  # a new run asks twice: to choose the default, then to build the agent
def mirror_or_reason(character: str, clip_path: str, env_config: EnvConfig) -> MirrorMap | str:
    """The task's mirror image, or the one-line reason there is none (a clip that is not its own mirror image half a cycle later)."""
    env = open_env(character, clip_path, env_config)
    try:
        return env.mirror_map()
    except ValueError as exc:
        return str(exc)
    finally:
        env.close()


def make_agent(collector: Any, awr_config: AWRConfig, mirror: MirrorMap | None = None) -> AWRAgent:
    return make_agent_for_spaces(collector.observation_space, collector.action_space, awr_config, mirror)


def make_agent_for_spaces(observation_space: Any, action_space: Any, awr_config: AWRConfig, mirror: MirrorMap | None = None) -> AWRAgent:
    from awr_core.agent import AWRAgent

    return AWRAgent(observation_space, action_space, awr_config, mirror)
