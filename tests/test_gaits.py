"""Blended gaits: a walk and a run aligned and mixed (motions.blend), tabulated (characters.gait_family), and
a steered environment that follows a commanded speed with them."""

import math
from types import SimpleNamespace

import numpy as np
import pytest

from characters.config import EnvConfig
from characters.env import ImitationEnv
from characters.gait_family import GaitFamily
from characters.registry import get_character
from characters.steering import SteeringConfig, clip_travel
from motions.blend import blend_cycle, joint_distance, phase_offset
from motions.clip import ClipError
from motions.interpolate import pose_at
from motions.library import resolve_clip
from motions.loading import load_clip

HUMANOID = get_character("humanoid")


def clip(name):
    return load_clip(resolve_clip(name, HUMANOID.clip_prefix), HUMANOID.joint_dofs, HUMANOID.name, HUMANOID.clip_convention)


@pytest.fixture(scope="module")
def walk_run():
    return clip("walk.txt"), clip("run.txt")


def test_the_phase_offset_finds_a_known_shift(walk_run):
    walk, _ = walk_run
    shifted = blend_cycle(walk, walk, 1.0, 0.3)  # the walk, starting 0.3 of a cycle in
    assert phase_offset(walk, shifted) == pytest.approx(0.7, abs=0.011)  # where the shifted walk is at the walk's start
    assert phase_offset(walk, walk) == pytest.approx(0.0, abs=0.011)


def test_blends_run_from_the_walk_to_the_run(walk_run):
    walk, run = walk_run
    offset = phase_offset(walk, run)
    slow, fast = blend_cycle(walk, run, 0.0, offset), blend_cycle(walk, run, 1.0, offset)
    assert clip_travel(slow)[1] == pytest.approx(clip_travel(walk)[1], rel=1e-3)
    assert clip_travel(fast)[1] == pytest.approx(clip_travel(run)[1], rel=1e-3)
    assert slow.duration == pytest.approx(walk.duration) and fast.duration == pytest.approx(run.duration)
    phases = np.linspace(0, 0.95, 20)
    assert joint_distance(pose_at(slow, phases * slow.duration).joints, pose_at(walk, phases * walk.duration).joints,
                          walk.joint_dofs).max() < 0.05  # fmt: skip
    paces = [clip_travel(blend_cycle(walk, run, w, offset))[1] for w in np.linspace(0, 1, 5)]
    assert np.all(np.diff(paces) > 0)  # faster and faster


def test_only_looping_travelling_gaits_blend(walk_run):
    walk, _ = walk_run
    with pytest.raises(ClipError, match="kick"):
        blend_cycle(walk, clip("kick.txt"), 0.5, 0.0)
    with pytest.raises(ClipError, match="travel"):
        blend_cycle(walk, clip("dance_a.txt"), 0.5, 0.0)


def test_a_gait_family_looks_up_its_levels_and_mixes_between_them(walk_run):
    walk, run = walk_run
    env = ImitationEnv("humanoid", "walk.txt")
    family = GaitFamily(walk, run, env.body.kinematic_tree())
    t = np.array([0.1, 0.6, 1.1])
    for level in (0, 4, 8):  # a blend on a level is that level's table, at the same phase
        exact = family.refs[level].states_at(t / family.period * family.durations[level])
        got = family.states_at(t, np.full(3, level / 8))
        np.testing.assert_allclose(got.link_pos, exact.link_pos, atol=1e-9)
    mid = family.states_at(t, np.full(3, 1 / 16))  # halfway between levels 0 and 1
    lo, hi = family.states_at(t, np.zeros(3)), family.states_at(t, np.full(3, 1 / 8))
    np.testing.assert_allclose(mid.link_pos, (lo.link_pos + hi.link_pos) / 2, atol=1e-9)
    assert family.rate(np.array([0.0, 1.0])) == pytest.approx([1.0, walk.duration / run.duration])
    speeds = np.array([1.2, 2.0, 3.0])
    assert family.pace(family.blend_for_pace(speeds)) == pytest.approx(speeds, abs=1e-9)
    env.close()


def test_a_steered_walk_and_run_follows_a_commanded_speed():
    cfg = EnvConfig(steering=SteeringConfig(speed_clips=("run.txt",)))
    env = ImitationEnv("humanoid", "walk.txt", cfg)
    low, high = env.task.speed_range
    assert low == pytest.approx(0.978, abs=0.01) and high == pytest.approx(3.557, abs=0.01)
    speeds = []
    for seed in range(6):
        obs, _ = env.reset(seed=seed)
        assert low <= env.task.speed <= high and obs[-1] == pytest.approx(env.task.speed)  # the command's speed is observed
        speeds.append(env.task.speed)
    assert np.std(speeds) > 0.3  # episodes start at different speeds
    env.reset(seed=0, options={"start_time": 0.0})
    env.task.hold(env.task.command, 0.0, speed=low)
    env.task.blend = 0.0
    env.task.hold(env.task.command, 0.0, speed=high)  # run: the reference's blend climbs at 1 per second
    times = [env.time]
    for step in range(15):
        obs, *_ = env.step(np.zeros(env.action_space.shape))
        times.append(env.time)
        assert env.task.blend == pytest.approx(min(1.0, (step + 1) / 30), abs=1e-9)
    assert obs[-1] == pytest.approx(high)
    # the clip's time runs faster as the blend rises: T0 / T(blend) per second
    rates = np.diff(times) * 30
    assert rates[0] == pytest.approx(env.reference.rate(np.array([0.0]))[0]) and rates[-1] > rates[0] * 1.1
    # the task reward asks for the pace the blend has reached (half-way: 0.5 by now), not yet the commanded run's
    task, pace = env.task, float(env.task.gaits.pace(np.array([env.task.blend]))[0])
    assert low + 0.2 < pace < high - 0.2
    c, s = math.cos(task.ref_heading), math.sin(task.ref_heading)
    sim = SimpleNamespace(com_vel=np.array([[pace * c, 0.0, -pace * s]]), pose=SimpleNamespace(root_quat=np.array([[0.0, 0.0, 0.0, 1.0]])))
    reward, infos = task.reward_and_infos([task], sim, np.array([env.time]))
    assert reward[0] == pytest.approx(1.0) and infos[0]["command_speed_m_s"] == pytest.approx(high)
    env.close()
