"""The DeepMimic humanoid (humanoid3d): 15 links, 12 actuated joints, 45 kg.

Sources: joint list and torque limits
from DeepMimic's data/characters/humanoid3d.txt, PD gains from
data/controllers/humanoid3d_ctrl.txt, action normalization from PyBullet's
DeepMimic port (pybullet_deep_mimic_env.py build_action_offset/scale).
"""

from __future__ import annotations

from dataclasses import replace

from characters.spec import CharacterSpec, CollisionShape, JointSpec, LinkCollision

_AXIS_OFFSET = (0.0, 0.0, 0.0, -0.2)  # a spherical action's default axis leans on z


def _sph(name: str, kp: float, torque: float, weight: float, angle_scale: float) -> JointSpec:
    return JointSpec(name, 4, kp, kp / 10.0, torque, weight, _AXIS_OFFSET, (angle_scale, 1.0, 1.0, 1.0))


def _rev(name: str, kp: float, torque: float, weight: float, offset: float, scale: float) -> JointSpec:
    return JointSpec(name, 1, kp, kp / 10.0, torque, weight, (offset,), (scale,))


def _pivoting_foot(link: str) -> LinkCollision:
    """A foot that can turn on the ground: the URDF's box (0.708 x 0.22 x 0.36 at (0.18, -0.09, 0), in URDF
    units of 0.25 m) raised 5 mm, its sole carried by three 1.5-cm spheres, one under the ball of the foot
    and two under the heel, at the box's old sole height. On its ball the foot touches the ground at one
    point and turns on it, where a flat box grips at an edge or four corners (bench/RESULTS.md, "The clip
    library", levers tried: "a foot that can pivot")."""
    ball, heel = CollisionShape("sphere", (0.40, -0.14, 0.0), (0.06,)), CollisionShape("sphere", (-0.10, -0.14, 0.12), (0.06,))
    box = CollisionShape("box", (0.18, -0.07, 0.0), (0.708, 0.22, 0.36))
    return LinkCollision(link, (box, ball, heel, replace(heel, center=(-0.10, -0.14, -0.12))))


HUMANOID = CharacterSpec(
    name="humanoid",
    urdf="humanoid/humanoid.urdf",
    global_scaling=0.25,
    root_link="root",
    joints=(
        _sph("chest", 1000.0, 200.0, 0.5, 0.20833333333333),
        _sph("neck", 100.0, 50.0, 0.3, 0.25),
        _sph("right_hip", 500.0, 200.0, 0.5, 0.12077294685990),
        _rev("right_knee", 500.0, 150.0, 0.3, 1.57, 0.159235668789),
        _sph("right_ankle", 400.0, 90.0, 0.2, 0.159235668789),
        _sph("right_shoulder", 400.0, 100.0, 0.3, 0.079617834394),
        _rev("right_elbow", 300.0, 60.0, 0.2, -1.57, 0.159235668789),
        _sph("left_hip", 500.0, 200.0, 0.5, 0.120772946859),
        _rev("left_knee", 500.0, 150.0, 0.3, 1.57, 0.159235668789),
        _sph("left_ankle", 400.0, 90.0, 0.2, 0.159235668789),
        _sph("left_shoulder", 400.0, 100.0, 0.3, 0.107758620689),
        _rev("left_elbow", 300.0, 60.0, 0.2, -1.57, 0.159235668789),
    ),
    root_reward_weight=1.0,
    end_effectors=("right_ankle", "right_wrist", "left_ankle", "left_wrist"),
    ground_contact_links=("right_ankle", "left_ankle"),
    clip_prefix="humanoid3d_",
    mirror_pairs=tuple((f"left_{part}", f"right_{part}") for part in ("hip", "knee", "ankle", "shoulder", "elbow", "wrist")),
    mirror_axis=2,  # the URDF's root frame: x forward, y up, z to the side
    collisions=(_pivoting_foot("right_ankle"), _pivoting_foot("left_ankle")),
)
