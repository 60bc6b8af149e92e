"""The Laikago quadruped (Unitree): a 13.7-kg chassis, 4 legs of 3 revolute joints (abduction, hip, knee), 25.6 kg in all.

Sources: the URDF in pybullet_data (laikago/laikago_toes_limits.urdf: joint limits, the 100 N·m effort
limit, the toes as fixed links); PD gains from google-research/motion_imitation (kp 220 on every motor,
kd 0.3 on abduction, 2.0 on hip and knee); the clip convention of pybullet_data's laikago_walk.txt (z up,
root quaternion x,y,z,w, joint angles in the robot's motor convention, as PyBullet's laikago example
converts them: URDF angle = direction * angle + offset).
"""

from __future__ import annotations

from characters.spec import CharacterSpec, JointSpec
from motions.clip_convention import ClipConvention

LEGS = ("FR", "FL", "RR", "RL")  # the URDF's and the clip's order
_LIMITS = {"hip_motor": (-0.873, 1.0472), "upper_leg": (-1.3, 3.4), "lower_leg": (-2.164, 0.0)}  # rad, from the URDF
_KD = {"hip_motor": 0.3, "upper_leg": 2.0, "lower_leg": 2.0}


def _motor(leg: str, part: str) -> JointSpec:
    low, high = _LIMITS[part]
    # absolute actions: the joint's range mapped to [-1, 1] (value = normalized / scale - offset)
    return JointSpec(f"{leg}_{part}", 1, 220.0, _KD[part], 100.0, 1.0, (-(low + high) / 2,), (2.0 / (high - low),))


LAIKAGO = CharacterSpec(
    name="laikago",
    urdf="laikago/laikago_toes_limits.urdf",
    global_scaling=1.0,
    root_link="chassis",  # the URDF's base
    joints=tuple(_motor(leg, part) for leg in LEGS for part in ("hip_motor", "upper_leg", "lower_leg")),
    root_reward_weight=1.0,
    end_effectors=tuple(f"toe{leg}" for leg in LEGS),
    ground_contact_links=tuple(f"toe{leg}" for leg in LEGS),
    clip_prefix="laikago_",
    mirror_pairs=tuple((f"{front}L_{part}", f"{front}R_{part}") for front in "FR" for part in ("hip_motor", "upper_leg", "lower_leg"))
    + (("toeFL", "toeFR"), ("toeRL", "toeRR")),
    mirror_axis=0,  # the chassis frame: z forward, y up, x to the side
    # light legs on kp 220 follow a target within a control step, so exploration noise of a given size in radians shakes
    # them far more than the humanoid's limbs; legged_gym scales its quadrupeds' actions by 0.25 too
    relative_action_limit_rad=0.25,
    clip_convention=ClipConvention(
        quat_order="xyzw", up_axis="z", joint_sign=(-1.0, 1.0, 1.0, 1.0, 1.0, 1.0) * 2, joint_offset=(0.0, -0.7, 0.7) * 4
    ),  # fmt: skip
)
