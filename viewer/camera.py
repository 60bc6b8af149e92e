"""A tracking camera for PyBullet's offscreen renderer (y-up world)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from characters.env import pb
from characters.quiet import quiet_c_output


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
    target: np.ndarray | None = None

    def follow(self, point: np.ndarray) -> None:
        point = np.array([point[0], 0.9, point[2]])  # keep the horizon steady: track ground position only
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
