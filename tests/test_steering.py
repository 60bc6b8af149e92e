"""Steering: the clip turned to a commanded heading and moved under the character, the task reward, the command observed."""

import math
from types import SimpleNamespace

import numpy as np
import pytest

from characters.config import EnvConfig
from characters.env import ImitationEnv
from characters.state import CharacterState
from characters.steering import SteeringConfig, approach, cap_lead, follow_shift, heading_and_speed_errors, task_reward, turn_states
from motions.interpolate import Pose, PoseVelocity
from motions.rotations import heading_angle, quat_rotate, wrap_angle, yaw_quat


def test_approach_turns_the_short_way_by_at_most_the_step():
    assert approach(np.array([0.0]), np.array([3.0]), 0.5)[0] == pytest.approx(0.5)
    # from 3 rad to -3 rad the short way is up through pi: 0.283 rad, all of it within one step of 0.5
    assert approach(np.array([3.0]), np.array([-3.0]), 0.5)[0] == pytest.approx(-3.0)
    assert approach(np.array([3.0]), np.array([-3.0]), 0.1)[0] == pytest.approx(3.1)
    assert wrap_angle(np.array([3 * math.pi / 2]))[0] == pytest.approx(-math.pi / 2)


def test_a_capped_lead_keeps_the_clip_within_reach_of_the_character():
    # the clip's root heads 0.1 rad before turning; turned by 2.0 it would lead a character heading 0.5 by 1.6 rad
    yaw = cap_lead(np.array([2.0, 0.2, -2.0]), np.array([0.1, 0.1, 0.1]), np.array([0.5, 0.5, 3.0]), 0.6)
    # capped to 0.6 ahead; within reach: kept; the last the short way round: heading -1.9 leads 3.0 by 2 pi - 4.9 rad
    np.testing.assert_allclose(yaw, [1.0, 0.2, -2.0 - (2 * math.pi - 4.9 - 0.6)])
    # a cap of 180 degrees is none (bench.steer_lead's baseline): no lead is longer than half a turn
    np.testing.assert_allclose(cap_lead(np.array([2.0, -2.0]), np.array([0.1, 0.1]), np.array([0.5, 3.0]), math.pi), [2.0, -2.0])


def one_state(root, quat, link):
    n = 1
    return CharacterState(Pose(np.array([root]), np.array([quat]), np.zeros((n, 1))),
                          PoseVelocity(np.array([[1.0, 0.0, 0.0]]), np.array([[0.0, 0.5, 0.0]]), np.zeros((n, 1))),
                          np.array([[link]]), np.array([[quat]]), np.array([[link]]), np.array([[1.0, 0.0, 0.0]]))  # fmt: skip


def test_a_turned_state_keeps_its_shape_and_faces_the_new_heading():
    quat = yaw_quat(0.3)
    state = one_state([1.0, 0.9, 2.0], quat, [1.5, 0.5, 2.0])
    turned = turn_states(state, np.array([math.pi / 2]), np.zeros((1, 3)))
    assert heading_angle(turned.pose.root_quat[0]) == pytest.approx(0.3 + math.pi / 2)
    # the link stays where it was relative to the root, turned with it; heights and joint values do not change
    relative = turned.link_pos[0, 0] - turned.pose.root_pos[0]
    np.testing.assert_allclose(relative, quat_rotate(yaw_quat(math.pi / 2), np.array([0.5, -0.4, 0.0])), atol=1e-12)
    assert turned.pose.root_pos[0, 1] == 0.9
    # a velocity along x, turned a quarter to heading pi/2, points along -z
    np.testing.assert_allclose(turned.velocity.root_lin[0], [0.0, 0.0, -1.0], atol=1e-12)
    np.testing.assert_allclose(turned.velocity.root_ang[0], [0.0, 0.5, 0.0], atol=1e-12)
    # and moved under the character: the root over (4, _, -1), its height its own
    shift = follow_shift(np.array([math.pi / 2]), state.pose.root_pos, np.array([[4.0, 0.3, -1.0]]))
    moved = turn_states(state, np.array([math.pi / 2]), shift)
    np.testing.assert_allclose(moved.pose.root_pos[0], [4.0, 0.9, -1.0], atol=1e-12)


def test_task_reward_and_errors():
    pace = 1.0
    heading = np.array([math.pi / 2, math.pi / 2, math.pi / 2, 0.0])  # heading pi/2 is the direction -z
    vel = np.array([[0.0, 0.0, -1.0], [0.0, 0.0, -1.5], [0.0, 0.0, 0.0], [0.0, 0.0, -1.0]])
    r = task_reward(vel, heading, pace, 2.5)
    np.testing.assert_allclose(r, [1.0, 1.0, math.exp(-2.5), math.exp(-2.5)])  # faster is not punished, sideways is standing
    heading_err, speed_err = heading_and_speed_errors(vel[[0, 3]], heading[[0, 3]], pace)
    np.testing.assert_allclose(heading_err, [0.0, math.pi / 2], atol=1e-12)
    np.testing.assert_allclose(speed_err, [0.0, 0.0], atol=1e-12)


@pytest.fixture(scope="module")
def steered():
    env = ImitationEnv("humanoid", "walk.txt", EnvConfig(steering=SteeringConfig(change_seconds=(0.5, 0.5), sharp_turn_share=1.0)))
    yield env
    env.close()


def test_a_steered_walk_observes_its_command_and_turns_its_clip(steered):
    plain = ImitationEnv("humanoid", "walk.txt", EnvConfig())
    assert steered.observation_space.shape[0] == plain.observation_space.shape[0] + 3
    assert steered.task.pace == pytest.approx(np.linalg.norm(plain.clip.cycle_offset) / plain.clip.duration)
    obs, _ = steered.reset(seed=3, options={"start_time": 0.2})
    plain_obs, _ = plain.reset(seed=3, options={"start_time": 0.2})
    np.testing.assert_allclose(obs[:-3], plain_obs, atol=1e-6)  # the same state, and the command on the clip's own way
    relative = steered.task.command - heading_angle(steered.body.get_pose()[0].root_quat)
    assert obs[-3:] == pytest.approx([math.cos(relative), math.sin(relative), steered.task.pace], abs=1e-6)
    first = steered.task.command
    headings, commands, since = [], [], []
    for _ in range(20):  # a change after 0.5 s (15 control steps)
        before = steered.task.ref_heading
        obs, reward, terminated, truncated, info = steered.step(np.zeros(steered.action_space.shape))
        assert abs(wrap_angle(np.array([steered.task.ref_heading - before]))[0]) <= math.pi / 2 / 30 + 1e-9  # turned at 90 deg/s at most
        headings.append(steered.task.ref_heading)
        commands.append(info["command_rad"])
        since.append(info["since_change_s"])
        facing = heading_angle(steered.body.get_pose()[0].root_quat)
        assert info["facing_off_command_rad"] == pytest.approx(abs(wrap_angle(np.array([info["command_rad"] - facing]))[0]), abs=1e-6)
        assert 0.0 <= reward <= 1.0 and 0.0 <= info["task_reward"] <= 1.0
        if terminated:
            break
    assert commands[0] == first and commands[-1] != first
    changed = commands.index(commands[-1])  # the command and its clock restart together
    assert since[:changed] == pytest.approx([(k + 1) / 30 for k in range(changed)]) and since[changed] < since[changed - 1]
    assert math.isnan(info["heading_err_rad"])  # measured from 1.5 s after a change only
    plain.close()


def test_the_mirror_of_a_steered_task_reflects_the_command(steered):
    mirror = steered.mirror_map()
    obs, _ = steered.reset(seed=0)
    mirrored = mirror.observation(obs[None])[0]
    assert mirrored[-3] == pytest.approx(obs[-3]) and mirrored[-2] == pytest.approx(-obs[-2]) and mirrored[-1] == obs[-1]


def test_the_task_reward_can_follow_the_turned_clip_instead_of_the_command():
    for follows in (False, True):
        env = ImitationEnv("humanoid", "walk.txt", EnvConfig(steering=SteeringConfig(task_follows_clip=follows)))
        task = env.task
        task.command, task.ref_heading, task.changed_at = math.pi / 2, 0.0, 0.0  # the clip still turning toward the command
        sim = SimpleNamespace(com_vel=np.array([[task.pace, 0.0, 0.0]]), pose=SimpleNamespace(root_quat=yaw_quat(np.array([0.0]))))
        reward, infos = task.reward_and_infos([task], sim, np.array([5.0]))
        expected = 1.0 if follows else math.exp(-2.5 * task.pace**2)  # along the clip's heading at its pace; nothing along the command
        assert reward[0] == pytest.approx(expected) and infos[0]["task_reward"] == pytest.approx(expected)
        assert infos[0]["heading_err_rad"] == pytest.approx(math.pi / 2)  # errors are measured against the command either way
        env.close()


def test_steering_needs_a_clip_that_travels():
    with pytest.raises(ValueError, match="steering needs a looping clip that travels"):
        ImitationEnv("humanoid", "kick.txt", EnvConfig(steering=SteeringConfig()))  # one kick, no loop


def test_a_course_commands_at_the_step_its_time_falls_in():
    from characters.steering import course_command

    course = [(0.0, 0.0, None), (0.5, 1.0, 2.0), (0.51, 1.5, None), (1.0, -1.0, None)]
    assert course_command(course, 0, 30.0) == (0.0, None)
    assert course_command(course, 1, 30.0) is None
    assert course_command(course, 15, 30.0) == (1.5, None)  # 0.5 s and 0.51 s fall in step 15: the later row wins
    assert course_command(course, 30, 30.0) == (-1.0, None) and course_command(course, 31, 30.0) is None
