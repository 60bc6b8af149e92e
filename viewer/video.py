"""Headless video of a character: MP4 (H.264) or GIF, rendered with PyBullet's offscreen camera.

A policy arrives as a callable `policy(obs [O], ref_pose [D]) -> env action [A]`
(torch, numpy or ONNX behind it; this module never imports torch). Without a
policy the clip is played kinematically.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from characters.env import ImitationEnv, pb
from characters.steering import course_command
from viewer.camera import TrackingCamera, clip_extent

Policy = Callable[[np.ndarray, np.ndarray], np.ndarray]
GIF_EVERY = 2  # a GIF keeps every other frame
GIF_COLORS = 64  # one palette for a whole GIF: a third smaller than 256 colours per frame, the same look
TRAIL_EVERY_S = 0.25  # a course's render drops a dot on the ground where the character is, this often


@dataclass(frozen=True)
class VideoResult:
    path: Path
    frames: int
    fps: float
    size: tuple[int, int]
    seconds_rendering: float
    renderer: str
    falls: int


def progress_bar(frame: np.ndarray, fraction: float, height: int = 6) -> np.ndarray:
    """Draw a progress bar along the bottom edge. frame [H,W,3] uint8 (modified and returned)."""
    w = frame.shape[1]
    frame[-height:, :, :] = (frame[-height:, :, :] * 0.4).astype(np.uint8)
    frame[-height:, : int(round(fraction * w)), :] = (255, 170, 40)
    return frame


def record(
    env: ImitationEnv,
    out: Path,
    seconds: float,
    policy: Policy | None = None,
    camera: TrackingCamera | None = None,
    side_by_side: bool = False,
    seed: int = 0,
    on_frame: Callable[[int, int], None] | None = None,
    course: Sequence[tuple[float, float, float | None]] = (),
) -> VideoResult:
    """Render `seconds` of simulation (or of the clip itself without a policy) to `out` (.mp4 or .gif).
    course: for a steered controller, (time s, heading rad, speed m/s or None) rows: from each time on, the
    command is that heading relative to the clip's own direction, at that speed (`ImitationEnv.steer_to`); it
    is seen from above, the path drawn on the ground as a trail of dots."""
    import imageio.v2 as imageio

    camera = camera or TrackingCamera.for_clip(env.clip.root_pos, clip_extent(env))
    trail: list[int] = []
    if course:  # from higher up and farther, following slowly, the path drawn on the ground
        camera.pitch_deg, camera.distance_m, camera.smoothing = -50.0, 2.2 * camera.distance_m, 0.03
        trail = env.add_dots(int(seconds / TRAIL_EVERY_S) + 1, 0.04, (0.15, 0.15, 0.2, 1.0))
    every = max(1, int(round(TRAIL_EVERY_S * env.config.control_hz)))
    flat = pb.getQuaternionFromEuler([-np.pi / 2, 0.0, 0.0])
    if side_by_side:
        camera.yaw_deg += 35.0  # look from the front-side so the two bodies stand apart on screen
    paint(env, (0.93, 0.55, 0.25, 1.0))
    fps = env.config.control_hz
    total = int(round(seconds * fps))
    obs, _ = env.reset(seed=seed, options={"start_time": 0.0})
    start_time = env.time
    frames: list[np.ndarray] = []
    writer = None
    if out.suffix.lower() == ".mp4":
        writer = imageio.get_writer(str(out), fps=fps, codec="libx264", quality=7, pixelformat="yuv420p", macro_block_size=1)
    falls = 0
    start = time.perf_counter()
    try:
        for i in range(total):
            ref = env.reference.state_at(start_time + i / fps if policy is None else env.time)
            if side_by_side:
                env.ghost_offset = _beside(ref.pose.root_quat)
            due = course_command(course, i, fps)
            if due is not None:
                env.steer_to(env.task.travel_heading + due[0], due[1])
            if policy is None:
                env.pose_as_clip(start_time + i / fps)  # kinematic playback of the clip (and the ghost)
            else:
                env.place_ghost(ref)
                obs, _, terminated, truncated, info = env.step(policy(obs, env.action_base_pose()))
                if terminated:
                    falls += 1
                if terminated or truncated:
                    obs, _ = env.reset(seed=seed + falls + 1, options={"start_time": env.time % env.clip.duration})
            root = env.body.get_pose()[0].root_pos
            if trail and i % every == 0:  # the path so far, one dot at a time
                pb.resetBasePositionAndOrientation(trail[(i // every) % len(trail)], [float(root[0]), 0.003, float(root[2])],
                                                   flat, physicsClientId=env.client)  # fmt: skip
            camera.follow(root + (0.5 * env.ghost_offset if side_by_side else 0.0))
            frame = progress_bar(camera.image(env.client, env.egl_loaded), (i + 1) / total)
            if writer is not None:
                writer.append_data(frame)
            elif i % GIF_EVERY == 0:  # GIFs are for READMEs and issue trackers: half rate, at most 480 px wide
                frames.append(frame[::2, ::2] if frame.shape[1] > 480 else frame)
            if on_frame is not None:
                on_frame(i + 1, total)
    finally:
        if writer is not None:
            writer.close()
    if writer is None:
        write_gif(out, frames, 1000.0 * GIF_EVERY / fps)
    elapsed = time.perf_counter() - start
    written = total if writer is not None else len(frames)
    rate = fps if writer is not None else fps / GIF_EVERY
    return VideoResult(out, written, rate, (camera.width, camera.height), elapsed, "EGL" if env.egl_loaded else "TINY (CPU)", falls)


def paint(env: ImitationEnv, rgba: tuple[float, float, float, float]) -> None:
    """One colour for the simulated character (the EGL renderer otherwise picks random ones)."""
    from characters.env import pb

    for j in range(-1, env.body.num_links):
        pb.changeVisualShape(env.body.body, j, rgbaColor=list(rgba), physicsClientId=env.client)


def _beside(root_quat: np.ndarray) -> np.ndarray:
    """1.2 m to the character's left (perpendicular to its heading in the ground plane)."""
    from motions.rotations import heading_angle

    h = float(heading_angle(root_quat))
    return 1.2 * np.array([-np.sin(h), 0.0, -np.cos(h)])


def write_gif(out: Path, frames: list[np.ndarray], frame_ms: float, colors: int = GIF_COLORS) -> None:
    """Frames [H,W,3] uint8 as a looping GIF, every frame in one palette of `colors` taken from the first, middle
    and last frames side by side (without dithering: flat shading stays flat and compresses)."""
    from PIL import Image

    images = [Image.fromarray(f) for f in frames]
    picks = [images[0], images[len(images) // 2], images[-1]]
    strip = Image.new("RGB", (sum(i.width for i in picks), picks[0].height))
    for k, im in enumerate(picks):
        strip.paste(im, (k * picks[0].width, 0))
    palette = strip.quantize(colors=colors, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    coded = [im.quantize(palette=palette, dither=Image.Dither.NONE) for im in images]
    coded[0].save(out, format="GIF", save_all=True, append_images=coded[1:], duration=frame_ms, loop=0, optimize=True)

