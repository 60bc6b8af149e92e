"""A tracking camera for PyBullet's offscreen renderer (y-up world)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from characters.env import pb
from characters.quiet import quiet_c_output


def character_scale(root_heights: np.ndarray, extent_m: float = 0.0) -> float:
    """How big the character is next to the humanoid (1), from its clip's root heights [F] (m) and the largest
    distance between two of its links over the clip (`body_extent`): the cameras stand that much closer, so a
    0.5-m quadruped fills the frame as the humanoid does, and a humanoid crawling low is still seen whole."""
    # the humanoid stands with its root 0.85-0.89 m up, 1.47 m from its head to its feet
    return float(np.clip(max(np.max(root_heights) / 0.85, extent_m / 1.47), 0.3, 1.0))


def root_height_scale(root_heights: np.ndarray) -> float:
    """How high the character's root goes next to the humanoid's (1): the camera looks at 0.9 m times this."""
    return float(np.clip(np.max(root_heights) / 0.85, 0.3, 1.0))


def clip_extent(env, samples: int = 60) -> float:
    """`body_extent` of an environment's reference at `samples` times over one pass of its clip."""
    times = np.linspace(0.0, env.clip.duration, samples, endpoint=False)
    return body_extent(env.reference.states_at(times).link_pos)


def body_extent(link_pos: np.ndarray) -> float:
    """The largest distance between two links [T,L,3] at any time: how long the body is (m)."""
    return float(np.linalg.norm(link_pos[:, :, None] - link_pos[:, None], axis=-1).max())


def side_yaw_deg(root_pos: np.ndarray) -> float:
    """Camera yaw (degrees about y) that looks at a clip's travel from the side; 0 (the +x side view)
    for a clip that travels along x or stays in place. root_pos [F,3]."""
    travel = root_pos[-1] - root_pos[0]
    if np.hypot(travel[0], travel[2]) < 0.1:
        return 0.0
    return float(np.degrees(np.arctan2(travel[2], travel[0])))


@dataclass
class TrackingCamera:
    """Follows a point with exponential smoothing; yaw/pitch in degrees about the y (up) axis."""

    width: int = 640
    height: int = 360
    distance_m: float = 3.2
    yaw_deg: float = 0.0
    pitch_deg: float = -12.0
    fov_deg: float = 50.0
    smoothing: float = 0.15
    target_height_m: float = 0.9
    target: np.ndarray | None = None

    @classmethod
    def for_clip(cls, root_pos: np.ndarray, extent_m: float = 0.0, width: int = 640, height: int = 360) -> TrackingCamera:
        """The default camera for a clip's root positions [F,3] and the body's extent (m, `body_extent`): as
        close as the character is small (`character_scale`), from the side of the way the clip travels
        (`side_yaw_deg`), looking as high as its root goes."""
        scale = character_scale(root_pos[:, 1], extent_m)
        return cls(width, height, distance_m=3.2 * scale, yaw_deg=side_yaw_deg(root_pos),
                   target_height_m=0.9 * root_height_scale(root_pos[:, 1]))  # fmt: skip

    def follow(self, point: np.ndarray) -> None:
        point = np.array([point[0], self.target_height_m, point[2]])  # keep the horizon steady: track ground position only
        self.target = point if self.target is None else self.target + self.smoothing * (point - self.target)

    def image(self, client: int, hardware: bool) -> np.ndarray:
        """RGB frame [H,W,3] uint8 of the world as seen now."""
        view = pb.computeViewMatrixFromYawPitchRoll(self.target.tolist(), self.distance_m, self.yaw_deg, self.pitch_deg, 0.0, 1,
                                                    physicsClientId=client)  # fmt: skip
        proj = pb.computeProjectionMatrixFOV(self.fov_deg, self.width / self.height, 0.05, 60.0, physicsClientId=client)
        renderer = pb.ER_BULLET_HARDWARE_OPENGL if hardware else pb.ER_TINY_RENDERER
        with quiet_c_output():  # the EGL plugin prints driver chatter on its first frames
            _, _, rgba, _, _ = pb.getCameraImage(self.width, self.height, view, proj, renderer=renderer, physicsClientId=client)
        return np.reshape(np.asarray(rgba, dtype=np.uint8), (self.height, self.width, 4))[:, :, :3]
