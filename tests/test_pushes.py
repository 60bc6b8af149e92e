"""Pushes: a hit adds one velocity to the whole body, and a pushed environment is hit on its own schedule."""

import numpy as np
import pytest

from characters.config import EnvConfig
from characters.env import ImitationEnv, read_states
from characters.pushes import PushConfig, draw_push


def test_a_push_is_horizontal_and_no_bigger_than_asked():
    rng = np.random.default_rng(0)
    cfg = PushConfig(every_seconds=(1.0, 2.0), max_speed_m_s=1.5)
    draws = [draw_push(rng, cfg) for _ in range(500)]
    hits = np.array([h for h, _ in draws])
    waits = np.array([w for _, w in draws])
    assert np.all(hits[:, 1] == 0.0)
    speeds = np.hypot(hits[:, 0], hits[:, 2])
    assert speeds.max() <= 1.5 and speeds.max() > 1.4 and abs(speeds.mean() - 0.75) < 0.1  # uniform in [0, 1.5]
    assert waits.min() >= 1.0 and waits.max() <= 2.0
    angles = np.arctan2(-hits[:, 2], hits[:, 0])
    assert np.histogram(angles, bins=4, range=(-np.pi, np.pi))[0].min() > 90  # every direction
    with pytest.raises(ValueError, match="every_seconds"):
        PushConfig(every_seconds=(2.0, 1.0))


def test_a_push_adds_its_velocity_to_every_link():
    env = ImitationEnv("humanoid", "walk.txt")
    env.reset(seed=1)
    before, _ = read_states([env])
    hit = np.array([0.7, 0.0, -0.4])
    env.push(hit)
    after, _ = read_states([env])
    np.testing.assert_allclose(after.link_pos, before.link_pos, atol=1e-9)  # a push changes velocities, not where the body is
    _, rows_before = read_states([env])
    env.push(hit)
    _, rows_after = read_states([env])
    np.testing.assert_allclose(rows_after[0, :, 7:10] - rows_before[0, :, 7:10], np.tile(hit, (rows_before.shape[1], 1)), atol=1e-6)
    np.testing.assert_allclose(after.com_vel - before.com_vel, hit[None], atol=1e-6)  # the centre of mass too
    env.close()


def test_pushes_come_on_schedule_and_repeat_with_the_seed():
    cfg = EnvConfig(pushes=PushConfig(every_seconds=(0.5, 0.5), max_speed_m_s=1.0), pose_termination_m=0.0)

    def speeds(seed):
        env = ImitationEnv("humanoid", "walk.txt", cfg)
        env.reset(seed=seed)
        assert env.push_at == pytest.approx(0.5)  # seconds into the episode
        out = []
        for _ in range(20):  # 0.67 s: one push, at 0.5 s
            before = read_states([env])[0].com_vel[0]
            env.step(np.zeros(env.action_space.shape))
            out.append(np.hypot(*(read_states([env])[0].com_vel[0] - before)[[0, 2]]))
        assert env.push_at == pytest.approx(1.0, abs=1 / 30)
        env.close()
        return np.array(out)

    a, b = speeds(3), speeds(3)
    np.testing.assert_allclose(a, b)
    assert np.argmax(a) == 14  # the step that crosses 0.5 s (15 steps of 1/30 s)
    assert a[14] > 0.1 and a[14] > 3 * np.median(a)


def test_a_controller_is_scored_and_shown_without_the_training_pushes():
    from imitate.policy_source import Source

    source = Source("humanoid", "walk.txt", EnvConfig(pushes=PushConfig()), None, "a pushed run")
    assert source.env.pushes is None and source.env == EnvConfig()


def test_evaluation_episodes_are_not_pushed():
    env = ImitationEnv("humanoid", "walk.txt", EnvConfig(pushes=PushConfig(every_seconds=(0.5, 0.5))))
    env.set_training(False)
    env.reset(seed=0)
    assert env.push_at == float("inf")
    env.set_training(True)
    env.reset(seed=0)
    assert env.push_at == pytest.approx(0.5)
    env.close()


def test_a_rollout_worker_turns_training_perturbations_off_while_it_evaluates(monkeypatch):
    import awr_core.rollout_worker as rw

    calls = []

    class Venv:
        num_envs = 1

        def set_training(self, on):
            calls.append(on)

    worker = rw.RolloutWorker.__new__(rw.RolloutWorker)
    worker.venv, worker.info_keys, worker.seed, worker.policy = Venv(), (), 0, None
    worker.sampler = type("S", (), {"restart": lambda self, seed: calls.append("restart")})()
    monkeypatch.setattr(rw, "NumpyPolicy", lambda weights, seed: None)
    monkeypatch.setattr(rw, "evaluate", lambda venv, policy, episodes, keys, seed: calls.append("episodes") or [])
    worker.evaluate({}, 2, seed=5)
    assert calls == [False, "episodes", True, "restart"]


def test_the_push_benchmark_counts_falls_and_recoveries_of_the_shipped_steerable_walk():
    from bench.pushes import measure
    from imitate.policy_source import from_onnx
    from imitate.shipped import find_shipped

    source = from_onnx(find_shipped("humanoid", "humanoid3d_walk.txt", steered=True), None, None)
    untouched, floored = measure(source, [0.0, 4.0], directions=2, trials=1)
    assert untouched["fall_rate"] == 0.0 and untouched["recovered_rate"] == 1.0  # walking on its command, unpushed
    assert floored["fall_rate"] == 1.0 and floored["recovered_rate"] == 0.0 and floored["fall_rate_by_direction"] == [1.0, 1.0]
