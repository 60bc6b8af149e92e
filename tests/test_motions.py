"""Clip loading, name resolution, interpolation and loop offsets on the shipped clips."""

import numpy as np
import pytest

from characters import get_character
from motions import ClipError, load_clip, pose_at, resolve_clip, shipped_clips, velocity_at
from motions.interpolate import locate, phase_at
from motions.rotations import quat_conj, quat_mul, quat_to_rotvec

HUMANOID = get_character("humanoid")
HUMANOID_CLIPS = [p for p in shipped_clips() if p.name.startswith(HUMANOID.clip_prefix)]


def load(name):
    return load_clip(resolve_clip(name, HUMANOID.clip_prefix), HUMANOID.joint_dofs, "humanoid")


def test_fifteen_humanoid_clips_ship():
    assert len(HUMANOID_CLIPS) == 15


@pytest.mark.parametrize("name", ["run.txt", "run", "humanoid3d_run.txt"])
def test_names_resolve_to_the_run_clip(name):
    assert resolve_clip(name, HUMANOID.clip_prefix).name == "humanoid3d_run.txt"


def test_walk_resolves_to_the_walk_clip():
    assert resolve_clip("walk.txt", HUMANOID.clip_prefix).name == "humanoid3d_walk.txt"


def test_existing_path_wins(tmp_path):
    src = resolve_clip("run.txt", HUMANOID.clip_prefix)
    local = tmp_path / "run.txt"
    local.write_text(src.read_text())
    assert resolve_clip(str(local), HUMANOID.clip_prefix) == local


def test_unknown_name_lists_choices():
    with pytest.raises(ClipError, match="available: .*run.txt.*walk.txt"):
        resolve_clip("moonwalk.txt", HUMANOID.clip_prefix)


@pytest.mark.parametrize("path", HUMANOID_CLIPS, ids=lambda p: p.name)
def test_every_clip_samples_cleanly_and_loops_by_its_displacement(path):
    clip = load_clip(path, HUMANOID.joint_dofs, "humanoid")
    rng = np.random.default_rng(0)
    for t in rng.uniform(-1.0, 3.0 * clip.duration + 1.0, size=1000):
        pose, vel = pose_at(clip, t), velocity_at(clip, t)
        for arr in (pose.root_pos, pose.root_quat, pose.joints, vel.root_lin, vel.root_ang, vel.joints):
            assert np.all(np.isfinite(arr))
    if clip.loop:
        displacement = clip.root_pos[-1] - clip.root_pos[0]
        for cycles in (1, 2, 5):
            tau = 0.37 * clip.duration
            shift = pose_at(clip, tau + cycles * clip.duration).root_pos - pose_at(clip, tau).root_pos
            # horizontal displacement accumulates per cycle; height does not (no sinking/floating)
            assert shift[[0, 2]] == pytest.approx(cycles * displacement[[0, 2]], abs=1e-9)
            assert shift[1] == pytest.approx(0.0, abs=1e-9)


def test_pose_hits_keyframes_and_interpolates_linearly():
    clip = load("walk.txt")
    times = clip.frame_times
    for i in (0, 5, 17):
        pose = pose_at(clip, times[i])
        assert np.allclose(pose.root_pos, clip.root_pos[i])
        assert np.allclose(pose.joints, clip.joints[i])
    mid = 0.5 * (times[3] + times[4])
    pose = pose_at(clip, mid)
    assert np.allclose(pose.root_pos, 0.5 * (clip.root_pos[3] + clip.root_pos[4]))
    knee = 12  # right knee column in the humanoid layout (3 spherical joints before it)
    assert pose.joints[knee] == pytest.approx(0.5 * (clip.joints[3, knee] + clip.joints[4, knee]))


def test_non_looping_clip_clamps():
    clip = load("kick.txt")
    assert not clip.loop
    assert np.allclose(pose_at(clip, -5.0).joints, clip.joints[0])
    assert np.allclose(pose_at(clip, clip.duration + 5.0).joints, clip.joints[-1])
    assert np.allclose(pose_at(clip, clip.duration + 5.0).root_pos, clip.root_pos[-1])
    assert np.allclose(velocity_at(clip, clip.duration + 1.0).joints, 0.0)
    assert phase_at(clip, clip.duration + 1.0) == 1.0


def test_velocities_are_finite_differences():
    clip = load("run.txt")
    i = 7
    t = clip.frame_times[i] + 0.3 * clip.durations[i]
    vel = velocity_at(clip, t)
    dt = clip.durations[i]
    assert np.allclose(vel.root_lin, (clip.root_pos[i + 1] - clip.root_pos[i]) / dt)
    chest0, chest1 = clip.joints[i, 0:4], clip.joints[i + 1, 0:4]
    assert np.allclose(vel.joints[0:3], quat_to_rotvec(quat_mul(quat_conj(chest0), chest1)) / dt)
    knee = 12
    assert vel.joints[9] == pytest.approx((clip.joints[i + 1, knee] - clip.joints[i, knee]) / dt)
    # the angular velocity integrates the chest from one keyframe to the next
    from motions.rotations import rotvec_to_quat

    chest_next = quat_mul(chest0, rotvec_to_quat(vel.joints[0:3] * dt))
    assert np.allclose(np.abs(np.sum(chest_next * chest1)), 1.0)


def test_locate_cycles_and_phase():
    clip = load("run.txt")
    where = locate(clip, 2.5 * clip.duration)
    assert where.cycle == 2
    assert phase_at(clip, 2.5 * clip.duration) == pytest.approx(0.5)
