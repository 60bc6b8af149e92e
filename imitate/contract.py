"""The controller contract a game reads: what goes into the ONNX model and what comes out.

Written into the model's metadata_props and into a JSON sidecar beside it.
No torch here: `play`/`render` with an ONNX file read it without torch installed.
"""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path
from typing import Any

from characters.config import EnvConfig
from characters.observation import observation_layout
from characters.spec import CharacterSpec
from characters.steering import COMMAND_SIZE
from imitate import __version__
from imitate.options import to_jsonable

FORMAT = "imitate-controller"
FORMAT_VERSION = 1


def action_layout(spec: CharacterSpec) -> list[dict[str, Any]]:
    """PD targets in joint order: 4 values (quaternion x,y,z,w, joint-local) per spherical joint, 1 (radians) per revolute."""
    out, offset = [], 0
    for j in spec.joints:
        kind = "quaternion_xyzw" if j.dofs == 4 else "radians"
        out.append({"joint": j.name, "offset": offset, "size": j.dofs, "kind": kind})
        offset += j.dofs
    return out


def build_contract(spec: CharacterSpec, env: EnvConfig, link_names: list[str], clip: str, obs_size: int, act_size: int) -> dict[str, Any]:
    observed = tuple(spec.root_link if n == "root" else n for n in env.reference_obs_links)
    blocks = observation_layout(link_names, env.reference_obs_steps, observed)
    obs = [{"name": n, "offset": o, "size": s, "frame": f, "units": u} for n, o, s, f, u in blocks]
    steered = env.steering is not None
    if steered and env.action_mode != "relative":
        raise ValueError("a steered controller exports with relative actions (the default action mode)")
    state_size = obs_size - COMMAND_SIZE if steered else obs_size  # a steered policy's command has an input of its own
    inputs = [{"name": "obs", "shape": ["batch", state_size], "dtype": "float32", "what": "raw observation, layout below"}]
    if env.action_mode == "relative":
        inputs.append({"name": "ref_pose", "shape": ["batch", sum(spec.joint_dofs)], "dtype": "float32",
                       "what": f"the clip's joint pose {env.relative_lookahead_steps} control step(s) ahead of the current time "
                       "(t + relative_lookahead_steps / control_hz), same layout as `actions`"})  # fmt: skip
    if steered:
        inputs.append({"name": "command", "shape": ["batch", COMMAND_SIZE], "dtype": "float32",
                       "what": "where the player steers: cos and sin of the commanded heading relative to the character's "
                       "heading (the yaw of its root's x axis; positive turns toward -z seen from x, i.e. left for a "
                       "character facing x), and the speed in m/s (the clip's pace; with env_config.steering.speed_clips, "
                       "any speed between the clip's pace and the faster clip's, the reference blending the two gaits: "
                       "characters.gait_family)"})  # fmt: skip
    env_config = to_jsonable(env)
    if steered and env.steering.speed_clips:  # by file name, as "clip": no path of the machine that exported it
        env_config["steering"]["speed_clips"] = [Path(p).name for p in env.steering.speed_clips]
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "package_version": __version__,
        "character": spec.name,
        "urdf": spec.urdf,
        "urdf_scale": spec.global_scaling,
        "urdf_collisions": [asdict(c) for c in spec.collisions],
        "urdf_collisions_notes": "links whose collision geometry replaces the URDF's (URDF units, the link's frame; a box's "
        "size is its edge lengths, a sphere's its radius): build the same body (characters.urdf_collisions.loadable_urdf)",
        "clip": clip,
        "clip_convention": to_jsonable(spec.clip_convention),
        "action_mode": env.action_mode,
        "relative_lookahead_steps": env.relative_lookahead_steps if env.action_mode == "relative" else None,
        "env_config": env_config,
        "control_hz": env.control_hz,
        "physics_hz": env.sim_hz,
        "world": "y up, metres, gravity -9.8 m/s^2 along y",
        "inputs": inputs,
        "outputs": [
            {
                "name": "actions",
                "shape": ["batch", sum(spec.joint_dofs)],
                "dtype": "float32",
                "what": "PD targets in joint order (layout below); hold them for 1/control_hz s",
            },
            {
                "name": "env_action",
                "shape": ["batch", act_size],
                "dtype": "float32",
                "what": "the same action in this package's environment action space",
            },
        ],  # fmt: skip
        "observation_layout": obs,
        "observation_notes": "heading frame: origin at the root, y up, rotated so the root's x axis has zero yaw; "
        "link positions are centres of mass; phase = fraction of the clip cycle; "
        "clip+K blocks (if any): the clip's link frames K control steps ahead (the character posed at the clip's pose), "
        "positions relative to the simulated root, both in the simulated character's heading frame",
        "action_layout": action_layout(spec),
        "joint_order": list(spec.joint_names),
        "pd": [{"joint": j.name, "kp": j.kp, "kd": j.kd, "torque_limit_nm": j.torque_limit_nm} for j in spec.joints],
        "pd_target_velocity": env.pd_target_velocity,
        "pd_notes": "stable PD (Tan et al. 2011) as in PyBullet's STABLE_PD_CONTROL; target velocity "
        + ("the clip's joint velocities relative_lookahead_steps control steps ahead (with relative actions: at the time of "
           "ref_pose), in joint order: 3 values for a spherical joint (angular velocity in the child link's frame, rad/s), "
           "1 for a revolute joint (rad/s): motions.velocity_at, which the environment tabulates at 240 Hz"
           if env.pd_target_velocity == "clip" else "0"),
    }
