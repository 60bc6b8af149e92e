"""The character as retargeting sees it (`motions.retarget.CharacterRig`): body points of its rest pose,
its joints with the bone each one turns, and forward kinematics that returns those points and the
corners of its soles.

A joint's role is its name (`left_knee`); its bone ends at the next joint down the limb, or for the
last link of a chain at a point of its own body: the head (the neck link's centre) and the toe (the
front of the foot's sole). The root link is the hips; its bone reaches the chest.
"""

from __future__ import annotations

import functools

import numpy as np

from characters import body as body_module
from characters.body import SimCharacter
from characters.kinematics import REVOLUTE, link_frames
from characters.quiet import quiet_c_output
from characters.registry import get_character
from motions.retarget import HINGE, SPHERICAL, CharacterRig, NotRetargetableError, RigJoint
from motions.rotations import quat_rotate

pb = body_module.pb
_BONE_END = {"chest": "neck", "neck": "head", "hip": "knee", "knee": "ankle", "ankle": "toe", "shoulder": "elbow", "elbow": "wrist"}


def _end_of(joint: str) -> str:
    side, _, part = joint.rpartition("_")
    end = _BONE_END.get(part)
    if end is None:
        raise ValueError(f"joint {joint!r}: no retargeting role (known: {', '.join(_BONE_END)}, with left_/right_)")
    return f"{side}_{end}" if side else end


RIG_JOINTS = ("chest", "neck", *(f"{side}_{part}" for side in ("left", "right") for part in ("hip", "knee", "ankle", "shoulder", "elbow")))


@functools.lru_cache(maxsize=4)
def character_rig(name: str) -> CharacterRig:
    """The rig of a registered character (built once per process from its URDF). Raises NotRetargetableError
    for a character without the humanoid joints that retargeting reads (RIG_JOINTS)."""
    spec = get_character(name)
    missing = [j for j in RIG_JOINTS if j not in spec.joint_names]
    if missing:
        lacks = ", ".join(missing[:3]) + (", ..." if len(missing) > 3 else "")
        raise NotRetargetableError(f"character {name!r}: BVH retargeting drives humanoid characters (joints named "
                                   f"{', '.join(RIG_JOINTS)}); {name!r} lacks {lacks}")  # fmt: skip
    with quiet_c_output():
        client = pb.connect(pb.DIRECT)
    try:
        body = SimCharacter(spec, client, self_collision=False)
        tree = body.kinematic_tree()
        soles = {}
        for side in ("left", "right"):
            link = body.link_index[f"{side}_ankle"]
            shapes = pb.getCollisionShapeData(body.body, link, physicsClientId=client)
            box = next(s for s in shapes if s[2] == pb.GEOM_BOX)  # the foot's outline
            half, centre = np.array(box[3]) / 2, np.array(box[5])
            # the sole's height: the lowest point of any of the foot's shapes (the humanoid's spheres under its box)
            bottom = min(s[5][1] - (s[3][1] / 2 if s[2] == pb.GEOM_BOX else s[3][0]) for s in shapes)
            soles[side] = np.array([[centre[0] + sx * half[0], bottom, centre[2] + sz * half[2]] for sx in (1, -1) for sz in (1, -1)])
        link_of = dict(body.link_index)
        limits = {j.name: tuple(pb.getJointInfo(body.body, link_of[j.name], physicsClientId=client)[8:10])
                  for j in spec.joints if j.dofs == 1}  # fmt: skip
    finally:
        with quiet_c_output():
            pb.disconnect(client)
    index_of = {j.name: k for k, j in enumerate(spec.joints)}
    joints = []
    for j in spec.joints:
        link = link_of[j.name]
        parent_link = int(tree.parent[link])
        parent_name = next((n for n, i in link_of.items() if i == parent_link), None)
        parent = index_of.get(parent_name, -1)
        if j.dofs == 1:
            lo, hi = limits[j.name]
            joints.append(RigJoint(j.name, j.name, _end_of(j.name), HINGE, parent, tuple(tree.axis[link]), (lo, hi)))
        else:
            joints.append(RigJoint(j.name, j.name, _end_of(j.name), SPHERICAL, parent))
    fk = _Kinematics(tree, link_of, soles)
    rest_points, _ = fk(np.zeros((1, 3)), np.array([[0.0, 0.0, 0.0, 1.0]]), _zero_pose(spec.joint_dofs)[None])
    rest = {role: p[0] for role, p in rest_points.items()}
    return CharacterRig(spec.name, tuple(joints), rest, fk, root_role="hips", root_end="chest")


def _zero_pose(joint_dofs: tuple[int, ...]) -> np.ndarray:
    out, col = np.zeros(sum(joint_dofs)), 0
    for d in joint_dofs:
        if d == 4:
            out[col + 3] = 1.0
        col += d
    return out


class _Kinematics:
    """fk(root_pos [F,3], root_quat [F,4], joints [F,D]) -> (role -> positions [F,3], sole corners [F,8,3]:
    the left foot's four, then the right's)."""

    def __init__(self, tree, link_of: dict[str, int], soles: dict[str, np.ndarray]) -> None:
        self.tree, self.link_of, self.soles = tree, link_of, soles

    def __call__(self, root_pos: np.ndarray, root_quat: np.ndarray, joints: np.ndarray):
        com, quat, joint_pos = link_frames(self.tree, root_pos, root_quat, joints)
        L = self.link_of
        points = {"hips": root_pos.copy(), "head": com[:, L["neck"]]}
        for name, link in L.items():
            if self.tree.kind[link] == REVOLUTE or name in ("chest", "neck") or name.endswith(("_hip", "_ankle", "_shoulder", "_wrist")):
                points[name] = joint_pos[:, link]
        corners = []
        for side in ("left", "right"):
            a = L[f"{side}_ankle"]
            q = np.repeat(quat[:, a, None, :], 4, axis=1)
            world = com[:, a, None, :] + quat_rotate(q, np.broadcast_to(self.soles[side], q.shape[:-1] + (3,)))
            corners.append(world)
            front = self.soles[side][[0, 1]].mean(axis=0)  # the middle of the sole's front edge
            points[f"{side}_toe"] = com[:, a] + quat_rotate(quat[:, a], np.broadcast_to(front, (len(root_pos), 3)))
        return points, np.concatenate(corners, axis=1)
