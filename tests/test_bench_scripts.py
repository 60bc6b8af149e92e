"""The benchmark scripts import as modules and quote the right reference figures."""

from bench.awr_gym import official_reference


def test_awr_gym_quotes_the_official_figure_of_the_task_it_ran():
    assert official_reference("HalfCheetah-v5") == "official logs: ~3,446 at 1M samples"
    assert official_reference("Hopper-v5") == "official logs: ~2,660 at 1M samples"
    assert official_reference("Walker2d-v5") == "official logs: ~1,586 at 1M samples"
    assert official_reference("Ant-v5") == "no official figure for Ant-v5"


def _log(path, rows):
    cols = ["samples", "wall_time_h", "test_normalized_return", "test_success_rate", "test_episode_length"]
    path.write_text("\n".join([",".join(cols), *(",".join(str(v) for v in r) for r in rows)]) + "\n")


def test_library_table_reads_the_bar_per_clip_and_quotes_deepmimic(tmp_path):
    import json

    from bench.library import DONE, EVAL, table, train_command

    (tmp_path / "cartwheel").mkdir()  # a hard clip: its bar is 0.7, met by an 8-episode test at the second row
    _log(tmp_path / "cartwheel" / "log.csv", [(400000, 0.2, 0.75, 0.5, 30), (800000, 0.4, 0.72, 0.9, 60), (1200000, 0.6, 0.81, 1.0, 60)])
    (tmp_path / "jump").mkdir()  # 0.75 is below jump's bar of 0.8
    _log(tmp_path / "jump" / "log.csv", [(400000, 0.2, 0.75, 1.0, 30)])
    scored = {"normalized_return": 0.74, "success_rate": 0.9, "fall_rate": 0.1, "body_pos_err_m": 0.2}
    (tmp_path / "cartwheel" / EVAL).write_text(json.dumps({**scored, "samples": 1200000}))
    (tmp_path / "jump" / EVAL).write_text(json.dumps({**scored, "samples": 300000}))  # an older policy's: not shown
    rows = {line.split(" | ")[0].strip("| "): line for line in table(["cartwheel", "jump", "roll"], tmp_path).splitlines()[2:]}
    assert "| cartwheel | 0.7 | (0.80M: an 8-episode test, not confirmed) | (0.40) | 0.740 | 90% | 10% | 0.200 |" in rows["cartwheel"]
    assert "meets the bar" in rows["cartwheel"] and rows["cartwheel"].endswith("| 51M, 0.804 |")
    assert "| jump | 0.8 | not yet |  |  |  |  |  |" in rows["jump"] and "in progress" in rows["jump"]
    assert "0.750, 100%, 1.0 s" in rows["jump"] and "not started" in rows["roll"]

    (tmp_path / "crawl").mkdir()  # met the bar at 0.29M, not confirmed on 30 episodes; stopped confirmed at 0.33M
    _log(tmp_path / "crawl" / "log.csv", [(290000, 0.14, 0.81, 1.0, 600), (330000, 0.16, 0.80, 1.0, 600)])
    (tmp_path / "crawl" / DONE).write_text("{}")  # trained outside the sweep: ended by itself on a test at the bar
    assert "| crawl | 0.8 | 0.33M | 0.16 |" in table(["crawl"], tmp_path)
    (tmp_path / "crawl" / "library_train.log").write_text("stopped: interrupted (Ctrl-C)\nit 80 | ...\n"
                                                          "stopped: skill meets the bar (0.81, 100% ...)\n")  # fmt: skip
    assert "| crawl | 0.8 | 0.33M | 0.16 |" in table(["crawl"], tmp_path)
    (tmp_path / "crawl" / "library_train.log").write_text("stopped: skill meets the bar\nstopped: time budget reached (240.0 min)\n")
    assert "| crawl | 0.8 | (0.29M: an 8-episode test, not confirmed) | (0.14) |" in table(["crawl"], tmp_path)
    assert train_command("jump", tmp_path / "jump")[1:] == ["--motion", "jump.txt", "--character", "humanoid", "--out",
                                                            str(tmp_path / "jump")]  # no checkpoint yet: a new run, bar 0.8
    (tmp_path / "cartwheel" / "config.json").write_text("{}")
    (tmp_path / "cartwheel" / "checkpoints").mkdir()
    (tmp_path / "cartwheel" / "checkpoints" / "latest.pt").write_bytes(b"")
    # resumed with what is left of its 4 hours (0.6 h trained), stopping at the hard clip's bar of 0.7
    assert train_command("cartwheel", tmp_path / "cartwheel")[1:] == ["--resume", str(tmp_path / "cartwheel"), "--budget", "204min",
                                                                      "--bar-return", "0.7"]  # fmt: skip


def test_learner_steps_table_compares_each_arm_with_the_defaults(tmp_path):
    from bench.learner_steps import DONE, arms, command, table

    jobs = arms(["walk"], 250, tmp_path)
    assert [(name, extra) for _, name, _, extra in jobs] == [("defaults", []), ("actor250", ["--actor-steps", "250"])]
    for (_, _, run, _), (samples, hours) in zip(jobs, [(800000, 0.5), (1000000, 0.25)], strict=True):
        run.mkdir()
        _log(run / "log.csv", [(400000, hours / 2, 0.7, 0.5, 30), (samples, hours, 0.82, 1.0, 600)])
        (run / DONE).write_text("{}")
    lines = table(jobs).splitlines()
    assert lines[2] == "| walk | defaults | yes | 0.80M | 0.50 |  |  |"
    assert lines[3] == "| walk | actor250 | yes | 1.00M | 0.25 | 1.25x | 0.50x |"
    cmd = command("walk", jobs[1][2], jobs[1][3], "2h", 0)[1:]
    assert cmd == ["--motion", "walk.txt", "--character", "humanoid", "--seed", "0", "--budget", "2h", "--out", str(jobs[1][2]),
                   "--actor-steps", "250"]  # fmt: skip


def test_learn_table_puts_awr_and_ppo_side_by_side_at_equal_samples(tmp_path):
    import json

    from bench.learn import FINAL, table

    for algo, rows in (("awr", [(100000, 0.05, 0.60, 0.0, 30), (300000, 0.15, 0.82, 1.0, 600), (500000, 0.25, 0.85, 1.0, 600)]),
                       ("ppo", [(80000, 0.05, 0.30, 0.0, 20), (200000, 0.15, 0.40, 0.0, 25), (260000, 0.25, 0.45, 0.0, 26)])):  # fmt: skip
        (tmp_path / "walk" / algo).mkdir(parents=True)
        _log(tmp_path / "walk" / algo / "log.csv", rows)
    (tmp_path / "walk" / "awr" / FINAL).write_text(json.dumps({"normalized_return": 0.84, "success_rate": 0.97, "fall_rate": 0.03}))
    rows = table(["walk", "jump"], tmp_path).splitlines()[2:]
    # PPO reached 0.26M in the same hours: AWR is compared at its test at or below 0.26M (0.60 at 0.10M)
    assert rows[0] == "| walk | AWR | 0.50M | 0.25 | 0.30M, 0.15 h | 0.850, 100% | 0.840, 97%, 3% | 0.600, 0% (at 0.26M) |"
    assert rows[1] == "| walk | PPO | 0.26M | 0.25 | not reached | 0.450, 0% | still training | 0.450, 0% (at 0.26M) |"
    assert rows[2] == "| jump | AWR | not started |  |  |  |  |  |" and "not started" in rows[3]


def test_variant_settings_reach_nested_configs_and_keep_their_types():
    import pytest

    from bench.variant import changed, parse_setting
    from characters.config import EnvConfig
    from characters.pushes import PushConfig
    from characters.steering import SteeringConfig

    env = EnvConfig(steering=SteeringConfig(), pushes=PushConfig())
    env = changed(env, *parse_setting("pushes.every_seconds=2,5"))
    env = changed(env, *parse_setting("steering.sharp_turn_share=1"))
    env = changed(env, *parse_setting("episode_seconds=30"))
    assert env.pushes == PushConfig(every_seconds=(2.0, 5.0), max_speed_m_s=1.5)
    assert env.steering.sharp_turn_share == 1.0 and isinstance(env.steering.sharp_turn_share, float)
    assert env.steering.change_seconds == (3.0, 7.0) and env.episode_seconds == 30.0
    with pytest.raises(ValueError, match="has no field 'max_speed'"):
        changed(env, *parse_setting("pushes.max_speed=2"))
    with pytest.raises(ValueError, match="every_seconds must be 0 < low <= high"):  # the config's own check still runs
        changed(env, *parse_setting("pushes.every_seconds=5,2"))
    with pytest.raises(ValueError, match="expected NAME.FIELD=VALUE"):
        parse_setting("pushes.max_speed_m_s")


def test_variant_refuses_a_misspelt_setting_with_exit_2_and_writes_no_run(tmp_path, capsys):
    from bench.variant import main
    from imitate import train_cmd

    new_run = train_cmd._new_run
    assert main(["--set", "episode_secs=2", "--", "--motion", "walk.txt", "--out", str(tmp_path / "a")]) == 2
    assert "EnvConfig has no field 'episode_secs'" in capsys.readouterr().err
    run = ["--motion", "walk.txt", "--steer", "--out", str(tmp_path / "b")]
    assert main(["--set", "pushes.max_speed=2", "--", *run]) == 2  # a steered setting: checked as the run is made
    assert "PushConfig has no field 'max_speed'" in capsys.readouterr().err
    assert not (tmp_path / "a").exists() and not (tmp_path / "b").exists() and train_cmd._new_run is new_run


def test_drift_offsets_are_zero_on_the_clip_and_the_turn_fit_keeps_its_sign():
    import numpy as np
    import pytest

    from bench.drift import root_offsets, turn_slope
    from characters.config import EnvConfig
    from characters.env import ImitationEnv

    env = ImitationEnv("humanoid", "dance_b.txt", EnvConfig())
    env.reset(seed=0)
    env.pose_as_clip(1.0)  # the body placed as the clip at 1 s: no offset
    assert np.abs(root_offsets(env)).max() < 1e-6
    env.body.set_pose(env.reference.state_at(1.5).pose)  # the clip's pose half a second later, its clock at 1 s
    moved = env.reference.state_at(1.5).pose.root_pos - env.reference.state_at(1.0).pose.root_pos
    offsets = root_offsets(env)
    assert np.hypot(offsets[2], offsets[3]) == pytest.approx(np.hypot(moved[0], moved[2]), abs=1e-6)
    assert offsets[1] == pytest.approx(moved[1], abs=1e-6)
    env.close()
    assert turn_slope(np.array([0.2, -0.4]), np.array([-0.1, 0.2])) == pytest.approx(-0.5)  # turning the other way, half as far


def test_the_clip_velocity_target_follows_a_fast_move_closer_than_zero_velocity():
    """The kick's leg swings fast: with the clip's joint velocities as the PD's target (the default) the feet and hands
    stay nearer the clip's than with target velocity 0 and the pose 2 steps ahead, the root held on the clip."""
    from dataclasses import replace

    from bench.pd_tracking import RULES, held_terms
    from characters.config import EnvConfig
    from imitate.policy_source import clip_only

    assert all(getattr(EnvConfig(), k) == v for k, v in RULES["clip"].items())  # the default rule is the one measured
    source = clip_only("kick.txt", "humanoid")
    clip, zero = (held_terms(source.character, source.clip_path, replace(EnvConfig(), **RULES[r]), 1, 15) for r in ("clip", "zero"))
    assert clip[2] > zero[2] + 0.05 and clip[1] > zero[1] + 0.05, (clip, zero)  # end effectors, joint velocities
