"""Viewer: MP4/GIF read back with the right frames, size and fps and show the character;
the window opens headless, draws, and answers its keys; no display is one line."""

import os
import shutil
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import imageio.v2 as imageio
import numpy as np
import pytest

from characters.config import DEEPMIMIC_ENV
from characters.env import ImitationEnv, pb
from viewer.camera import TrackingCamera
from viewer.player import Player
from viewer.video import record

EXE = Path(sys.executable).with_name("imitate")


def env_with_ghost(**kw):
    return ImitationEnv("humanoid", "run.txt", replace(DEEPMIMIC_ENV, episode_seconds=30), ghost=True, egl=kw.get("egl", True))


def test_mp4_reads_back_with_frames_size_fps_and_the_character(tmp_path):
    env = env_with_ghost()
    out = tmp_path / "ref.mp4"
    result = record(env, out, seconds=1.0, policy=None, camera=TrackingCamera(320, 180))
    reader = imageio.get_reader(str(out))
    frames = [f for f in reader]
    assert result.frames == 30 and len(frames) == 30
    assert frames[0].shape == (180, 320, 3) and reader.get_meta_data()["fps"] == 30
    # an empty scene: the same camera with both bodies moved far away
    camera = TrackingCamera(320, 180)
    camera.follow(env.body.get_pose()[0].root_pos)
    for body in (env.body.body, env.ghost.body):
        pb.resetBasePositionAndOrientation(body, [500, 0, 500], [0, 0, 0, 1], physicsClientId=env.client)
    empty = camera.image(env.client, env.egl_loaded).astype(float)
    with_character = frames[-1][:-10].astype(float)  # leave out the progress bar
    diff = np.abs(with_character - empty[:-10]).mean(axis=2)
    assert (diff > 40).mean() > 0.01  # the character covers a visible part of the frame
    env.close()


def test_gif_and_policy_video(tmp_path):
    env = env_with_ghost(egl=False)  # the CPU renderer path
    out = tmp_path / "skill.gif"
    zero = np.zeros(env.action_space.shape)
    result = record(env, out, seconds=0.5, policy=lambda obs, ref: zero, camera=TrackingCamera(160, 90), side_by_side=True)
    frames = imageio.mimread(str(out))
    assert len(frames) == result.frames == 8 and result.renderer.startswith("TINY")  # every other frame of 15
    env.close()


@pytest.fixture
def viewer():
    from viewer.window import Viewer

    env = env_with_ghost(egl=False)
    v = Viewer(Player(env, None), 320, 180, headless=True)
    yield v
    v.window.close()
    env.close()


def test_window_draws_a_non_blank_frame(viewer):
    viewer.window.switch_to()
    viewer.draw()
    pixels = viewer.pixels().astype(float)
    assert pixels.shape == (180, 320, 3) and pixels.std() > 10.0
    orange = (pixels[..., 0] > 180) & (pixels[..., 1] > 90) & (pixels[..., 1] < 170) & (pixels[..., 2] < 120)
    assert orange.sum() > 50  # the character's body colour is on screen


def send(viewer, event, *args):
    viewer.window.dispatch_event(event, *args)
    viewer.window.dispatch_events()  # a window queues events until its loop takes them


def test_window_answers_pause_step_reset_and_speed_keys(viewer):
    from pyglet.window import key

    player = viewer.player
    for _ in range(30):  # half a second of 60 Hz frames: 15 control steps at 30 Hz
        viewer.tick(1 / 60)
    assert player.steps == 15 and player.env.time == pytest.approx(0.5)
    send(viewer, "on_key_press", key.SPACE, 0)
    assert player.paused
    viewer.tick(1.0)
    assert player.steps == 15  # paused: time stands still
    send(viewer, "on_key_press", key.PERIOD, 0)
    assert player.steps == 16 and player.paused
    send(viewer, "on_key_press", key.R, 0)
    assert player.env.time == 0.0
    send(viewer, "on_key_press", key.BRACKETRIGHT, 0)
    assert player.speed == 2.0
    send(viewer, "on_key_press", key.G, 0)
    assert not player.ghost_visible
    send(viewer, "on_key_press", key.C, 0)
    assert not viewer.follow
    send(viewer, "on_mouse_scroll", 0, 0, 0.0, 1.0)
    assert viewer.distance < 3.5


def test_no_display_says_so_in_one_line():
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    out = subprocess.run([str(EXE), "view", "--motion", "run.txt"], capture_output=True, text=True, env=env, timeout=120)
    assert out.returncode == 2
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and "no display found" in lines[0] and "imitate render" in lines[0]


@pytest.mark.skipif(not shutil.which("xvfb-run"), reason="xvfb-run not installed (apt-get install xvfb); .ci/run installs it")
def test_window_runs_under_xvfb():
    out = subprocess.run(["xvfb-run", "-a", "-s", "-screen 0 1280x720x24", str(EXE), "view", "--motion", "run.txt", "--frames", "30"],
                         capture_output=True, text=True, timeout=180)  # fmt: skip
    assert out.returncode == 0, out.stderr
    assert "30 frames" in out.stdout


def test_a_steered_controller_turns_with_the_arrow_keys_and_shows_its_command(tmp_path):
    import math

    from characters.config import EnvConfig
    from characters.steering import SteeringConfig
    from viewer.window import Viewer

    env = ImitationEnv("humanoid", "walk.txt", EnvConfig(steering=SteeringConfig()), ghost=True, egl=False)
    zero = np.zeros(env.action_space.shape)
    v = Viewer(Player(env, lambda obs, ref: zero, steer=True), 320, 180, headless=True)
    from pyglet.window import key  # after the headless window: pyglet picks its platform on first use

    try:
        player = v.player
        start = env.task.command
        send(v, "on_key_press", key.LEFT, 0)
        send(v, "on_key_press", key.LEFT, 0)
        send(v, "on_key_press", key.RIGHT, 0)
        assert env.task.command == pytest.approx(start + math.pi / 6)
        for _ in range(20):
            v.tick(1 / 60)
        assert env.task.command == pytest.approx(start + math.pi / 6) and math.isinf(env.task.change_at)  # held: no random change
        # the arrow lies on the ground at the character's feet, along the command
        pos, quat = pb.getBasePositionAndOrientation(env.marker, physicsClientId=env.client)
        root = env.body.get_pose()[0].root_pos
        direction = (np.array(pos) - root)[[0, 2]]
        assert pos[1] < 0.05 and np.arctan2(-direction[1], direction[0]) == pytest.approx(env.task.command, abs=1e-6)
        v.window.switch_to()
        v.draw()
        pixels = v.pixels().astype(float)
        yellow = (pixels[..., 0] > 200) & (pixels[..., 1] > 160) & (pixels[..., 2] < 90)
        assert yellow.sum() > 5 and "command 30 deg" in player.overlay_lines()[-2]
    finally:
        v.window.close()
        env.close()


def test_a_controller_on_two_gaits_speeds_up_and_down_with_the_arrow_keys():
    from characters.config import EnvConfig
    from characters.steering import SteeringConfig
    from viewer.window import Viewer

    env = ImitationEnv("humanoid", "walk.txt", EnvConfig(steering=SteeringConfig(speed_clips=("run.txt",))), ghost=True, egl=False)
    zero = np.zeros(env.action_space.shape)
    v = Viewer(Player(env, lambda obs, ref: zero, steer=True), 320, 180, headless=True)
    from pyglet.window import key

    try:
        low, high = env.task.speed_range
        start = env.task.speed
        send(v, "on_key_press", key.UP, 0)
        assert env.task.speed == pytest.approx(min(high, start + 0.5))
        for _ in range(10):
            send(v, "on_key_press", key.DOWN, 0)
        assert env.task.speed == pytest.approx(low)  # no slower than the walk
        assert f"{low:.2f} m/s" in v.player.overlay_lines()[-2] and "up/down: speed 1.0-3.6 m/s" in v.player.overlay_lines()[-2]
    finally:
        v.window.close()
        env.close()


def test_the_window_draws_the_quadrupeds_mesh_shapes():
    """The Laikago collides with meshes (chassis, legs): the window draws each as its convex hull, in place."""
    from viewer.meshes import body_shapes

    env = ImitationEnv("laikago", "laikago_walk.txt", ghost=False, egl=False)
    shapes = body_shapes(env.body.body, env.client, env.body.num_links)
    assert len(shapes) == 1 + 12 + 4  # the chassis, 3 meshes per leg, the toes' spheres
    chassis = next(s for s in shapes if s.link == -1)
    vertices = np.array(pb.getMeshData(env.body.body, -1, physicsClientId=env.client)[1])
    np.testing.assert_allclose(chassis.mesh.positions.min(axis=0), vertices.min(axis=0), atol=1e-6)
    np.testing.assert_allclose(chassis.mesh.positions.max(axis=0), vertices.max(axis=0), atol=1e-6)
    assert np.ptp(vertices[:, 2]) > 0.5  # the chassis is long along its z axis, the way it walks
    env.close()


@pytest.mark.parametrize("character, clip, scale", [("humanoid", "walk.txt", 1.0), ("humanoid", "crawl.txt", 1.0),
                                                   ("laikago", "laikago_walk.txt", 0.58)])  # fmt: skip
def test_the_camera_stands_as_far_as_the_body_is_long(character, clip, scale):
    """A crawling humanoid keeps its root 0.4 m up but is as long as a standing one: it is filmed from as far;
    the quadruped, half the humanoid's size, from closer."""
    from viewer.camera import character_scale, clip_extent

    env = ImitationEnv(character, clip, DEEPMIMIC_ENV)
    assert character_scale(env.clip.root_pos[:, 1], clip_extent(env)) == pytest.approx(scale, abs=0.01)
    env.close()
