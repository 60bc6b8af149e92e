"""What `imitate motions --check` reports about a clip: its seam, its travel and turn per cycle, its feet turning on the ground."""

import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from characters.clip_facts import FOOT_DOWN_M, SEAM_JUMP_RATIO, link_steps, seam_step, turn_on_ground, turn_per_cycle
from characters.config import EnvConfig
from characters.env import ImitationEnv
from motions.rotations import axis_angle_to_quat


def test_link_steps_is_the_largest_link_move_per_step():
    pos = np.zeros((3, 2, 3))
    pos[1, 0] = [0.3, 0.4, 0.0]  # link 0 moves 0.5 m, then back
    pos[2, 1] = [0.0, 0.0, 0.2]  # link 1 moves 0.2 m in the second step
    assert link_steps(pos) == pytest.approx([0.5, 0.5])


def test_turn_on_ground_counts_turns_about_the_vertical_while_down():
    dt, t = 0.1, np.arange(11) * 0.1  # 1 s
    yaw = axis_angle_to_quat(np.array([0.0, 1.0, 0.0]), 2.0 * t)  # turning 2 rad/s about the vertical
    pitch = axis_angle_to_quat(np.array([1.0, 0.0, 0.0]), 2.0 * t)  # as fast, about a level axis
    quat = np.stack([yaw, yaw, pitch], axis=1)  # [11,3,4]
    clearance = np.zeros((11, 3))
    clearance[6:, 1] = FOOT_DOWN_M + 0.01  # link 1 lifts off after 0.5 s: its last five steps do not count
    assert turn_on_ground(quat, clearance, dt) == pytest.approx([2.0, 1.0, 0.0], abs=1e-9)
    assert turn_on_ground(quat[::-1], clearance[::-1], dt) == pytest.approx([2.0, 1.0, 0.0], abs=1e-9)  # either way round


@pytest.mark.parametrize("clip, turn_deg, jump", [("walk.txt", 6.9, False), ("crawl.txt", 21.0, True)])
def test_the_crawls_seam_is_a_jump_and_the_walks_is_not(clip, turn_deg, jump):
    env = ImitationEnv("humanoid", clip, EnvConfig())
    seam, usual = seam_step(env.reference, env.clip.duration, 1.0 / 30.0)
    assert (seam > SEAM_JUMP_RATIO * usual) is jump and SEAM_JUMP_RATIO == 1.5, (seam, usual)
    assert math.degrees(turn_per_cycle(env.clip)) == pytest.approx(turn_deg, abs=0.1)  # the crawl turns 21 deg and snaps back
    env.close()


def test_motions_check_reports_what_training_reads_from_the_clip():
    exe = Path(sys.executable).with_name("imitate")
    out = subprocess.run([str(exe), "motions", "--check", "cartwheel.txt"], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert "end after 20 s" in out.stdout and "travels 2.14 m at 0.79 m/s" in out.stdout
    assert "may touch it with right_ankle, right_wrist, left_ankle, left_wrist" in out.stdout  # the hands of a cartwheel
    assert "mirror images  not used: not its own mirror image" in out.stdout
    assert "feet turning   while on the ground, about the vertical, deg/s over the clip: right_ankle 49, left_ankle 36" in out.stdout
    kick = subprocess.run([str(exe), "motions", "--check", "kick.txt"], capture_output=True, text=True, timeout=120)
    assert "end at the clip's end (1.53 s)" in kick.stdout and "loop seam" not in kick.stdout
