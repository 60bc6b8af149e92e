"""Characters described as data: which asset, which joints, which gains.

A character is one `CharacterSpec`; nothing else in the package holds joint
indices. Joint order in `joints` is the clip order (DeepMimic files) and the
action order.
"""

from __future__ import annotations

from dataclasses import dataclass

from motions.clip_convention import ClipConvention


@dataclass(frozen=True)
class JointSpec:
    """One actuated joint.

    dofs: 4 for a spherical joint (quaternion in clips, 3 velocity DOF),
    1 for a revolute joint (radians). Gains and limits per DeepMimic's
    controller file: kp (N·m/rad), kd (N·m·s/rad), torque_limit_nm (N·m).
    reward_weight: DeepMimic's DiffWeight (normalized with the others at use).
    action_offset / action_scale: DeepMimic's normalization of the absolute
    action, value = normalized / scale - offset; `dofs` entries for a revolute
    joint (1) and 4 (angle, axis x, y, z) for a spherical one.
    """

    name: str
    dofs: int
    kp: float
    kd: float
    torque_limit_nm: float
    reward_weight: float
    action_offset: tuple[float, ...]
    action_scale: tuple[float, ...]

    @property
    def velocity_dofs(self) -> int:
        return 3 if self.dofs == 4 else self.dofs


@dataclass(frozen=True)
class CollisionShape:
    """One collision primitive, in the URDF's units and its link's frame: a box (size: its three edge
    lengths) or a sphere (size: its radius)."""

    kind: str  # "box" or "sphere"
    center: tuple[float, float, float]
    size: tuple[float, ...]


@dataclass(frozen=True)
class LinkCollision:
    """A link whose URDF collision geometry the character replaces with `shapes`."""

    link: str
    shapes: tuple[CollisionShape, ...]


@dataclass(frozen=True)
class CharacterSpec:
    """A simulated character.

    urdf: path inside `pybullet_data`, or an absolute path; global_scaling: URDF scale.
    root_link: URDF link that carries the clip's root: the base itself, or a link fixed to it.
    joints: actuated joints in clip order.
    root_reward_weight: DiffWeight of the root orientation/angular velocity.
    end_effectors: links tracked by the end-effector reward term.
    ground_contact_links: links that may touch the ground; any other link
    touching it ends the episode (a fall).
    clip_prefix: prefix of this character's clips in pybullet_data
    (`run.txt` means `humanoid3d_run.txt` for the humanoid).
    mirror_pairs: (left, right) link pairs that trade places in the character's
    mirror image (`characters.mirror`); empty: no mirror known.
    mirror_axis: the root frame's side axis (0, 1, 2 = x, y, z), which the mirror negates.
    clip_convention: how this character's clip files store poses (quaternion order, up axis,
    motor convention of joint angles); `motions.loading` converts them.
    relative_action_limit_rad: the bound of relative actions (`EnvConfig.action_mode`), so also the
    scale of a learner's exploration noise, which is set in units of this bound.
    collisions: links whose collision geometry replaces the URDF's (`characters.urdf_collisions`); the
    URDF's visual geometry, masses and joints stay.
    """

    name: str
    urdf: str
    global_scaling: float
    root_link: str
    joints: tuple[JointSpec, ...]
    root_reward_weight: float
    end_effectors: tuple[str, ...]
    ground_contact_links: tuple[str, ...]
    clip_prefix: str
    mirror_pairs: tuple[tuple[str, str], ...] = ()
    mirror_axis: int = 2
    clip_convention: ClipConvention = ClipConvention()
    relative_action_limit_rad: float = 1.0
    collisions: tuple[LinkCollision, ...] = ()

    @property
    def joint_dofs(self) -> tuple[int, ...]:
        return tuple(j.dofs for j in self.joints)

    @property
    def joint_names(self) -> tuple[str, ...]:
        return tuple(j.name for j in self.joints)

    @property
    def pose_size(self) -> int:
        """Values per clip frame after the duration: root pos 3 + root quat 4 + joints."""
        return 7 + sum(self.joint_dofs)

    @property
    def action_size(self) -> int:
        return sum(self.joint_dofs)
