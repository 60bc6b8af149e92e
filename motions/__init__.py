"""Motion clips: loading, validation, rotations and interpolation (numpy only)."""

from motions.clip import Clip, ClipError
from motions.interpolate import Pose, PoseVelocity, phase_at, pose_at, velocity_at
from motions.library import resolve_clip, shipped_clips, shipped_motions_dir
from motions.loading import clip_summary, load_clip

__all__ = [
    "Clip",
    "ClipError",
    "Pose",
    "PoseVelocity",
    "clip_summary",
    "load_clip",
    "phase_at",
    "pose_at",
    "resolve_clip",
    "shipped_clips",
    "shipped_motions_dir",
    "velocity_at",
]
