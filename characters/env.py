"""ImitationEnv: a Gymnasium environment rewarding a simulated character for tracking a clip.

Observation: DeepMimic's state (see `characters.observation` for the layout;
197 values for the humanoid). Action: PD targets, absolute or relative to the
reference (see `characters.actions`). Reward: DeepMimic's imitation reward in
[0, 1] (see `characters.rewards`); `info["reward_terms"]` holds every term.

An episode is *terminated* when the character falls (a link other than the
allowed ground-contact links touches the ground, or a link drifts more than
`pose_termination_m` from its reference position) or the physics blows up;
it is *truncated* at `episode_seconds` or when a non-looping clip ends.
The normalized episode return is the return divided by the number of steps.
"""

from __future__ import annotations

import logging
import math
from dataclasses import replace
from pathlib import Path

import gymnasium as gym
import numpy as np

from characters import body as body_module
from characters.actions import ActionMap
from characters.body import SimCharacter
from characters.config import EnvConfig
from characters.layout import joint_layout
from characters.observation import build_observation, observation_size, reference_features
from characters.quiet import quiet_c_output
from characters.reference import ReferenceMotion
from characters.registry import get_character
from characters.rewards import errors_and_metrics, reward_terms, total_reward
from characters.spec import CharacterSpec
from characters.state import CharacterState
from motions.clip import Clip
from motions.interpolate import Pose, phase_at
from motions.library import resolve_clip
from motions.loading import load_clip

pb = body_module.pb
log = logging.getLogger(__name__)


def load_egl_plugin(client: int) -> bool:
    """Load PyBullet's EGL renderer (fast offscreen images) if this machine has EGL; False otherwise."""
    import pkgutil

    loader = pkgutil.get_loader("eglRenderer")
    if loader is None:
        return False
    with quiet_c_output():
        plugin = pb.loadPlugin(loader.get_filename(), "_eglRendererPlugin", physicsClientId=client)
    return plugin >= 0


class ReferenceMismatchError(RuntimeError):
    """The simulated body does not take the clip's pose: clip and character do not fit."""


class ImitationEnv(gym.Env):
    metadata = {"render_modes": []}

    def __init__(
        self,
        character: str | CharacterSpec = "humanoid",
        motion: str | Path | Clip = "run.txt",
        config: EnvConfig | None = None,
        ghost: bool = False,
        egl: bool = False,
    ):
        """ghost: also show the reference as a translucent body that collides with nothing
        (for viewing; `ghost_offset` shifts it, e.g. to stand beside the character).
        egl: load PyBullet's EGL renderer plugin first, for fast offscreen camera images."""
        self.ghost_offset = np.zeros(3)
        self._want_ghost, self._want_egl = ghost, egl
        self.egl_loaded = False
        self.ghost: SimCharacter | None = None
        self.spec_ = get_character(character) if isinstance(character, str) else character
        self.config = config or EnvConfig()
        if isinstance(motion, Clip):
            self.clip = motion
        else:
            self.clip = load_clip(resolve_clip(str(motion), self.spec_.clip_prefix), self.spec_.joint_dofs, self.spec_.name)
        self.client = pb.connect(pb.DIRECT)
        self._build_world()
        self.layout = joint_layout(self.spec_)
        self.actions = ActionMap(self.spec_, self.layout, self.config.action_mode, self.config.relative_action_limit_rad)
        self.reference = ReferenceMotion(self.clip, self.body.kinematic_tree(), table_hz=self.config.sim_hz)
        self._ee = np.array(self.body.end_effector_indices)
        self._allowed_contacts = {self.body.link_index[n] for n in self.spec_.ground_contact_links}
        tree = self.reference.tree
        self._masses = np.concatenate([[tree.base_mass], tree.mass])
        n_obs = observation_size(self.body.num_links, len(self.config.reference_obs_steps))
        self.observation_space = gym.spaces.Box(-np.inf, np.inf, shape=(n_obs,), dtype=np.float32)
        self.action_space = gym.spaces.Box(self.actions.low.astype(np.float32), self.actions.high.astype(np.float32), dtype=np.float32)
        self.time = 0.0
        self.start_time = 0.0
        self.steps = 0
        self._last_obs = np.zeros(n_obs, dtype=np.float32)

    # ----------------------------------------------------------------- world
    def _build_world(self) -> None:
        c, cfg = self.client, self.config
        if self._want_egl:
            self.egl_loaded = load_egl_plugin(c)
        z_to_y = pb.getQuaternionFromEuler([-math.pi / 2, 0, 0])
        self.plane = pb.loadURDF(f"{body_module.pybullet_data.getDataPath()}/plane_implicit.urdf", [0, 0, 0], z_to_y,
                                 useMaximalCoordinates=True, physicsClientId=c)  # fmt: skip
        pb.changeDynamics(self.plane, -1, lateralFriction=cfg.ground_friction, physicsClientId=c)
        pb.setGravity(0, -9.8, 0, physicsClientId=c)
        pb.setTimeStep(1.0 / cfg.sim_hz, physicsClientId=c)
        pb.setPhysicsEngineParameter(numSolverIterations=cfg.solver_iterations, numSubSteps=0, physicsClientId=c)
        self.body = SimCharacter(self.spec_, c, self_collision=cfg.self_collision, lateral_friction=cfg.ground_friction)
        if self._want_ghost:
            self.ghost = SimCharacter(self.spec_, c, self_collision=False, fixed_base=True)
            self.ghost.make_ghost(rgba=(0.35, 0.75, 1.0, 0.35))
        self._world_state = pb.saveState(physicsClientId=c)

    def _place_ghost(self, ref: CharacterState) -> None:
        if self.ghost is not None:
            self.ghost.set_pose(Pose(ref.pose.root_pos + self.ghost_offset, ref.pose.root_quat, ref.pose.joints))

    def close(self) -> None:
        if self.client is not None and pb.isConnected(self.client):
            with quiet_c_output():  # the EGL plugin says goodbye on stdout
                pb.disconnect(self.client)
        self.client = None

    # ----------------------------------------------------------------- state
    def sim_state(self) -> tuple[CharacterState, np.ndarray]:
        """The simulated character as a CharacterState, and its raw link rows [L,16]."""
        pose, vel = self.body.get_pose()
        links = self.body.link_states()
        base_v = vel.root_lin
        com_vel = (self._masses[0] * base_v + self._masses[1:] @ links[:, 7:10]) / self._masses.sum()
        state = CharacterState(pose, vel, links[:, 0:3], links[:, 3:7], links[:, 13:16], com_vel)
        return state, links

    def _fell(self) -> bool:
        """A body other than the feet touches the ground: a contact point closer than 1 mm, DeepMimic's
        tolerance (cContactManager). PyBullet also reports points farther apart, inside its contact margin."""
        contacts = pb.getContactPoints(bodyA=self.body.body, bodyB=self.plane, physicsClientId=self.client)
        return any(c[3] not in self._allowed_contacts and c[8] <= 1e-3 for c in contacts)

    def _ground_penetration(self) -> float:
        """How far the body dips below the ground plus a 1 mm pad (0 when it clears it)."""
        pad = 1e-3
        points = pb.getClosestPoints(self.body.body, self.plane, pad, physicsClientId=self.client)
        return max(0.0, pad - min((p[8] for p in points), default=pad))

    def _observe(self, sim: CharacterState, links: np.ndarray, phase: float) -> np.ndarray:
        obs = build_observation(phase, sim.pose.root_pos, sim.pose.root_quat, links)
        if self.config.reference_obs_steps:
            refs = [self.reference.state_at(self.time + k / self.config.control_hz) for k in self.config.reference_obs_steps]
            extra = reference_features(sim.pose.root_pos, sim.pose.root_quat,
                                       np.stack([r.link_pos for r in refs]), np.stack([r.link_quat for r in refs]))  # fmt: skip
            obs = np.concatenate([obs, extra])
        self._last_obs = obs
        return obs

    def _phase(self) -> float:
        return phase_at(self.clip, self.time)

    # ----------------------------------------------------------------- API
    def reset(self, *, seed: int | None = None, options: dict | None = None) -> tuple[np.ndarray, dict]:
        super().reset(seed=seed)
        options = options or {}
        if "start_time" in options:
            start = float(options["start_time"])
        elif self.config.random_start:
            start = float(self.np_random.uniform(0.0, self.clip.duration))
        else:
            start = 0.0
        pb.restoreState(self._world_state, physicsClientId=self.client)
        self.start_time = self.time = start
        self.steps = 0
        ref = self.reference.state_at(start)
        self.body.set_pose(ref.pose, ref.velocity)
        self._place_ghost(ref)
        sim, links = self.sim_state()
        error = float(np.max(np.linalg.norm(sim.link_pos - ref.link_pos, axis=1)))
        if not error < 1e-2:
            raise ReferenceMismatchError(
                f"character {self.spec_.name!r} does not take the pose of clip {self.clip.source!r} "
                f"(body position error {error:.3g} m after reset; expected < 0.01 m)"
            )
        lift = self._ground_penetration()
        if lift > 0.0:  # DeepMimic's ResolveCharGroundIntersect: clip feet that dip into the ground are lifted out
            self.body.set_pose(replace(ref.pose, root_pos=ref.pose.root_pos + np.array([0.0, lift, 0.0])), ref.velocity)
            sim, links = self.sim_state()
        phase = self._phase()
        return self._observe(sim, links, phase), {"time": self.time, "phase": phase, "start_time": start, "lift_m": lift}

    def action_base_pose(self) -> np.ndarray:
        """[D] the clip's joint pose that relative actions are added to (and that an exported
        controller takes as `ref_pose`): the pose `relative_lookahead_steps` control steps ahead."""
        return self.reference.state_at(self.time + self.config.relative_lookahead_steps / self.config.control_hz).pose.joints

    def step(self, action: np.ndarray) -> tuple[np.ndarray, float, bool, bool, dict]:
        cfg = self.config
        base = self.action_base_pose() if self.actions.mode == "relative" else None
        targets = self.actions.targets(np.asarray(action, dtype=float), base)
        self.body.set_pd_targets(targets)
        for _ in range(cfg.substeps):  # stable PD targets must be re-sent every physics step
            self.body.apply_pd()
            pb.stepSimulation(physicsClientId=self.client)
        self.time += 1.0 / cfg.control_hz
        self.steps += 1
        sim, links = self.sim_state()
        phase = self._phase()
        info: dict = {"time": self.time, "phase": phase}
        if not np.abs(links[:, 7:13]).max() <= cfg.max_body_speed or not math.isfinite(float(links.sum())):  # NaN fails both
            log.warning("physics blow-up at t=%.3f s (clip %s): episode terminated", self.time, self.clip.name)
            info["blow_up"] = True
            return self._last_obs.copy(), 0.0, True, False, info
        ref = self.reference.state_at(self.time)
        self._place_ghost(ref)
        errors, metrics = errors_and_metrics(sim, ref, self.layout, self._ee, cfg.reward)
        terms = reward_terms(errors, cfg.reward)
        fell = self._fell()
        drifted = cfg.pose_termination_m > 0 and metrics["body_pos_err_max_m"] > cfg.pose_termination_m
        terminated = fell or drifted
        reward = 0.0 if (terminated and cfg.reward.zero_when_fallen) else total_reward(terms, cfg.reward)
        clip_over = (not self.clip.loop) and self.time >= self.clip.duration - 1e-9
        truncated = (not terminated) and (self.time - self.start_time >= cfg.episode_seconds - 1e-9 or clip_over)
        info.update(reward_terms=terms, errors=errors, fell=fell, drifted=drifted, **metrics)
        return self._observe(sim, links, phase), float(reward), bool(terminated), bool(truncated), info
