"""The simulated character: one PyBullet multibody built from a CharacterSpec.

This class holds the simulator handle and its indices so nothing else has to:
set and read poses in clip layout, read link states, apply stable-PD targets.
"""

from __future__ import annotations

import numpy as np

from characters.quiet import quiet_c_output

with quiet_c_output():
    import pybullet as pb
    import pybullet_data

from characters.kinematics import FIXED, REVOLUTE, SPHERICAL, KinematicTree
from characters.spec import CharacterSpec
from characters.urdf_collisions import character_urdf
from motions.interpolate import Pose, PoseVelocity

_KIND = {pb.JOINT_FIXED: FIXED, pb.JOINT_REVOLUTE: REVOLUTE, pb.JOINT_SPHERICAL: SPHERICAL}


class SimCharacter:
    """A character in a PyBullet world (`client` from pybullet.connect)."""

    def __init__(
        self, spec: CharacterSpec, client: int, self_collision: bool = True, lateral_friction: float = 0.9, fixed_base: bool = False
    ) -> None:
        self.spec = spec
        self.client = client
        flags = pb.URDF_MAINTAIN_LINK_ORDER
        if self_collision:
            flags |= pb.URDF_USE_SELF_COLLISION | pb.URDF_USE_SELF_COLLISION_EXCLUDE_ALL_PARENTS
        path = character_urdf(spec, pybullet_data.getDataPath())
        with quiet_c_output():
            self.body = pb.loadURDF(
                path, [0, 1, 0], globalScaling=spec.global_scaling, useFixedBase=fixed_base, flags=flags, physicsClientId=client
            )
        self.num_links = pb.getNumJoints(self.body, physicsClientId=client)
        self._link_range = list(range(self.num_links))
        infos = [pb.getJointInfo(self.body, j, physicsClientId=client) for j in range(self.num_links)]
        self.link_index = {info[12].decode(): j for j, info in enumerate(infos)}
        self._infos = infos
        self.base_name = pb.getBodyInfo(self.body, physicsClientId=client)[0].decode()
        named = (*spec.joint_names, *spec.end_effectors, *spec.ground_contact_links)
        missing = [n for n in named if n not in self.link_index]
        if spec.root_link not in (*self.link_index, self.base_name):
            missing.append(spec.root_link)
        if missing:
            raise ValueError(f"character {spec.name!r}: links {missing} not in {spec.urdf}")
        self.joint_indices = [self.link_index[n] for n in spec.joint_names]
        self.end_effector_indices = [self.link_index[n] for n in spec.end_effectors]
        # -1: the clip's root is the URDF's base itself (the Laikago's chassis), not a link fixed to it (the humanoid's root)
        self.root_index = -1 if spec.root_link == self.base_name else self.link_index[spec.root_link]
        # damping is per body: PyBullet applies a link's lateralFriction to the base instead when the same
        # call also sets damping (the feet kept the URDF's 0.5), so friction is set link by link on its own
        pb.changeDynamics(self.body, -1, linearDamping=0.0, angularDamping=0.0, physicsClientId=client)
        for j in range(-1, self.num_links):
            pb.changeDynamics(self.body, j, lateralFriction=lateral_friction, physicsClientId=client)
        self._disable_default_motors()
        self.kp = [j.kp for j in spec.joints]
        self.kd = [j.kd for j in spec.joints]
        self.max_forces = [[j.torque_limit_nm] * j.velocity_dofs for j in spec.joints]
        self._zero_velocities = [[0.0] * j.velocity_dofs for j in spec.joints]
        self._pd_positions: list[list[float]] = []
        self._dof_sizes = list(spec.joint_dofs)
        self._vel_sizes = [j.velocity_dofs for j in spec.joints]
        self._pose_size = sum(spec.joint_dofs)
        self._vel_size = sum(j.velocity_dofs for j in spec.joints)
        self.state_width = 13 + self._pose_size + self._vel_size + 16 * self.num_links  # numbers `append_state` appends

    def make_ghost(self, rgba: tuple[float, float, float, float]) -> None:
        """Turn this body into a see-through marker: no collisions, translucent colour."""
        for j in range(-1, self.num_links):
            pb.setCollisionFilterGroupMask(self.body, j, collisionFilterGroup=0, collisionFilterMask=0, physicsClientId=self.client)
            pb.changeVisualShape(self.body, j, rgbaColor=list(rgba), physicsClientId=self.client)

    def _disable_default_motors(self) -> None:
        """PyBullet gives revolute/spherical joints a velocity motor by default: switch it off."""
        for j, spec in zip(self.joint_indices, self.spec.joints, strict=True):
            if spec.dofs == 1:
                pb.setJointMotorControl2(self.body, j, pb.VELOCITY_CONTROL, targetVelocity=0, force=0, physicsClientId=self.client)
            else:
                pb.setJointMotorControlMultiDof(
                    self.body,
                    j,
                    pb.POSITION_CONTROL,
                    targetPosition=[0, 0, 0, 1],
                    targetVelocity=[0, 0, 0],
                    positionGain=0,
                    velocityGain=1,
                    force=[0, 0, 0],
                    physicsClientId=self.client,
                )

    def _split(self, flat: np.ndarray | list[float], sizes: list[int]) -> list[list[float]]:
        values = flat if isinstance(flat, list) else flat.tolist()
        out, col = [], 0
        for size in sizes:
            out.append(values[col : col + size])
            col += size
        return out

    def set_pose(self, pose: Pose, velocity: PoseVelocity | None = None) -> None:
        """Teleport the character to a pose (and velocities; zero if None)."""
        c = self.client
        pb.resetBasePositionAndOrientation(self.body, pose.root_pos.tolist(), pose.root_quat.tolist(), physicsClientId=c)
        positions = self._split(pose.joints, self._dof_sizes)
        if velocity is None:
            pb.resetBaseVelocity(self.body, [0, 0, 0], [0, 0, 0], physicsClientId=c)
            velocities = self._zero_velocities
        else:
            pb.resetBaseVelocity(self.body, velocity.root_lin.tolist(), velocity.root_ang.tolist(), physicsClientId=c)
            velocities = self._split(velocity.joints, self._vel_sizes)
        pb.resetJointStatesMultiDof(self.body, self.joint_indices, positions, velocities, physicsClientId=c)

    def lift_base(self, root_pos: np.ndarray, root_quat: np.ndarray, velocity: PoseVelocity) -> None:
        """Move the root of a body just posed by `set_pose` (joints kept), e.g. out of the ground.
        PyBullet zeroes the root's velocity when it moves it: it is set again."""
        c = self.client
        pb.resetBasePositionAndOrientation(self.body, root_pos.tolist(), root_quat.tolist(), physicsClientId=c)
        pb.resetBaseVelocity(self.body, velocity.root_lin.tolist(), velocity.root_ang.tolist(), physicsClientId=c)

    def kick(self, delta_v: np.ndarray) -> None:
        """Add the velocity delta_v [3] (m/s, world) to every part of the body at once: a push of impulse
        mass * delta_v (the links' velocities follow the base's in PyBullet's reduced coordinates)."""
        c = self.client
        lin, ang = pb.getBaseVelocity(self.body, physicsClientId=c)
        pb.resetBaseVelocity(self.body, (np.asarray(lin) + delta_v).tolist(), list(ang), physicsClientId=c)

    def append_state(self, flat: list[float]) -> None:
        """Append the whole simulated state to `flat` as `state_width` floats (world frame), in this order:
        root position 3, orientation x,y,z,w 4, linear and angular velocity 3 + 3; joint positions
        [D] and velocities [V] in clip layout; then one `link_states` row of 16 per link.
        One list for many bodies becomes one array in one `np.fromiter` (extending a list by PyBullet's
        tuples is the cheapest way from them to numpy)."""
        c, body = self.client, self.body
        pos, quat = pb.getBasePositionAndOrientation(body, physicsClientId=c)
        lin, ang = pb.getBaseVelocity(body, physicsClientId=c)
        joints = pb.getJointStatesMultiDof(body, self.joint_indices, physicsClientId=c)
        # computeForwardKinematics is needed even right after stepSimulation: without it the frames are stale
        links = pb.getLinkStates(body, self._link_range, computeLinkVelocity=1, computeForwardKinematics=1, physicsClientId=c)
        flat += pos
        flat += quat
        flat += lin
        flat += ang
        for s in joints:
            flat += s[0]
        for s in joints:
            flat += s[1]
        for s in links:
            flat += s[0]
            flat += s[1]
            flat += s[6]
            flat += s[7]
            flat += s[4]

    def velocity_weights(self, weights: np.ndarray) -> np.ndarray:
        """[state_width, 3]: weights [1 + L] of the root and the links (in link order) on the linear velocity
        columns of an `append_state` row, so that row @ this = the weighted sum of their velocities."""
        out = np.zeros((self.state_width, 3))
        out[7:10] = np.eye(3) * weights[0]
        first = self.state_width - 16 * self.num_links
        for i in range(self.num_links):
            out[first + 16 * i + 7 : first + 16 * i + 10] = np.eye(3) * weights[1 + i]
        return out

    def split_state(self, flat: np.ndarray) -> tuple[Pose, PoseVelocity, np.ndarray]:
        """`append_state` of N bodies as an array [N, state_width] -> Pose, PoseVelocity with a leading
        N axis and the link rows [N, L, 16] (views into `flat`)."""
        d, v, n = self._pose_size, self._vel_size, len(flat)
        pose = Pose(flat[:, 0:3], flat[:, 3:7], flat[:, 13 : 13 + d])
        velocity = PoseVelocity(flat[:, 7:10], flat[:, 10:13], flat[:, 13 + d : 13 + d + v])
        return pose, velocity, flat[:, 13 + d + v :].reshape(n, self.num_links, 16)

    def _state(self) -> tuple[Pose, PoseVelocity, np.ndarray]:
        flat: list[float] = []
        self.append_state(flat)
        pose, vel, links = self.split_state(np.array(flat)[None])
        return (Pose(pose.root_pos[0], pose.root_quat[0], pose.joints[0]),
                PoseVelocity(vel.root_lin[0], vel.root_ang[0], vel.joints[0]), links[0])  # fmt: skip

    def get_pose(self) -> tuple[Pose, PoseVelocity]:
        """Current pose and velocities in clip layout (quaternions x,y,z,w)."""
        pose, vel, _ = self._state()
        return pose, vel

    def link_states(self) -> np.ndarray:
        """Every link's state in the world frame, one row per link: [L, 16].

        Columns: 0:3 centre-of-mass position, 3:7 orientation x,y,z,w,
        7:10 linear and 10:13 angular velocity, 13:16 link-frame (joint) position.
        """
        return self._state()[2]

    def set_pd_targets(self, targets: np.ndarray | list[float], velocities: np.ndarray | list[float] | None = None) -> None:
        """Stable PD toward joint targets [D] in clip layout (quaternions x,y,z,w, radians), an array or a list,
        and target joint velocities [V] (`PoseVelocity.joints` layout; None: zero).

        PyBullet consumes stable-PD commands at every physics step: call
        `apply_pd()` before each `stepSimulation`. The lists are built once here.
        """
        self._pd_positions = self._split(targets, self._dof_sizes)
        self._pd_velocities = self._zero_velocities if velocities is None else self._split(velocities, self._vel_sizes)

    def apply_pd(self) -> None:
        """Send the current stable-PD targets for the next physics step."""
        pb.setJointMotorControlMultiDofArray(
            self.body,
            self.joint_indices,
            pb.STABLE_PD_CONTROL,
            targetPositions=self._pd_positions,
            targetVelocities=self._pd_velocities,
            forces=self.max_forces,
            positionGains=self.kp,
            velocityGains=self.kd,
            physicsClientId=self.client,
        )

    def kinematic_tree(self) -> KinematicTree:
        """The link tree in numpy form, for `characters.kinematics.link_frames`."""
        c = self.client
        n = self.num_links
        col_of, col = {}, 0
        for j, spec in zip(self.joint_indices, self.spec.joints, strict=True):
            col_of[j] = col
            col += spec.dofs
        dyn = [pb.getDynamicsInfo(self.body, j, physicsClientId=c) for j in range(n)]
        return KinematicTree(
            parent=np.array([info[16] for info in self._infos]),
            kind=np.array([_KIND[info[2]] for info in self._infos]),
            axis=np.array([info[13] for info in self._infos], dtype=float),
            joint_pos=np.array([info[14] for info in self._infos], dtype=float),
            joint_quat=np.array([info[15] for info in self._infos], dtype=float),
            inertial_pos=np.array([d[3] for d in dyn], dtype=float),
            inertial_quat=np.array([d[4] for d in dyn], dtype=float),
            pose_col=np.array([col_of.get(j, -1) for j in range(n)]),
            mass=np.array([d[0] for d in dyn], dtype=float),
            base_mass=float(pb.getDynamicsInfo(self.body, -1, physicsClientId=c)[0]),
        )
