"""The task's left-right mirror image: observations and actions of the mirrored character.

A character walking with its left leg forward at phase p, seen in a mirror, walks with its
right leg forward; for a clip that is its own mirror image half a cycle later (the DeepMimic
walk and run are, to 0.004 and 0.011 rad: `half_cycle_mirror_error`), that mirrored
character is tracking the same clip at phase p + 1/2, with the mirrored action. A learner can
train on the mirror image of every sample as well (`awr_core`'s `mirror` option).

The mirror plane holds the heading frame's forward and up axes (x, y): the side axis
(`CharacterSpec.mirror_axis`, z for the humanoid) changes sign. Under it, with S that
reflection: a position or linear velocity v -> S v; an orientation R -> S R S, which for a
quaternion is its vector part -> -S v (an axis flips with the handedness); an angular
velocity or rotation vector w -> -S w. Left and right links trade places
(`CharacterSpec.mirror_pairs`); links on the mirror plane map to themselves.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from characters.kinematics import REVOLUTE, SPHERICAL, KinematicTree
from characters.observation import reference_features
from characters.reference import ReferenceMotion
from characters.spec import CharacterSpec


@dataclass(frozen=True, eq=False)
class MirrorMap:
    """Mirror images of batches of observations [..., O] and actions [..., A] (environment units).

    out = x[..., perm] * sign, and the observation's phase column (0) moves half a cycle.
    """

    obs_perm: np.ndarray
    obs_sign: np.ndarray
    act_perm: np.ndarray
    act_sign: np.ndarray

    def observation(self, obs: np.ndarray) -> np.ndarray:
        out = obs[..., self.obs_perm] * self.obs_sign
        out[..., 0] = np.mod(obs[..., 0] + 0.5, 1.0)
        return out.astype(obs.dtype, copy=False)

    def action(self, action: np.ndarray) -> np.ndarray:
        return (action[..., self.act_perm] * self.act_sign).astype(action.dtype, copy=False)


def reflection_signs(spec: CharacterSpec) -> tuple[np.ndarray, np.ndarray]:
    """([3] signs of a position under the mirror, [3] signs of a rotation vector's axis)."""
    polar = np.ones(3)
    polar[spec.mirror_axis] = -1.0
    return polar, -polar


def link_partners(spec: CharacterSpec, link_names: list[str]) -> np.ndarray:
    """[L] the index of each link's mirror partner (itself for a link on the mirror plane)."""
    index = {name: i for i, name in enumerate(link_names)}
    partner = np.arange(len(link_names))
    for a, b in spec.mirror_pairs:
        missing = [n for n in (a, b) if n not in index]
        if missing:
            raise ValueError(f"character {spec.name!r}: mirror_pairs name {missing}, not links of {spec.urdf}")
        partner[index[a]], partner[index[b]] = index[b], index[a]
    return partner


def observation_mirror(spec: CharacterSpec, link_names: list[str], num_reference_frames: int = 0,
                       reference_links: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:  # fmt: skip
    """(perm [O], sign [O]) of the observation laid out in `characters.observation` (phase column left
    as is: `MirrorMap.observation` shifts it). reference_links: the observed links of the clip+K blocks, in
    link order (None: all)."""
    L = len(link_names)
    partner = link_partners(spec, link_names)
    polar, axial = reflection_signs(spec)
    quat_sign = np.concatenate([[1.0], axial])  # w, x, y, z
    perm, sign = [0, 1], [1.0, 1.0]  # phase, root height
    for i in range(L):
        p = 2 + 7 * partner[i]
        perm += list(range(p, p + 7))
        sign += [*polar, *quat_sign]
    for i in range(L):
        p = 2 + 7 * L + 6 * partner[i]
        perm += list(range(p, p + 6))
        sign += [*polar, *axial]
    observed = np.arange(L) if reference_links is None else np.asarray(reference_links)
    slot = {int(link): s for s, link in enumerate(observed)}
    unpaired = [link_names[i] for i in observed if int(partner[i]) not in slot]
    if num_reference_frames and unpaired:
        raise ValueError(f"character {spec.name!r}: the observed clip links {unpaired} need their mirror partners observed too")
    for j in range(num_reference_frames):
        base = 2 + 13 * L + 7 * len(observed) * j
        for i in observed:
            p = base + 7 * slot[int(partner[i])]
            perm += list(range(p, p + 7))
            sign += [*polar, *quat_sign]
    return np.array(perm), np.array(sign, dtype=np.float32)


def action_mirror(spec: CharacterSpec, tree: KinematicTree, joint_links: list[int], mode: str) -> tuple[np.ndarray, np.ndarray]:
    """(perm [A], sign [A]) of the action vector. joint_links [J]: each joint's link index in `tree`.

    relative: per spherical joint a rotation vector (3), per revolute joint an angle; absolute:
    per spherical joint (angle, axis x, y, z), per revolute joint an angle. A revolute joint's
    angle carries over as the partner's angle about its own axis."""
    _, axial = reflection_signs(spec)
    names = [j.name for j in spec.joints]
    partner_of = {a: b for a, b in spec.mirror_pairs} | {b: a for a, b in spec.mirror_pairs}
    sizes = [(4 if mode == "absolute" else 3) if j.dofs == 4 else 1 for j in spec.joints]
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    perm, sign = [], []
    for j, joint in enumerate(spec.joints):
        k = names.index(partner_of.get(joint.name, joint.name))
        link, partner_link = joint_links[j], joint_links[k]
        if tree.kind[link] != tree.kind[partner_link]:
            raise ValueError(f"character {spec.name!r}: mirror partners {joint.name!r} and {names[k]!r} are different kinds of joint")
        cols = list(range(starts[k], starts[k] + sizes[k]))
        if tree.kind[link] == SPHERICAL:
            perm += cols
            sign += [1.0, *axial] if mode == "absolute" else list(axial)
        elif tree.kind[link] == REVOLUTE:
            # the mirror image of a turn about this joint's axis, read as a turn about the partner's axis
            perm += cols
            sign.append(float(np.dot(axial * tree.axis[link], tree.axis[partner_link])))
        else:
            raise ValueError(f"character {spec.name!r}: joint {joint.name!r} is neither spherical nor revolute")
    return np.array(perm), np.array(sign, dtype=np.float32)


def half_cycle_mirror_error(spec: CharacterSpec, link_names: list[str], reference: ReferenceMotion, duration: float,
                            times: np.ndarray | None = None) -> tuple[float, float]:  # fmt: skip
    """How far a looping clip is from its own mirror image half a cycle later, at `times` [T] (default: 120
    times over one cycle): (mean link position error m, mean link rotation error rad), the links seen from
    the root in its heading frame."""
    times = np.arange(120) * duration / 120 if times is None else np.asarray(times, dtype=float)

    def links(t: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        s = reference.states_at(t)
        f = reference_features(s.pose.root_pos, s.pose.root_quat, s.link_pos[:, None], s.link_quat[:, None]).reshape(len(t), -1, 7)
        return f[..., :3].astype(float), f[..., 3:].astype(float)

    (pos, quat), (later_pos, later_quat) = links(times), links(times + duration / 2)
    partner = link_partners(spec, link_names)
    polar, axial = reflection_signs(spec)
    mirrored_pos, mirrored_quat = pos[:, partner] * polar, quat[:, partner] * np.concatenate([[1.0], axial])
    dot = np.clip(np.abs(np.sum(mirrored_quat * later_quat, axis=-1)), 0.0, 1.0)
    return float(np.linalg.norm(mirrored_pos - later_pos, axis=-1).mean()), float((2.0 * np.arccos(dot)).mean())
