"""ImitationEnv: a Gymnasium environment rewarding a simulated character for tracking a clip.

Observation: DeepMimic's state (see `characters.observation` for the layout). Action: PD targets, absolute or relative to the
reference (see `characters.actions`). Reward: DeepMimic's imitation reward in
[0, 1] (see `characters.rewards`); `info["reward_terms"]` holds every term.

An episode is *terminated* when the character falls (a link touches the
ground that the clip never puts there: `characters.clip_contacts`, or a link drifts more than
`pose_termination_m` from its reference position) or the physics blows up;
it is *truncated* at `episode_seconds` or when a non-looping clip ends.
The normalized episode return is the return divided by the number of steps.

`step_many` steps several environments of one character, clip and config as a
batch (the numpy work once for all, the physics per environment);
`ImitationEnv.step` is a batch of one, and `characters.vector_env` wraps a batch
behind the vector-env interface the rollout workers use.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence
from pathlib import Path

import gymnasium as gym
import numpy as np

from characters import body as body_module
from characters.actions import ActionMap
from characters.body import SimCharacter
from characters.clip_contacts import CONTACT_REACH_M, CONTACT_SAMPLE_HZ, allowed_ground_links, reference_clearance
from characters.clip_facts import turn_on_ground
from characters.config import EnvConfig
from characters.gait_family import GaitFamily
from characters.layout import joint_layout
from characters.mirror import MirrorMap, action_mirror, half_cycle_mirror_error, observation_mirror, reflection_signs
from characters.observation import build_observations, observation_size, reference_features
from characters.pushes import draw_push
from characters.quiet import quiet_c_output
from characters.reference import ReferenceMotion
from characters.registry import get_character
from characters.rewards import TERMS, batch_errors_and_metrics, batch_rewards
from characters.spec import CharacterSpec
from characters.state import CharacterState, map_arrays
from characters.task import task_for
from motions.clip import Clip
from motions.interpolate import Pose, phase_at, phases_at
from motions.library import resolve_clip
from motions.loading import load_clip
from motions.rotations import heading_matrices, yaw_quat

pb = body_module.pb
MARKER_HALF_EXTENTS = (0.3, 0.004, 0.025)  # m: the steering command's arrow, a bar on the ground
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
        self.marker: int | None = None  # steering, when viewed: an arrow on the ground along the command
        self.spec_ = get_character(character) if isinstance(character, str) else character
        self.config = config or EnvConfig()
        if isinstance(motion, Clip):
            self.clip = motion
        else:
            self.clip = load_clip(resolve_clip(str(motion), self.spec_.clip_prefix), self.spec_.joint_dofs, self.spec_.name,
                                  self.spec_.clip_convention)  # fmt: skip
        self.task = task_for(self.config, self.clip)  # a goal beside the imitation (`characters.task`), observed last; None: none
        self.client = pb.connect(pb.DIRECT)
        self._build_world()
        self.layout = joint_layout(self.spec_)
        self.actions = ActionMap(self.spec_, self.layout, self.config.action_mode, self.spec_.relative_action_limit_rad)
        self.reference = ReferenceMotion(self.clip, self.body.kinematic_tree(), table_hz=self.config.sim_hz)
        speed_clips = self.config.steering.speed_clips if self.config.steering is not None else ()
        if speed_clips:  # a faster gait beside the clip: the reference blends them as the commanded speed asks
            if len(speed_clips) > 1:
                raise ValueError(f"steering blends the clip with one faster clip, not {len(speed_clips)}: {list(speed_clips)}")
            fast = load_clip(resolve_clip(str(speed_clips[0]), self.spec_.clip_prefix), self.spec_.joint_dofs, self.spec_.name,
                             self.spec_.clip_convention)  # fmt: skip
            self.reference = GaitFamily(self.clip, fast, self.body.kinematic_tree(), table_hz=self.config.sim_hz)
            self.task.use_gaits(self.reference)
        self._ee = np.array(self.body.end_effector_indices)
        self._allowed_contacts = self._ground_links()  # link indices that may touch the ground in this clip
        tree = self.reference.tree
        self._masses = np.concatenate([[tree.base_mass], tree.mass])
        # [state_width, 3]: a row of `SimCharacter.append_state` values times this is the centre-of-mass velocity
        self._com_weights = self.body.velocity_weights(self._masses / self._masses.sum())
        # the observed bodies: every link, after the base when the base is the clip's root (its state is not a link's)
        self._observe_base = self.body.root_index < 0
        names = [n for n, _ in sorted(self.body.link_index.items(), key=lambda kv: kv[1])]
        self._link_names = names  # by PyBullet link index
        self._observed_names = [self.body.base_name, *names] if self._observe_base else names
        # "root" names the character's root link, whatever the URDF calls it
        ref_names = [self.spec_.root_link if n == "root" else n for n in self.config.reference_obs_links]
        unknown = [n for n in ref_names if n not in self._observed_names]
        if unknown:
            raise ValueError(f"character {self.spec_.name!r}: reference_obs_links {unknown} are not links of {self.spec_.urdf}")
        # which bodies' upcoming clip poses are observed (None: all), in observation order
        self._ref_links = np.array(sorted(self._observed_names.index(n) for n in ref_names)) if ref_names else None
        n_ref = None if self._ref_links is None else len(self._ref_links)
        n_obs = observation_size(len(self._observed_names), len(self.config.reference_obs_steps), n_ref)
        self.steering = self.config.steering
        if self.task is not None:
            n_obs += self.task.obs_size
        self.push_at = math.inf  # pushes: seconds into the episode of the next one
        self.training = True  # training-only perturbations (the config's random pushes) happen; off for evaluation
        self.observation_space = gym.spaces.Box(-np.inf, np.inf, shape=(n_obs,), dtype=np.float32)
        self.action_space = gym.spaces.Box(self.actions.low.astype(np.float32), self.actions.high.astype(np.float32), dtype=np.float32)
        self._reset_offsets = np.array([0, *self.config.reference_obs_steps], dtype=float) / self.config.control_hz  # s, a reset's lookup
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
        if self.task is not None and (self._want_ghost or self._want_egl):  # viewed: show where the task points
            shape = pb.createVisualShape(pb.GEOM_BOX, halfExtents=list(MARKER_HALF_EXTENTS), rgbaColor=[1.0, 0.8, 0.1, 1.0],
                                         physicsClientId=c)  # fmt: skip
            self.marker = pb.createMultiBody(baseMass=0, baseVisualShapeIndex=shape, basePosition=[0, -1, 0], physicsClientId=c)
        self._world_state = pb.saveState(physicsClientId=c)

    def place_ghost(self, ref: CharacterState) -> None:
        """Show the reference `ref` (a clip state) as the translucent ghost, shifted by `ghost_offset`; no ghost: nothing."""
        if self.ghost is not None:
            self.ghost.set_pose(Pose(ref.pose.root_pos + self.ghost_offset, ref.pose.root_quat, ref.pose.joints))

    def steer_to(self, heading: float, speed: float | None = None) -> None:
        """Command a heading (rad, `characters.steering`), and a speed (m/s) when the task blends gaits, from now
        on: random changes stop until the next reset (a player steering, a scripted course)."""
        if self.steering is None:
            raise ValueError("this environment is not steered (EnvConfig.steering is None)")
        self.task.hold(heading, self.steps / self.config.control_hz, speed)
        self.place_marker()

    def add_dots(self, count: int, radius: float, rgba: tuple[float, float, float, float]) -> list[int]:
        """`count` flat discs for a viewer to lay on the ground (visual only, parked below it until moved with
        `pb.resetBasePositionAndOrientation`). A reset puts them back below the ground."""
        c = self.client
        shape = pb.createVisualShape(pb.GEOM_CYLINDER, radius=radius, length=0.004, rgbaColor=list(rgba), physicsClientId=c)
        flat = pb.getQuaternionFromEuler([-math.pi / 2, 0.0, 0.0])  # the cylinder's axis (z) along y, up
        dots = [pb.createMultiBody(baseMass=0, baseVisualShapeIndex=shape, basePosition=[0.0, -1.0, 0.0], baseOrientation=flat,
                                   physicsClientId=c) for _ in range(count)]  # fmt: skip
        self._world_state = pb.saveState(physicsClientId=c)  # resets restore the world with the dots in it
        return dots

    def set_training(self, on: bool) -> None:
        """Training-only perturbations (the config's random pushes) on or off from the next episode."""
        self.training = bool(on)

    def push(self, delta_v: np.ndarray) -> None:
        """Push the character: its whole body gains the velocity delta_v [3] (m/s, world), as from a hit."""
        self.body.kick(np.asarray(delta_v, dtype=float))

    def place_marker(self) -> None:
        """Put the task's arrow at the character's feet, pointing its way (no marker or no arrow: nothing)."""
        heading = None if self.marker is None else self.task.arrow()
        if heading is None:
            return
        root = pb.getBasePositionAndOrientation(self.body.body, physicsClientId=self.client)[0]
        direction = np.array([math.cos(heading), 0.0, -math.sin(heading)])
        where = np.array([root[0], 0.01, root[2]]) + 0.35 * direction
        pb.resetBasePositionAndOrientation(self.marker, where.tolist(), yaw_quat(heading).tolist(), physicsClientId=self.client)

    def close(self) -> None:
        if self.client is not None and pb.isConnected(self.client):
            with quiet_c_output():  # the EGL plugin says goodbye on stdout
                pb.disconnect(self.client)
        self.client = None

    # ----------------------------------------------------------------- state
    def sim_state(self) -> tuple[CharacterState, np.ndarray]:
        """The simulated character as a CharacterState, and its raw link rows [L,16]."""
        state, links = read_states([self])
        return map_arrays(state, lambda a: a[0]), links[0]

    def _ground_links(self) -> frozenset[int]:
        """Link indices (-1 the base) that may touch the ground (`characters.clip_contacts`): the character's
        ground-contact links, and any link the clip itself brings to the ground. Poses the body; a reset
        restores the world."""
        clearance = self._clip_clearance(self._extreme_blends())
        always = np.zeros(self.body.num_links + 1, dtype=bool)
        always[[self.body.link_index[n] + 1 for n in self.spec_.ground_contact_links]] = True
        return frozenset((np.flatnonzero(allowed_ground_links(clearance, always)) - 1).tolist())

    def _clip_times(self) -> np.ndarray:
        """Times over the clip, CONTACT_SAMPLE_HZ apart, at which the clip's contacts are read."""
        return np.linspace(0.0, self.clip.duration, int(self.clip.duration * CONTACT_SAMPLE_HZ) + 1)

    def _clip_clearance(self, blends: Sequence[float]) -> np.ndarray:
        """Each link's distance to the ground [T*B,K] (column 0 the base) in the clip's poses at `_clip_times`, for
        each time every blend (`characters.clip_contacts.reference_clearance`). Poses the body; a reset restores the world."""
        poses = [self.reference.state_at(float(t), blend).pose for t in self._clip_times() for blend in blends]
        return reference_clearance(self.body.body, self.plane, self.client, self.body.set_pose, poses, self.body.num_links,
                                   reach_m=CONTACT_REACH_M)  # fmt: skip

    def feet_turn_on_ground(self) -> dict[str, float]:
        """How fast the clip turns each of the character's feet about the vertical while the foot stands on the ground,
        radians per second averaged over the clip (`characters.clip_facts.turn_on_ground`); a gait family: its
        slowest gait. Poses the body; a reset restores the world."""
        times = self._clip_times()
        feet = [self.body.link_index[n] for n in self.spec_.ground_contact_links]
        rates = turn_on_ground(self.reference.states_at(times).link_quat[:, feet], self._clip_clearance((0.0,))[:, np.add(feet, 1)],
                               float(times[1] - times[0]))  # fmt: skip
        return dict(zip(self.spec_.ground_contact_links, rates.tolist(), strict=True))

    def _extreme_blends(self) -> tuple[float, ...]:
        """The blends whose every pose matters (a gait family's slowest and fastest gait; one clip: itself)."""
        return (0.0, 1.0) if isinstance(self.reference, GaitFamily) else (0.0,)

    def blend(self) -> float:
        """The clip blend this environment's reference is at now (0 for a single clip)."""
        blends, _ = _blends_and_rates([self])
        return 0.0 if blends is None else float(blends[0])

    def rate(self) -> float:
        """Clip time per second now (1 for a single clip; a gait family's blends run faster or slower)."""
        return float(_blends_and_rates([self])[1][0])

    def observed_link_names(self) -> list[str]:
        """The bodies in the observation, in its order: every link by PyBullet index, after the base when the
        base is the clip's root (`characters.observation` lays them out)."""
        return list(self._observed_names)

    def ground_contact_links(self) -> tuple[str, ...]:
        """Names of the links that may touch the ground in this clip (the feet, and what the clip puts down)."""
        return tuple(self.link_name(j) for j in sorted(self._allowed_contacts))

    def _fell(self) -> bool:
        """A link touches the ground that the clip never puts there (`_ground_links`): a contact point closer
        than 1 mm, DeepMimic's tolerance (cContactManager). PyBullet also reports points farther apart, inside
        its contact margin."""
        return self._fall_link() is not None

    def _fall_link(self) -> int | None:
        """The PyBullet index (-1: the base) of a link touching the ground where the clip never puts it, or None."""
        contacts = pb.getContactPoints(bodyA=self.body.body, bodyB=self.plane, physicsClientId=self.client)
        allowed = self._allowed_contacts
        for c in contacts:  # a loop, not any(generator): this runs once per environment and control step
            if c[8] <= 1e-3 and c[3] not in allowed:
                return c[3]
        return None

    def link_name(self, index: int) -> str:
        """The name of the link at PyBullet index `index` (-1: the base)."""
        return "base" if index == -1 else self._link_names[index]

    def _ground_penetration(self) -> float:
        """How far the body dips below the ground plus a 1 mm pad (0 when it clears it)."""
        pad = 1e-3
        points = pb.getClosestPoints(self.body.body, self.plane, pad, physicsClientId=self.client)
        return max(0.0, pad - min((p[8] for p in points), default=pad))

    @property
    def phase(self) -> float:
        """Fraction of the clip's cycle at the environment's time, in [0, 1)."""
        return phase_at(self.clip, self.time)

    def pose_as_clip(self, time_s: float) -> CharacterState:
        """Kinematic playback: move the environment's clock to time_s and put the character (and the ghost) in the
        clip's pose and velocities there, without physics. Returns the clip's state at time_s."""
        self.time = float(time_s)
        ref = self.reference.state_at(self.time)
        self.body.set_pose(ref.pose, ref.velocity)
        self.place_ghost(ref)
        return ref

    # ----------------------------------------------------------------- API
    def reset(self, *, seed: int | None = None, options: dict | None = None) -> tuple[np.ndarray, dict]:
        super().reset(seed=seed)
        obs, infos = start_episodes([self], np.array([self.draw_start(options)]))
        return obs[0], infos[0]

    def draw_start(self, options: dict | None = None) -> float:
        """Where a new episode starts in the clip: options["start_time"], else a random time (reference
        state initialization, drawn from this environment's generator) or 0. `reset` draws one per episode."""
        options = options or {}
        if "start_time" in options:
            return float(options["start_time"])
        if self.config.random_start:
            return self.np_random.random() * self.clip.duration  # uniform(0, duration), the same draw for less work
        return 0.0

    def mirror_map(self, tolerance_rad: float = 0.05) -> MirrorMap:
        """The task's left-right mirror image (`characters.mirror`): the mirrored character tracks this
        clip half a cycle later. Refused (ValueError naming the clip) for a character without mirror
        pairs, a clip that does not loop, or one farther than `tolerance_rad` from its own mirror image."""
        spec, name = self.spec_, self.clip.source
        if not spec.mirror_pairs:
            raise ValueError(f"character {spec.name!r} has no mirror pairs: its mirror image is not known")
        if not self.clip.loop:
            raise ValueError(f"{name}: the mirror needs a looping clip (its mirror image half a cycle later)")
        names = [n for n, _ in sorted(self.body.link_index.items(), key=lambda kv: kv[1])]
        levels = self.reference.refs if isinstance(self.reference, GaitFamily) else [self.reference]
        errors = [half_cycle_mirror_error(spec, names, ref, ref.clip.duration) for ref in levels]  # every gait of a family
        pos_err, rot_err = max(e[0] for e in errors), max(e[1] for e in errors)
        if rot_err > tolerance_rad:
            raise ValueError(f"{name}: not its own mirror image half a cycle later (links {rot_err:.3f} rad, {pos_err:.3f} m "
                             f"apart on average; the mirror needs < {tolerance_rad:g} rad)")  # fmt: skip
        obs_perm, obs_sign = observation_mirror(spec, self._observed_names, len(self.config.reference_obs_steps), self._ref_links)
        if self.task is not None:  # the task's block, mirrored as the task says
            perm, sign = self.task.obs_mirror(reflection_signs(spec)[0])
            obs_perm = np.concatenate([obs_perm, len(obs_perm) + perm])
            obs_sign = np.concatenate([obs_sign, sign.astype(obs_sign.dtype)])
        act_perm, act_sign = action_mirror(spec, self.reference.tree, self.body.joint_indices, self.config.action_mode)
        return MirrorMap(obs_perm, obs_sign, act_perm, act_sign)

    def action_base_pose(self) -> np.ndarray:
        """[D] the clip's joint pose that relative actions are added to (and that an exported
        controller takes as `ref_pose`): the pose `relative_lookahead_steps` control steps ahead."""
        ahead = self.config.relative_lookahead_steps / self.config.control_hz * self.rate()
        return self.reference.state_at(self.time + ahead, self.blend()).pose.joints

    def step(self, action: np.ndarray) -> tuple[np.ndarray, float, bool, bool, dict]:
        obs, rewards, terminated, truncated, infos = step_many([self], np.asarray(action, dtype=float)[None])
        return obs[0], float(rewards[0]), bool(terminated[0]), bool(truncated[0]), infos[0]


def read_states(envs: Sequence[ImitationEnv]) -> tuple[CharacterState, np.ndarray]:
    """The simulated characters of N environments (same character) as one CharacterState with a
    leading N axis, and their raw link rows [N,L,16]: one array built from all the simulators' output."""
    flat: list[float] = []
    for e in envs:
        e.body.append_state(flat)
    return states_from_values(envs[0], flat)


def states_from_values(env: ImitationEnv, flat: list[float]) -> tuple[CharacterState, np.ndarray]:
    """`read_states` from the `SimCharacter.append_state` values of N bodies like env's, one after another."""
    body = env.body
    values = np.fromiter(flat, float, len(flat)).reshape(-1, body.state_width)
    pose, vel, links = body.split_state(values)
    com_vel = values @ env._com_weights  # the mass-weighted mean of the root's and the links' velocities, in one product
    return CharacterState(pose, vel, links[:, :, 0:3], links[:, :, 3:7], links[:, :, 13:16], com_vel), links


def start_episodes(envs: Sequence[ImitationEnv], starts: np.ndarray) -> tuple[np.ndarray, list[dict]]:
    """Start a new episode in each of N environments of the same character, clip and config at clip
    times starts [N]: observations [N,O] and the reset infos. The numpy work (clip lookup, reading the
    bodies, the self-check, observations) runs once for all; a batch's auto-resets share it. Each body
    takes the clip's pose and velocities; one that dips into the ground is lifted out (DeepMimic's
    ResolveCharGroundIntersect). Raises ReferenceMismatchError when a body does not take the pose."""
    e0, n = envs[0], len(envs)
    cfg = e0.config
    k = len(cfg.reference_obs_steps)
    if e0.task is not None:  # the task's goal first: a gait family's blend decides the start pose
        tasks = [env.task for env in envs]
        e0.task.begin(tasks, np.zeros(n), [env.np_random for env in envs])
    blends, rates = _blends_and_rates(envs)
    # the clip at the starts and at the observed steps ahead, in one lookup (time-major: now, then each step ahead)
    refs = e0.reference.states_at((e0._reset_offsets[:, None] * rates[None, :] + starts[None, :]).ravel(),
                                  None if blends is None else np.tile(blends, k + 1))  # fmt: skip
    ref = map_arrays(refs, lambda a: a[:n])
    lifts = np.zeros(n)
    for i, env in enumerate(envs):
        pb.restoreState(env._world_state, physicsClientId=env.client)
        env.start_time = env.time = float(starts[i])
        env.steps = 0
        mine = map_arrays(ref, lambda a, i=i: a[i])
        env.body.set_pose(mine.pose, mine.velocity)
        env.place_ghost(mine)
        lift = lifts[i] = env._ground_penetration()
        if lift > 0.0:  # clip feet that dip into the ground: the root is lifted out
            env.body.lift_base(mine.pose.root_pos + np.array([0.0, lift, 0.0]), mine.pose.root_quat, mine.velocity)
    sim, links = read_states(envs)  # every body read once, after its reset
    gap = sim.link_pos - ref.link_pos
    gap[:, :, 1] -= lifts[:, None]
    errors = np.sqrt(np.einsum("nij,nij->ni", gap, gap).max(axis=1))  # the farthest link of each body, NaN if any is
    for env, error in zip(envs, errors.tolist(), strict=True):
        if not error < 1e-2:  # the clip's pose (lifted as the body was) is not the body's: they do not fit
            raise ReferenceMismatchError(
                f"character {env.spec_.name!r} does not take the pose of clip {env.clip.source!r} "
                f"(body position error {error:.3g} m after reset; expected < 0.01 m)"
            )
    phases = phases_at(e0.clip, starts)
    future = _future(refs, n, k, e0._observe_base) if k else None
    obs = observe(phases, sim.pose.root_pos, sim.pose.root_quat, _observed_rows(sim, links, e0._observe_base), future, cfg, e0._ref_links)
    if e0.task is not None:
        obs = np.concatenate([obs, e0.task.observe(tasks, sim)], axis=1)
        for env in envs:
            env.place_marker()
    if cfg.pushes is not None:  # the first push comes a while into the episode (none in evaluation)
        for env in envs:
            env.push_at = env.np_random.uniform(*cfg.pushes.every_seconds) if env.training else math.inf  # s into the episode
    infos = []
    for env, ob, start, phase, lift in zip(envs, obs, starts.tolist(), phases.tolist(), lifts.tolist(), strict=True):
        env._last_obs = ob
        infos.append({"time": env.time, "phase": phase, "start_time": start, "lift_m": lift})
    return obs, infos


def observe(phase: np.ndarray, root_pos: np.ndarray, root_quat: np.ndarray, links: np.ndarray, refs: CharacterState | None,
            config: EnvConfig, ref_links: np.ndarray | None = None,
            heading: tuple[np.ndarray, np.ndarray] | None = None) -> np.ndarray:  # fmt: skip
    """Observations [N,O] of N characters (phase [N], root_pos [N,3], root_quat [N,4], links [N,L,16]):
    DeepMimic's state, then the clip's upcoming poses when `config.reference_obs_steps` asks for them
    (refs: the clip at those K steps, link arrays [N,K,L,...]; ref_links: the link indices [R] observed, None = all;
    heading: `heading_matrices(root_quat)` if the caller has them already)."""
    if heading is None:
        heading = heading_matrices(root_quat)
    obs = build_observations(phase, root_pos, root_quat, links, heading)
    if not config.reference_obs_steps:
        return obs
    pos, quat = (refs.link_pos, refs.link_quat) if ref_links is None else (refs.link_pos[:, :, ref_links], refs.link_quat[:, :, ref_links])
    return np.concatenate([obs, reference_features(root_pos, root_quat, pos, quat, heading)], axis=1)


def step_many(envs: Sequence[ImitationEnv], actions: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, list[dict]]:
    """One control step of N environments of the same character, clip and config, each in its own
    simulator: actions [N,A] -> observations [N,O], rewards [N], terminated [N], truncated [N], infos.

    The numpy work (reference lookup, PD targets, errors, rewards, observations) runs once over the
    whole batch; only the physics and its reads are per environment. `ImitationEnv.step` is this with N = 1."""
    e0 = envs[0]
    cfg, n = e0.config, len(envs)
    hz = cfg.control_hz
    times = np.array([e.time for e in envs])
    blends, rates = _blends_and_rates(envs)
    new_times = times + rates / hz
    clock = np.array([e.steps + 1 for e in envs]) / hz  # seconds into each episode after this step
    # every clip time this step needs, in one lookup: now (after the step), the observed future, the relative actions' base
    ahead = np.array(cfg.reference_obs_steps, dtype=float) / hz
    relative = e0.actions.mode == "relative"
    clip_velocity = cfg.pd_target_velocity == "clip"
    query = [new_times, *(new_times + k * rates for k in ahead)]
    if relative or clip_velocity:  # the PD's target time: the relative actions' base pose, the clip's joint velocities
        query.append(times + cfg.relative_lookahead_steps / hz * rates)
    refs = e0.reference.states_at(np.concatenate(query), None if blends is None else np.tile(blends, len(query)))
    targets = e0.actions.targets(actions, refs.pose.joints[-n:] if relative else None)
    task = e0.task
    tasks = [env.task for env in envs] if task is not None else []
    if task is not None:
        task.advance(tasks, clock, [env.np_random for env in envs])
    if cfg.pushes is not None:
        for env, t in zip(envs, clock.tolist(), strict=True):
            if t >= env.push_at - 1e-9:
                hit, wait = draw_push(env.np_random, cfg.pushes)
                env.push(hit)
                env.push_at = t + wait
    flat: list[float] = []
    fell = np.empty(n, dtype=bool)
    fall_links: dict[int, int] = {}  # environment -> the link that touched the ground where the clip never does
    substeps, step_physics = cfg.substeps, pb.stepSimulation
    velocities = refs.velocity.joints[-n:].tolist() if clip_velocity else [None] * n  # a gait family's: per second already
    for i, (env, tg, vt, t) in enumerate(zip(envs, targets.tolist(), velocities, new_times.tolist(), strict=True)):  # lists: one conversion
        body, client = env.body, env.client
        body.set_pd_targets(tg, vt)
        for _ in range(substeps):  # stable PD targets must be re-sent every physics step
            body.apply_pd()
            step_physics(physicsClientId=client)
        # read this simulator (state, ground contacts) right after its own physics, in the same pass
        env.body.append_state(flat)
        down = env._fall_link()
        fell[i] = down is not None
        if down is not None:
            fall_links[i] = down
        env.time = t
        env.steps += 1
    sim, links = states_from_values(e0, flat)
    phases = phases_at(e0.clip, new_times)
    if task is not None:  # the clip as the task wants it tracked (steering: turned to the command, under the character)
        refs = task.reference(tasks, refs, n, sim)
    with np.errstate(invalid="ignore", over="ignore"):  # a blown-up body's NaN rows are dropped below
        speed_ok = np.abs(links[:, :, 7:13]).max(axis=(1, 2)) <= cfg.max_body_speed
        blown = ~(speed_ok & np.isfinite(links.sum(axis=(1, 2))))  # NaN fails both
        ref = map_arrays(refs, lambda a: a[:n])
        # the heading frames of the simulated roots, then the clip's: the error pass and the observation share them
        rot, qmat = heading_matrices(np.concatenate([sim.pose.root_quat, ref.pose.root_quat]))
        errors, metrics = batch_errors_and_metrics(sim, ref, e0.layout, e0._ee, cfg.reward, rot)
        terms, totals = batch_rewards(errors, cfg.reward)  # [5,N] in TERMS order, [N]
        if task is not None:
            goal, task_infos = task.reward_and_infos(tasks, sim, clock)
            totals = (1.0 - task.weight) * totals + task.weight * goal
        future = _future(refs, n, len(ahead), e0._observe_base) if len(ahead) else None
        obs = observe(phases, sim.pose.root_pos, sim.pose.root_quat, _observed_rows(sim, links, e0._observe_base), future, cfg,
                      e0._ref_links, (rot[:n], qmat[:n]))  # fmt: skip
        if task is not None:
            obs = np.concatenate([obs, task.observe(tasks, sim)], axis=1)
    drifted = metrics["body_pos_err_max_m"] > cfg.pose_termination_m if cfg.pose_termination_m > 0 else np.zeros(n, bool)
    terminated = fell | drifted | blown
    rewards = np.where((terminated & cfg.reward.zero_when_fallen) | blown, 0.0, totals)
    clip_over = (not e0.clip.loop) & (new_times >= e0.clip.duration - 1e-9)
    truncated = ~terminated & ((clock >= cfg.episode_seconds - 1e-9) | clip_over)
    # every per-environment number of the infos as one row per environment, from one array
    error_keys, metric_keys = list(errors), list(metrics)
    a, b = len(TERMS), len(TERMS) + len(error_keys)
    table = np.concatenate([terms, np.stack([*errors.values(), *metrics.values(), phases, fell, drifted])]).T.tolist()
    infos: list[dict] = []
    for i, env in enumerate(envs):
        row = table[i]
        info: dict = {"time": env.time, "phase": row[-3]}
        if blown[i]:
            log.warning("physics blow-up at t=%.3f s (clip %s): episode terminated", env.time, env.clip.name)
            info["blow_up"] = True
            obs[i] = env._last_obs
        else:
            env._last_obs = obs[i]
            if env.ghost is not None:
                env.place_ghost(map_arrays(ref, lambda a, i=i: a[i]))
            env.place_marker()
            info.update(reward_terms=dict(zip(TERMS, row[:a], strict=True)), errors=dict(zip(error_keys, row[a:b], strict=True)),
                        fell=row[-2] > 0.5, drifted=row[-1] > 0.5, **dict(zip(metric_keys, row[b:-3], strict=True)))  # fmt: skip
            if task is not None:
                info.update(task_infos[i])
        if i in fall_links:
            info["fall_link"] = env.link_name(fall_links[i])
        elif drifted[i] and not blown[i]:
            info["drift_link"] = env.link_name(int(info["body_pos_err_max_link"]))
        infos.append(info)
    return obs, rewards, terminated, truncated, infos


def _blends_and_rates(envs: Sequence[ImitationEnv]) -> tuple[np.ndarray | None, np.ndarray]:
    """A gait family's blends [N] and clip-time rates [N] (`characters.gait_family`); one clip: (None, ones)."""
    family = envs[0].reference
    if not isinstance(family, GaitFamily):
        return None, np.ones(len(envs))
    blends = np.array([env.task.blend for env in envs])
    return blends, family.rate(blends)


def _observed_rows(sim: CharacterState, links: np.ndarray, with_base: bool) -> np.ndarray:
    """links [N,L,16], after a row for the base (position, orientation, velocities) when it is observed: [N,L(+1),>=13]."""
    if not with_base:
        return links
    base = np.concatenate([sim.pose.root_pos, sim.pose.root_quat, sim.velocity.root_lin, sim.velocity.root_ang], axis=1)
    return np.concatenate([base[:, None, :], links[:, :, :13]], axis=1)


def _future(refs: CharacterState, n: int, k: int, with_base: bool = False) -> CharacterState:
    """The clip's observed bodies at the K future times as arrays [N,K,L(+1),...] (rows n..n+nK of the lookup,
    time-major); with_base: the clip's root first."""
    pos, quat = refs.link_pos[n : n + n * k], refs.link_quat[n : n + n * k]
    if with_base:
        pos = np.concatenate([refs.pose.root_pos[n : n + n * k, None], pos], axis=1)
        quat = np.concatenate([refs.pose.root_quat[n : n + n * k, None], quat], axis=1)
    L = pos.shape[1]
    pos = pos.reshape(k, n, L, 3).swapaxes(0, 1)
    quat = quat.reshape(k, n, L, 4).swapaxes(0, 1)
    return CharacterState(refs.pose, refs.velocity, pos, quat, refs.joint_pos, refs.com_vel)
