"""Drive a physics character with an exported controller, shaped like a game loop.

    imitate export runs/humanoid-walk-... -o walk.onnx
    python examples/onnx_game_loop.py walk.onnx --seconds 10
    python examples/onnx_game_loop.py steer.onnx --course course.json   # a steered controller on a scripted course
    python examples/onnx_game_loop.py steer.onnx --gui                  # ... steered with the arrow keys

Everything the game needs is in walk.json (also inside the .onnx as metadata):
the observation layout, the PD-target layout in joint order, the gains and
torque limits, and the rates. This script plays the game engine's part with
PyBullet; the comments say where each step goes in Unity or Unreal.

  Unity (Inference Engine / Sentis): ModelLoader.Load(asset) -> Worker;
    each FixedUpdate at control_hz: fill a Tensor<float>(shape [1, obs]) named
    "obs" (and "ref_pose" if the contract lists it), worker.Schedule(...),
    read "actions"; set each ArticulationBody's drive target from its slice
    (quaternion x,y,z,w -> rotation drive, radians -> revolute drive) with the
    contract's stiffness (kp) and damping (kd), forceLimit = torque_limit_nm;
    where the contract's pd_target_velocity is "clip", the drive's target
    velocity is the animation's joint velocity at the same time as ref_pose.
    Mind the frames: the contract's world is y-up, right-handed, metres;
    Unity is y-up, left-handed (negate z positions and the x,y of quaternions).
  Unreal (NNE): UNNEModelData -> INNERuntimeCPU -> CreateModelInstance;
    SetInputTensorShapes({1, obs}); RunSync with the observation buffer; apply
    the targets to Physics Control / physical animation drives at control_hz.
    Unreal is z-up, left-handed, centimetres: convert positions, swap axes.

A steered controller (its contract lists a "command" input) also takes where the player steers: cos and sin
of the commanded heading relative to the character's heading, and the clip's pace. The game turns the clip it
samples toward the command at the contract's turn rate and keeps it under the character (`Steering`); the
player's stick sets the command: heading = the stick's direction in the world (camera yaw + stick angle),
in the contract's convention (a ground direction (dx, dz) has heading atan2(-dz, dx)).
"""

from __future__ import annotations

import argparse
import json
import math
from pathlib import Path

import numpy as np
import onnxruntime as ort
import pybullet as p
import pybullet_data

from characters.urdf_collisions import collisions_from_json, loadable_urdf
from motions import load_clip, pose_at, resolve_clip, velocity_at
from motions.blend import blend_cycle, phase_offset
from motions.clip_convention import ClipConvention
from motions.rotations import heading_angle, quat_canonical, quat_mul, quat_rotate, wrap_angle, yaw_quat


class Animation:
    """What the game's animation system hands the controller: the clip's pose at a clip time, and how fast clip
    time runs. One clip: itself, at rate 1. A steered controller trained on two gaits (the contract's
    env_config.steering.speed_clips): the blend of the clip and the faster gait that the commanded speed asks
    for (a blend tree: the gaits aligned by phase, mixed at the same fraction of their cycles); clip time is
    the slow clip's, so it runs at T_slow / T(blend)."""

    LEVELS = 9  # the speeds of these blends map a commanded speed to a blend (as the controller was trained)

    def __init__(self, contract: dict, clip, model: Path) -> None:
        self.clip, self.fast, self.blend, self._cycles = clip, None, 0.0, {}
        names = ((contract["env_config"].get("steering") or {}).get("speed_clips")) or []
        if names:  # the faster gait: beside the model (imitate export writes it there), else a shipped clip by name
            beside = model.parent / names[0]
            self.fast = game_clip(contract, beside if beside.is_file() else resolve_clip(names[0]))
            self.offset = phase_offset(clip, self.fast)
            levels = [blend_cycle(clip, self.fast, w, self.offset) for w in np.linspace(0.0, 1.0, self.LEVELS)]
            self.paces = [float(np.hypot(c.cycle_offset[0], c.cycle_offset[2])) / c.duration for c in levels]

    def cycle(self):
        """The blended gait now (the clip itself without a faster gait)."""
        if self.fast is None:
            return self.clip
        key = round(self.blend, 6)
        if key not in self._cycles:
            self._cycles = {key: blend_cycle(self.clip, self.fast, self.blend, self.offset)}
        return self._cycles[key]

    def rate(self) -> float:
        return self.clip.duration / self.cycle().duration

    def pose(self, t: float):
        """The pose at clip time t (the slow clip's clock: phase t / T_slow)."""
        cycle = self.cycle()
        return pose_at(cycle, t / self.clip.duration * cycle.duration)

    def velocity(self, t: float):
        """The joint velocities at clip time t (per second of game time: the blended gait plays at its own pace)."""
        cycle = self.cycle()
        return velocity_at(cycle, t / self.clip.duration * cycle.duration)

    def blend_for(self, speed: float) -> float:
        return float(np.interp(speed, self.paces, np.linspace(0.0, 1.0, self.LEVELS))) if self.fast is not None else 0.0


class Steering:
    """A steered controller's command and the turned clip, as the game keeps them (the contract's
    env_config.steering): the commanded heading, the clip's heading turning toward it at turn_rate_rad_s but
    never more than lead_cap_rad ahead of the character's, and on two gaits the commanded speed, the
    animation's blend moving toward it at blend_rate_per_s."""

    def __init__(self, contract: dict, animation: Animation) -> None:
        cfg = contract["env_config"]["steering"]
        self.turn_step = cfg["turn_rate_rad_s"] / contract["control_hz"]  # rad per control tick
        self.blend_step = cfg.get("blend_rate_per_s", 1.0) / contract["control_hz"]
        self.lead_cap = cfg.get("lead_cap_rad")  # rad, or None: the clip turns on however far the character lags
        self.animation = animation
        offset = animation.clip.cycle_offset  # the clip's own way and pace: one cycle's travel
        self.travel_heading = math.atan2(-offset[2], offset[0])
        self.pace = float(np.hypot(offset[0], offset[2])) / animation.clip.duration
        self.speed_range = (animation.paces[0], animation.paces[-1]) if animation.fast is not None else (self.pace, self.pace)
        self.speed = self.speed_range[0]
        self.command = self.ref_heading = self.travel_heading  # the clip's own way at the start

    def steer(self, heading: float, speed: float | None = None) -> None:
        """The player's command: a heading on the ground (rad), and a speed (m/s) on two gaits."""
        self.command = float(wrap_angle(np.array(heading)))
        if speed is not None:
            self.speed = float(np.clip(speed, *self.speed_range))

    def advance(self) -> None:
        """One control tick: the clip's heading toward the command, the short way round; the blend toward the speed."""
        self.ref_heading = float(wrap_angle(np.array(self.ref_heading + np.clip(wrap_angle(np.array(self.command - self.ref_heading)),
                                                                                -self.turn_step, self.turn_step))))  # fmt: skip
        a = self.animation
        a.blend += float(np.clip(a.blend_for(self.speed) - a.blend, -self.blend_step, self.blend_step))

    def command_input(self, root_quat: np.ndarray) -> np.ndarray:
        """The controller's "command" input [3]: the command relative to the character's heading, and the speed."""
        rel = self.command - heading_angle(root_quat)
        return np.array([math.cos(rel), math.sin(rel), self.speed], dtype=np.float32)

    def yaw(self, root_quat: np.ndarray, clip_root_quat: np.ndarray) -> float:
        """How far the clip is turned about the vertical (rad), given the character's root orientation and the
        clip's root orientation now (x,y,z,w): a clip that would head more than lead_cap_rad from the character
        waits for it."""
        if self.lead_cap is not None:
            turned = heading_angle(clip_root_quat) + self.ref_heading - self.travel_heading  # the clip's root's heading
            lead = float(wrap_angle(np.array(turned - heading_angle(root_quat))))
            self.ref_heading -= lead - float(np.clip(lead, -self.lead_cap, self.lead_cap))
        return self.ref_heading - self.travel_heading


def body_state(body: int, link: int) -> tuple:
    """(position, orientation x,y,z,w, linear, angular velocity) of a link, or of the base for link -1."""
    if link < 0:
        return (*p.getBasePositionAndOrientation(body), *p.getBaseVelocity(body))
    s = p.getLinkState(body, link, computeLinkVelocity=1, computeForwardKinematics=1)
    return s[0], s[1], s[6], s[7]


def link_indices(body: int) -> dict[str, int]:
    """Every link's index by name, and the base's name as -1."""
    names = {p.getJointInfo(body, j)[12].decode(): j for j in range(p.getNumJoints(body))}
    return names | {p.getBodyInfo(body)[0].decode(): -1}


def observed_bodies(contract: dict, name_to_link: dict[str, int]) -> list[int]:
    """The bodies of the observation in the contract's order (its "<name>.position" blocks): the links, after
    the base (-1) when the base is the character's root."""
    blocks = [b["name"] for b in contract["observation_layout"] if b["name"].endswith(".position") and not b["name"].startswith("clip+")]
    return [name_to_link[name[: -len(".position")]] for name in blocks]


def observation(body: int, bodies: list[int], phase: float) -> np.ndarray:
    """The contract's observation: phase, root height, then per observed body (links; the base first when it
    is the character's root, index -1) position/rotation and velocities in the heading frame."""
    root_pos, root_quat = (np.array(v) for v in p.getBasePositionAndOrientation(body))
    inv_heading = yaw_quat(-heading_angle(root_quat))
    states = [body_state(body, link) for link in bodies]
    pose, vel = [], []
    for s in states:
        pos = quat_rotate(inv_heading, np.array(s[0]) - root_pos)
        q = quat_canonical(quat_mul(inv_heading, np.array(s[1])))
        pose += [*pos, q[3], q[0], q[1], q[2]]  # rotation as w,x,y,z
        vel += [*quat_rotate(inv_heading, np.array(s[2])), *quat_rotate(inv_heading, np.array(s[3]))]
    return np.array([phase, root_pos[1], *pose, *vel], dtype=np.float32)


def game_clip(contract: dict, path: Path | None = None):
    """The animation the controller imitates, as the game samples it: the contract's clip (or the file at `path`,
    read in the contract's convention)."""
    stored = contract.get("clip_convention", {})  # contracts before it: the humanoid's DeepMimic files
    convention = ClipConvention(**{k: tuple(v) if isinstance(v, list) else v for k, v in stored.items()})
    return load_clip(path or resolve_clip(contract["clip"]), tuple(b["size"] for b in contract["action_layout"]), convention=convention)


def contract_urdf(contract: dict) -> str:
    """The character's URDF from pybullet_data, with the collision geometry the contract replaces (the
    humanoid's feet): in an engine, build these shapes on the ragdoll's links instead of the asset's."""
    path = f"{pybullet_data.getDataPath()}/{contract['urdf']}"
    return loadable_urdf(path, collisions_from_json(contract.get("urdf_collisions", [])))


def animation_skeleton(contract: dict) -> tuple[int, int]:
    """A kinematic copy of the character in a second PyBullet world: (client, body). It is never
    stepped, only posed at the clip's pose to read the clip's link frames (`upcoming_clip`)."""
    client = p.connect(p.DIRECT)
    body = p.loadURDF(contract_urdf(contract), [0, 1, 0], globalScaling=contract["urdf_scale"], flags=p.URDF_MAINTAIN_LINK_ORDER,
                      physicsClientId=client)  # fmt: skip
    return client, body


def upcoming_clip(body: int, skeleton: tuple[int, int], link_index: dict[str, int], joint_cols: list[tuple[int, int, int]],
                  blocks: list[dict], animation: Animation, t: float, control_hz: float,
                  yaw: float | None = None) -> np.ndarray:  # fmt: skip
    """The contract's clip+K blocks: the clip's link frames K control ticks ahead, seen from the simulated root.

    A game reads these from its animation system (the clip's bone transforms at t + K ticks). Here the
    animation skeleton is a kinematic copy of the character in a second PyBullet world, skeleton =
    (client, body), posed at the clip's pose: joint_cols holds (joint index, first pose column, size).
    Per link, position (relative to the simulated root) and rotation w,x,y,z, both in the simulated
    character's heading frame, in the order of the contract's blocks. A steered controller's clip is turned by
    `yaw` about the vertical and moved under the character: the clip's root now is over the simulated root."""
    client, anim = skeleton
    root_pos, root_quat = (np.array(v) for v in p.getBasePositionAndOrientation(body))
    inv_heading = yaw_quat(-heading_angle(root_quat))
    turn = None if yaw is None else yaw_quat(yaw)
    clip_root_now = animation.pose(t).root_pos
    values, posed_at = [], None
    for b in blocks:
        ahead, link, kind = b["name"][len("clip+") :].split(".", 2)
        if posed_at != ahead:
            pose = animation.pose(t + int(ahead) / control_hz * animation.rate())
            p.resetBasePositionAndOrientation(anim, pose.root_pos.tolist(), pose.root_quat.tolist(), physicsClientId=client)
            for j, col, size in joint_cols:
                p.resetJointStateMultiDof(anim, j, pose.joints[col : col + size].tolist(), physicsClientId=client)
            posed_at = ahead
        if link_index[link] < 0:  # the base
            pos, quat = p.getBasePositionAndOrientation(anim, physicsClientId=client)
        else:
            pos, quat = p.getLinkState(anim, link_index[link], computeForwardKinematics=1, physicsClientId=client)[:2]
        pos, quat = np.array(pos), np.array(quat)
        if turn is not None:  # turned about the clip's root now, then put over the character (heights kept)
            rel = quat_rotate(turn, pos - clip_root_now)
            pos = np.array([root_pos[0] + rel[0], pos[1], root_pos[2] + rel[2]])
            quat = quat_mul(turn, quat)
        if kind == "position":
            values += list(quat_rotate(inv_heading, pos - root_pos))
        else:
            q = quat_canonical(quat_mul(inv_heading, quat))
            values += [q[3], q[0], q[1], q[2]]
    return np.array(values, dtype=np.float32)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("model", type=Path, help="controller written by `imitate export`")
    ap.add_argument("--seconds", type=float, default=10.0)
    ap.add_argument("--course", type=Path, default=None,
                    help="a steered controller's course: JSON [[seconds, degrees(, speed m/s)], ...], headings relative to the start")
    ap.add_argument("--gui", action="store_true",
                    help="show the world; a steered controller turns with the left/right arrow keys (up/down: speed, on two gaits)")
    args = ap.parse_args()
    contract = json.loads(args.model.with_suffix(".json").read_text())
    session = ort.InferenceSession(str(args.model), providers=["CPUExecutionProvider"])
    needs_ref = any(i["name"] == "ref_pose" for i in contract["inputs"])
    steered = any(i["name"] == "command" for i in contract["inputs"])
    clip_blocks = [b for b in contract["observation_layout"] if b["name"].startswith("clip+")]
    course = sorted(json.loads(args.course.read_text())) if args.course else []

    # --- engine set-up: world, ground, character, drives (once) -------------------------
    p.connect(p.GUI if args.gui else p.DIRECT)
    p.setGravity(0, -9.8, 0)  # the contract's world is y-up
    p.setTimeStep(1.0 / contract["physics_hz"])
    data = pybullet_data.getDataPath()
    # the physics the controller was trained in (contract["env_config"]): match it in the engine
    physics = contract["env_config"]
    p.setPhysicsEngineParameter(numSolverIterations=physics["solver_iterations"])
    plane = p.loadURDF(f"{data}/plane_implicit.urdf", [0, 0, 0], p.getQuaternionFromEuler([-math.pi / 2, 0, 0]), useMaximalCoordinates=True)
    flags = p.URDF_MAINTAIN_LINK_ORDER
    if physics["self_collision"]:  # body parts collide with each other, not with their parents
        flags |= p.URDF_USE_SELF_COLLISION | p.URDF_USE_SELF_COLLISION_EXCLUDE_ALL_PARENTS
    body = p.loadURDF(contract_urdf(contract), [0, 1, 0], globalScaling=contract["urdf_scale"], flags=flags)
    p.changeDynamics(plane, -1, lateralFriction=physics["ground_friction"])
    p.changeDynamics(body, -1, linearDamping=0.0, angularDamping=0.0)
    for link in range(-1, p.getNumJoints(body)):
        p.changeDynamics(body, link, lateralFriction=physics["ground_friction"])
    name_to_link = link_indices(body)
    bodies = observed_bodies(contract, name_to_link)
    joints = [name_to_link[n] for n in contract["joint_order"]]
    gains = {g["joint"]: g for g in contract["pd"]}
    layout = contract["action_layout"]

    # the animation the controller imitates: the game samples its own clip here
    clip = game_clip(contract)
    start = clip.root_pos[0]
    pose0 = pose_at(clip, 0.0)
    p.resetBasePositionAndOrientation(body, pose0.root_pos.tolist(), pose0.root_quat.tolist())
    v0 = velocity_at(clip, 0.0)
    vel_col = 0  # joint velocities: 3 per spherical joint (angular velocity), 1 per revolute joint
    for b, j in zip(layout, joints, strict=True):
        q = pose0.joints[b["offset"] : b["offset"] + b["size"]].tolist()
        dofs = 3 if b["size"] == 4 else 1
        p.resetJointStateMultiDof(body, j, q, v0.joints[vel_col : vel_col + dofs].tolist())
        vel_col += dofs
        if b["size"] == 1:
            p.setJointMotorControl2(body, j, p.VELOCITY_CONTROL, force=0)
        else:
            p.setJointMotorControlMultiDof(body, j, p.POSITION_CONTROL, targetPosition=[0, 0, 0, 1], force=[0, 0, 0])
    p.resetBaseVelocity(body, v0.root_lin.tolist(), v0.root_ang.tolist())

    # the animation skeleton, for controllers that also observe the clip's upcoming poses
    skeleton = animation_skeleton(contract)
    joint_cols = [(j, b["offset"], b["size"]) for b, j in zip(layout, joints, strict=True)]

    # --- the game loop: one controller call per control tick -----------------------------
    substeps = int(round(contract["physics_hz"] / contract["control_hz"]))
    ahead = physics["relative_lookahead_steps"] / contract["control_hz"]  # the PD's target: the clip's state this far ahead
    clip_velocity = contract.get("pd_target_velocity") == "clip"  # else target velocity 0 (controllers saved before it)
    animation = Animation(contract, clip, args.model)
    steering = Steering(contract, animation) if steered else None
    t, seconds, fell = 0.0, 0.0, False  # clip time (the slow clip's clock), and time
    for _tick in range(int(args.seconds * contract["control_hz"])):
        if steering is not None:  # the player: a scripted course, or the arrow keys (30 degrees, 0.5 m/s a press)
            while course and course[0][0] <= seconds + 1e-9:
                row = course.pop(0)
                steering.steer(steering.travel_heading + math.radians(row[1]), row[2] if len(row) > 2 else None)
            if args.gui:
                keys = p.getKeyboardEvents()
                for key, turn, faster in ((p.B3G_LEFT_ARROW, 30.0, 0.0), (p.B3G_RIGHT_ARROW, -30.0, 0.0),
                                          (p.B3G_UP_ARROW, 0.0, 0.5), (p.B3G_DOWN_ARROW, 0.0, -0.5)):  # fmt: skip
                    if keys.get(key, 0) & p.KEY_WAS_TRIGGERED:
                        steering.steer(steering.command + math.radians(turn), steering.speed + faster)
        rate = animation.rate()  # clip time per second during this tick (two gaits: faster as the blend rises)
        root_quat = np.array(p.getBasePositionAndOrientation(body)[1])
        yaw = steering.yaw(root_quat, animation.pose(t).root_quat) if steering is not None else None
        obs = observation(body, bodies, (t / clip.duration) % 1.0)
        if clip_blocks:
            upcoming = upcoming_clip(body, skeleton, name_to_link, joint_cols, clip_blocks, animation, t, contract["control_hz"], yaw)
            obs = np.concatenate([obs, upcoming])
        feed = {"obs": obs[None]}
        if needs_ref:  # the pose to reach by the end of this tick
            feed["ref_pose"] = animation.pose(t + ahead * rate).joints[None].astype(np.float32)
        if steering is not None:  # where the player steers; the clip then turns toward it during the tick
            feed["command"] = steering.command_input(root_quat)[None]
            steering.advance()
        targets = session.run(["actions"], feed)[0][0]
        positions = [targets[b["offset"] : b["offset"] + b["size"]].tolist() for b in layout]
        forces = [[gains[b["joint"]]["torque_limit_nm"]] * (3 if b["size"] == 4 else 1) for b in layout]
        if clip_velocity:  # the animation's joint velocities at the same time as the target pose, split per joint
            cuts = np.cumsum([len(f) for f in forces])[:-1]
            velocities = [v.tolist() for v in np.split(animation.velocity(t + ahead * rate).joints, cuts)]
        else:
            velocities = [[0.0] * len(f) for f in forces]
        for _ in range(substeps):  # stable PD, re-sent every physics step
            p.setJointMotorControlMultiDofArray(
                body, joints, p.STABLE_PD_CONTROL, targetPositions=positions,
                targetVelocities=velocities, forces=forces,
                positionGains=[gains[b["joint"]]["kp"] for b in layout], velocityGains=[gains[b["joint"]]["kd"] for b in layout],
            )  # fmt: skip
            p.stepSimulation()
        t += rate / contract["control_hz"]
        seconds += 1.0 / contract["control_hz"]
        root = np.array(p.getBasePositionAndOrientation(body)[0])
        if root[1] < 0.5 * clip.root_pos[:, 1].mean():  # the root at half its height: fallen
            fell = True
            break
    travelled = np.linalg.norm((root - start)[[0, 2]])
    print(f"{seconds:.2f} s simulated, {'fell' if fell else 'still standing'}, root travelled {travelled:.2f} m")
    if steering is not None:  # where it went against where it was told to go
        velocity = np.array(p.getBaseVelocity(body)[0])
        moving = math.atan2(-velocity[2], velocity[0])
        print(f"heading: commanded {math.degrees(steering.command):.0f} deg, moving {math.degrees(moving):.0f} deg, "
              f"at ({root[0]:.2f}, {root[2]:.2f}) m")


if __name__ == "__main__":
    main()
