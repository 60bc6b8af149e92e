"""A character's collision geometry replaced in its URDF: the humanoid's pivoting feet."""

import json
import math
from dataclasses import asdict, replace

import pybullet as pb
import pybullet_data
import pytest

from characters.body import SimCharacter
from characters.humanoid import HUMANOID
from characters.spec import CollisionShape, LinkCollision
from characters.urdf_collisions import character_urdf, collisions_from_json, loadable_urdf, replace_collisions

URDF = f"{pybullet_data.getDataPath()}/{HUMANOID.urdf}"


def _text() -> str:
    with open(URDF, encoding="utf-8", errors="surrogateescape") as f:
        return f.read()


def test_only_the_named_links_collisions_change():
    text = _text()
    new = replace_collisions(text, HUMANOID.collisions)
    assert new.count("<collision>") == text.count("<collision>") + 2 * 3  # each foot: its box and three spheres
    assert new.count("<sphere") == text.count("<sphere") + 6
    for link in ("right_knee", "chest", "left_wrist"):  # untouched links keep their text
        start = text.index(f'<link name="{link}"')
        assert text[start : text.index("</link>", start)] in new


def test_a_missing_link_or_a_link_without_collision_is_a_clear_error():
    shape = CollisionShape("sphere", (0.0, 0.0, 0.0), (0.1,))
    with pytest.raises(ValueError, match="'tail' is not in the URDF"):
        replace_collisions(_text(), [LinkCollision("tail", (shape,))])
    with pytest.raises(ValueError, match="no <collision> element"):
        replace_collisions('<robot><link name="a" >\n</link></robot>', [LinkCollision("a", (shape,))])
    named = '<robot><link name="a" >\n<collision name="sole">\n<geometry><box size="1 1 1"/></geometry>\n</collision>\n</link></robot>'
    assert "<box" not in replace_collisions(named, [LinkCollision("a", (shape,))])  # a named collision is replaced too
    with pytest.raises(ValueError, match="'cone'"):
        replace_collisions(_text(), [LinkCollision("root", (replace(shape, kind="cone"),))])


def test_the_humanoids_feet_are_a_raised_box_on_three_spheres_at_the_old_sole_height():
    client = pb.connect(pb.DIRECT)
    try:
        y_up = pb.getQuaternionFromEuler([-math.pi / 2, 0, 0])
        plane = pb.loadURDF(f"{pybullet_data.getDataPath()}/plane_implicit.urdf", [0, 0, 0], y_up, physicsClientId=client)
        plain = SimCharacter(replace(HUMANOID, collisions=()), client)
        pivot = SimCharacter(HUMANOID, client)
        for body in (plain, pivot):  # both bodies at the same place, posed alike
            pb.resetBasePositionAndOrientation(body.body, [0, 1, 0], [0, 0, 0, 1], physicsClientId=client)
        for link in ("right_ankle", "left_ankle"):
            shapes = pb.getCollisionShapeData(pivot.body, pivot.link_index[link], physicsClientId=client)
            assert sorted(s[2] for s in shapes) == [pb.GEOM_SPHERE] * 3 + [pb.GEOM_BOX]
            radii = [s[3][0] for s in shapes if s[2] == pb.GEOM_SPHERE]
            assert radii == pytest.approx([0.015] * 3)  # 1.5 cm: URDF 0.06 at the humanoid's scale 0.25
            gaps = [min(p[8] for p in pb.getClosestPoints(b.body, plane, 2.0, linkIndexA=b.link_index[link], physicsClientId=client))
                    for b in (plain, pivot)]  # fmt: skip
            assert 0.1 < gaps[0] < 0.2 and gaps[1] == pytest.approx(gaps[0], abs=1e-4)  # the sole stays where it was
    finally:
        pb.disconnect(client)


def test_the_contracts_json_rebuilds_the_same_urdf():
    entries = json.loads(json.dumps([asdict(c) for c in HUMANOID.collisions]))
    assert collisions_from_json(entries) == HUMANOID.collisions
    assert loadable_urdf(URDF, collisions_from_json(entries)) == character_urdf(HUMANOID, pybullet_data.getDataPath())
    assert loadable_urdf(URDF, ()) == URDF  # nothing to replace: the asset itself


def test_retargeting_puts_the_sole_on_the_spheres_not_on_the_raised_box():
    import numpy as np

    from characters.rig import _zero_pose, character_rig

    rig = character_rig("humanoid")
    _, soles = rig.fk(np.array([[0.0, 1.0, 0.0]]), np.array([[0.0, 0.0, 0.0, 1.0]]), _zero_pose(HUMANOID.joint_dofs)[None])
    client = pb.connect(pb.DIRECT)
    try:
        body = SimCharacter(HUMANOID, client)  # at rest, its root where the rig's is
        pb.resetBasePositionAndOrientation(body.body, [0, 1, 0], [0, 0, 0, 1], physicsClientId=client)
        y_up = pb.getQuaternionFromEuler([-math.pi / 2, 0, 0])
        plane = pb.loadURDF(f"{pybullet_data.getDataPath()}/plane_implicit.urdf", [0, 0, 0], y_up, physicsClientId=client)
        lowest = min(p[8] for s in ("left_ankle", "right_ankle")  # the sole's height over the ground at y = 0
                     for p in pb.getClosestPoints(body.body, plane, 2, linkIndexA=body.link_index[s], physicsClientId=client))  # fmt: skip
    finally:
        pb.disconnect(client)
    # the spheres' bottom is the sole the rig puts on the ground, not the box 5 mm above it
    assert float(soles[0, :, 1].min()) == pytest.approx(lowest, abs=2e-4)
