"""A looping clip's seam (`motions.seam`): measured on the shipped clips, closed, and used by the environment."""

import numpy as np
import pytest

from characters import get_character
from characters.config import EnvConfig
from characters.env import ImitationEnv
from motions import load_clip, pose_at, resolve_clip
from motions.rotations import quat_conj, quat_mul, quat_to_rotvec
from motions.seam import close_seam, keyframe_distance, seam_gap

HUMANOID = get_character("humanoid")


def load(name):
    return load_clip(resolve_clip(name, HUMANOID.clip_prefix), HUMANOID.joint_dofs, "humanoid")


def largest_joint_jump(clip, t0: float, t1: float) -> float:
    """The largest rotation (rad) of any spherical joint between the clip's poses at t0 and t1."""
    a, b = pose_at(clip, t0), pose_at(clip, t1)
    out, col = 0.0, 0
    for dofs in clip.joint_dofs:
        if dofs == 4:
            rel = quat_mul(quat_conj(a.joints[col : col + 4]), b.joints[col : col + 4])
            out = max(out, float(np.linalg.norm(quat_to_rotvec(rel))))
        col += dofs
    return out


def test_the_shipped_run_clip_jumps_at_its_seam():
    clip = load("run.txt")
    gap = seam_gap(clip)
    assert gap.shape == (12,)
    assert 0.2 < gap.mean() < 0.23  # bench/clip_symmetry.py: 0.216 mean, 0.392 at most (right shoulder)
    assert gap.max() == pytest.approx(0.392, abs=2e-3)
    # the same as keyframe_distance between the last keyframe and the first
    np.testing.assert_allclose(gap, keyframe_distance(clip, clip.num_frames - 1, 0))


@pytest.mark.parametrize("name", ["run.txt", "walk.txt"])
def test_closing_the_seam_removes_the_jump_and_keeps_the_cycle(name):
    clip = load(name)
    closed = close_seam(clip)
    assert seam_gap(closed).max() < 1e-12
    np.testing.assert_array_equal(closed.cycle_offset, clip.cycle_offset)  # cycles join where they did
    np.testing.assert_array_equal(closed.joints[:-1], clip.joints[:-1])  # only the last keyframe changes
    np.testing.assert_array_equal(closed.root_pos[:-1], clip.root_pos[:-1])
    np.testing.assert_array_equal(closed.root_pos[-1, [0, 2]], clip.root_pos[-1, [0, 2]])
    eps = 1e-6
    before, after = clip.duration - eps, clip.duration + eps
    assert largest_joint_jump(clip, before, after) > 0.3  # the shipped clip: a jump in no time
    assert largest_joint_jump(closed, before, after) < 1e-4
    np.testing.assert_allclose(pose_at(closed, before).root_pos, pose_at(closed, after).root_pos, atol=1e-4)


def test_a_clip_that_does_not_loop_is_left_alone():
    clip = load("kick.txt")
    assert not clip.loop
    assert close_seam(clip) is clip
    assert np.all(seam_gap(clip) == 0.0)


def test_the_environment_closes_the_seam_when_asked():
    closed = ImitationEnv("humanoid", "run.txt", EnvConfig(close_seam=True))
    shipped = ImitationEnv("humanoid", "run.txt", EnvConfig())
    try:
        assert seam_gap(closed.clip).max() < 1e-12
        assert seam_gap(shipped.clip).mean() > 0.2
        closed.mirror_map()  # the closed clip is still its own mirror image half a cycle later
    finally:
        closed.close()
        shipped.close()
