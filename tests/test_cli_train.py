"""End to end through the console script: train a tiny run, evaluate it, resume it; bad input fails in one line."""

import csv
import json
import math
import os
import subprocess
import sys
from pathlib import Path

import pytest

TINY = ["--budget", "600", "--samples-per-iter", "300", "--actor-layers", "32,32", "--critic-layers", "32,32",
        "--actor-steps", "5", "--critic-steps", "5", "--test-every", "1", "--test-episodes", "1", "--episode-seconds", "1",
        "--envs", "2", "--envs-per-worker", "3"]  # fmt: skip


def imitate(*args, cwd=None):
    exe = Path(sys.executable).with_name("imitate")
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    return subprocess.run([str(exe), *map(str, args)], capture_output=True, text=True, cwd=cwd, env=env, timeout=300)


@pytest.fixture(scope="module")
def tiny_run(tmp_path_factory):
    run = tmp_path_factory.mktemp("runs") / "walk"
    out = imitate("--motion", "walk.txt", "--character", "humanoid", "--out", run, *TINY)
    assert out.returncode == 0, out.stderr
    return run, out.stdout


def test_train_writes_a_run_folder(tiny_run):
    run, stdout = tiny_run
    assert "training humanoid on humanoid3d_walk.txt" in stdout
    # local workers sample while the learner updates by default, each stepping its environments as one batch
    assert "2 worker processes x 3 environments, asynchronous" in stdout
    assert "stopped: sample budget reached" in stdout
    assert " | episodes " in stdout and " s, success " in stdout  # the live line: episode length in seconds, test success
    assert (run / "checkpoints" / "latest.pt").exists() and (run / "checkpoints" / "best.pt").exists()
    assert (run / "curve.png").stat().st_size > 1000
    config = json.loads((run / "config.json").read_text())
    assert config["character"] == "humanoid" and config["awr"]["actor_layers"] == [32, 32]
    assert (config["num_envs"], config["envs_per_worker"]) == (2, 3)
    assert config["env"]["sim_hz"] == 240 and config["env"]["episode_seconds"] == 1
    assert config["awr"]["mirror"] and "mirror images too" in stdout  # on by default: walk is its own mirror image
    # the clip's root 1 and 4 steps ahead in the observation, by default
    assert config["env"]["reference_obs_steps"] == [1, 4] and config["env"]["reference_obs_links"] == ["root"]
    assert "the clip ahead (root at +1, +4 control steps)" in stdout
    with (run / "log.csv").open() as f:
        rows = list(csv.DictReader(f))
    assert [int(r["iteration"]) for r in rows] == [1, 2]
    assert int(rows[-1]["samples"]) >= 600
    for column in ("test_normalized_return", "test_success_rate", "test_body_pos_err_m", "weight_mean", "clip_fraction"):
        assert rows[-1][column] != ""


def test_eval_prints_table_and_json(tiny_run):
    run, _ = tiny_run
    out = imitate("eval", run, "--episodes", "2", "--seconds", "1")
    assert out.returncode == 0, out.stderr
    for label in ("normalized return", "fall rate", "joint rotation error", "end-effector error", "body position error", "success rate"):
        assert label in out.stdout
    out = imitate("eval", run, "--episodes", "2", "--seconds", "1", "--json")
    data = json.loads(out.stdout)
    assert data["episodes"] == 2 and 0.0 <= data["normalized_return"] <= 1.0 and 0.0 <= data["fall_rate"] <= 1.0
    assert len(data["per_episode"]) == 2 and all(e["seconds"] <= 1.0 + 1e-6 for e in data["per_episode"])


def test_eval_scores_a_shipped_and_an_exported_controller(tiny_run, tmp_path):
    """`imitate eval --motion CLIP` scores the controller shipped for the clip, `--policy X.onnx --motion CLIP` an
    exported one; both print the same JSON as a run folder."""
    run, _ = tiny_run
    shipped = imitate("eval", "--motion", "walk.txt", "--episodes", "2", "--seconds", "1", "--json")
    assert shipped.returncode == 0, shipped.stderr
    data = json.loads(shipped.stdout)
    assert "shipped controller humanoid-humanoid3d_walk" in data["controller"] and data["clip"] == "humanoid3d_walk.txt"
    assert data["success_rate"] == 1.0 and data["fall_rate"] == 0.0 and data["normalized_return"] > 0.7  # the shipped walk holds 1 s
    assert data["endings"] == {"time limit": 2} and data["fall_links"] == {}
    assert imitate("export", run, "-o", tmp_path / "tiny.onnx").returncode == 0
    onnx = imitate("eval", "--policy", tmp_path / "tiny.onnx", "--motion", "walk.txt", "--episodes", "2", "--seconds", "1", "--json")
    assert onnx.returncode == 0, onnx.stderr
    exported, own = json.loads(onnx.stdout), json.loads(imitate("eval", run, "--episodes", "2", "--seconds", "1", "--json").stdout)
    for key in ("normalized_return", "success_rate", "fall_rate"):  # the same policy through onnxruntime: the same episodes
        assert abs(exported[key] - own[key]) < 1e-3, key
    none = imitate("eval", "--motion", "backflip.txt")
    assert none.returncode == 2 and "no controller ships for this clip" in none.stderr


def test_eval_says_how_episodes_ended():
    from imitate.evaluation import ending, endings_line, summarize
    from imitate.imitation import INFO_KEYS

    assert ending({"fell": True, "fall_link": "chest"}, True, False) == "fall"
    assert ending({"fell": False, "drifted": True}, True, False) == "drift from the clip"
    assert ending({"blow_up": True}, True, False) == "physics blow-up"
    assert ending({}, False, True) == "time limit" and ending({}, False, False) == "clip end"
    base = {"normalized_return": 0.5, "seconds": 1.0, "fell": True, "success": False, **dict.fromkeys(INFO_KEYS, 0.1)}
    episodes = [{**base, "ending": "fall", "fall_link": "chest"}, {**base, "ending": "fall", "fall_link": "left_knee"},
                {**base, "ending": "fall", "fall_link": "chest"}, {**base, "ending": "time limit", "fell": False},
                {**base, "ending": "drift from the clip", "drift_link": "right_ankle"}]  # fmt: skip
    s = summarize(episodes)
    assert s["endings"] == {"time limit": 1, "fall": 3, "drift from the clip": 1} and s["fall_links"] == {"chest": 2, "left_knee": 1}
    assert endings_line(s) == "1 time limit, 3 fall (chest 2, left_knee 1), 1 drift from the clip (right_ankle 1)"
    assert s["fall_rate"] == 0.8 and s["drift_links"] == {"right_ankle": 1}


def test_a_run_folder_moved_elsewhere_still_evaluates_and_resumes(tiny_run, tmp_path):
    """No path of the machine that trained it is stored: the clip travels in the folder as clip.txt."""
    import shutil

    run, _ = tiny_run
    text = (run / "config.json").read_text()
    assert "site-packages" not in text and str(run.parent) not in text and "clip_path" not in text
    moved = tmp_path / "elsewhere" / "walk-copy"
    shutil.copytree(run, moved)
    assert (moved / "clip.txt").read_bytes() == (run / "clip.txt").read_bytes()
    (moved / "clip.txt").write_text((moved / "clip.txt").read_text())  # still a clip of its own, not a link to the original
    out = imitate("eval", moved.name, "--episodes", "1", "--seconds", "1", "--json", cwd=moved.parent)
    assert out.returncode == 0, out.stderr
    out = imitate("--resume", moved.name, "--budget", "300", cwd=moved.parent)
    assert out.returncode == 0, out.stderr
    assert "training humanoid on humanoid3d_walk.txt" in out.stdout or "resuming" in out.stdout


def test_resume_continues_the_curve(tiny_run):
    run, _ = tiny_run
    out = imitate("--resume", run, "--budget", "300")
    assert out.returncode == 0, out.stderr
    assert "resuming at iteration 2" in out.stdout
    assert "2 worker processes x 3 environments" in out.stdout  # the run's own setting
    assert "budget       300 samples from here on" in out.stdout  # a resumed run's budget counts from the resume
    with (run / "log.csv").open() as f:
        assert [int(r["iteration"]) for r in csv.DictReader(f)] == [1, 2, 3]


@pytest.mark.parametrize(
    "args, message",
    [
        (["--motion", "moonwalk.txt"], "moonwalk.txt: no such clip file"),
        (["--motion", "run.txt", "--character", "robot"], "unknown character 'robot'"),
        (["--motion", "laikago_walk.txt"], "needs 44"),
        (["--resume", "/nonexistent/run"], "/nonexistent/run: no such run folder"),
        (["eval", "/nonexistent/run"], "/nonexistent/run: no such run folder"),
        (["--motion", "run.txt", "--budget", "lots"], "--budget 'lots'"),
        (["--motion", "run.txt", "--bar-return", "80"], "--bar-return 80: a normalized return is between 0 and 1"),
        (["--motion", "spinkick.txt", "--mirror"], "humanoid3d_spinkick.txt: not its own mirror image half a cycle later"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(args, message, tmp_path):
    out = imitate(*args, "--out", tmp_path / "r") if args[0] != "eval" else imitate(*args)
    assert out.returncode == 2, out.stdout + out.stderr
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("imitate: error:") and message in lines[0]
    assert out.stderr.endswith("\n")  # the line ends as a line


def test_a_binary_clip_is_one_line_naming_the_file(tmp_path):
    clip = tmp_path / "photo.txt"
    clip.write_bytes(bytes(range(256)) * 4)
    out = imitate("motions", "--check", clip)
    assert out.returncode == 2, out.stdout + out.stderr
    assert out.stderr.count("\n") == 1 and str(clip) in out.stderr and "not a text file" in out.stderr


def test_checkpoint_from_another_run_shape_is_refused(tiny_run, tmp_path):
    run, _ = tiny_run
    other = tmp_path / "other"
    other.mkdir()
    config = json.loads((run / "config.json").read_text())
    mode = config["env"]["action_mode"]
    config["env"]["action_mode"] = "absolute" if mode == "relative" else "relative"  # 36 vs 28 actions: the checkpoint does not fit
    (other / "config.json").write_text(json.dumps(config))
    (other / "checkpoints").mkdir()
    (other / "checkpoints" / "best.pt").write_bytes((run / "checkpoints" / "best.pt").read_bytes())
    out = imitate("eval", other, "--episodes", "1")
    # the observations fit (197 of DeepMimic's state + 14 of the clip's root ahead), the actions do not
    assert out.returncode == 2 and "checkpoint expects 211 observations /" in out.stderr and "the environment has 211 /" in out.stderr


def test_corrupt_checkpoint_is_refused(tiny_run, tmp_path):
    run, _ = tiny_run
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "config.json").write_text((run / "config.json").read_text())
    (broken / "checkpoints").mkdir()
    (broken / "checkpoints" / "best.pt").write_bytes(b"not a checkpoint")
    out = imitate("eval", broken, "--episodes", "1")
    assert out.returncode == 2 and "corrupt or not a checkpoint" in out.stderr and len(out.stderr.strip().splitlines()) == 1


def test_ctrl_c_stops_after_saving(tmp_path):
    import signal
    import time

    run = tmp_path / "interrupted"
    exe = Path(sys.executable).with_name("imitate")
    args = [str(a) for a in ("--motion", "walk.txt", "--out", run, *TINY[2:])] + ["--budget", "1h"]
    proc = subprocess.Popen([str(exe), *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.time() + 120
    while time.time() < deadline and not (run / "checkpoints" / "latest.pt").exists():
        time.sleep(0.2)
    proc.send_signal(signal.SIGINT)
    stdout, _ = proc.communicate(timeout=120)
    assert proc.returncode == 130 and "interrupted (Ctrl-C); latest checkpoint saved" in stdout  # 130: stopped, not finished
    resumed = imitate("--resume", run, "--budget", "300")
    assert resumed.returncode == 0, resumed.stderr


def test_checkpoint_from_another_character_is_refused(tiny_run, tmp_path):
    from awr_core.checkpoint import load_checkpoint, save_checkpoint

    run, _ = tiny_run
    other = tmp_path / "dog"
    (other / "checkpoints").mkdir(parents=True)
    (other / "config.json").write_text((run / "config.json").read_text())
    data = load_checkpoint(run / "checkpoints" / "best.pt")
    data["meta"]["character"] = "dog"
    save_checkpoint(other / "checkpoints" / "best.pt", {k: v for k, v in data.items() if k not in ("format", "version")})
    out = imitate("eval", other, "--episodes", "1")
    assert out.returncode == 2 and "checkpoint is for character 'dog', not 'humanoid'" in out.stderr


def test_default_rollout_workers_split_the_cores_when_asynchronous(monkeypatch):
    import imitate.imitation as imitation

    monkeypatch.setattr(imitation, "default_num_envs", lambda: 8)
    assert imitation.default_asynchronous("local") and not imitation.default_asynchronous("ray")
    assert imitation.default_envs("local", True) == 4 and imitation.learner_threads("local", True, 4) == 4
    assert imitation.default_envs("local", False) == 8 and imitation.learner_threads("local", False, 8) is None
    monkeypatch.setattr(imitation, "default_num_envs", lambda: 2)
    assert imitation.default_envs("local", True) == 1 and imitation.learner_threads("local", True, 1) == 1


def test_mirror_images_are_off_by_default_for_a_clip_without_them(tmp_path):
    from imitate.cli import build_parser
    from imitate.train_cmd import _new_run

    for clip, expected in (("spinkick.txt", False), ("run.txt", True)):
        args = build_parser().parse_args(["train", "--motion", clip, "--out", str(tmp_path / clip)])
        _, config = _new_run(args)
        assert config.awr.mirror is expected
    args = build_parser().parse_args(["train", "--motion", "run.txt", "--no-mirror", "--out", str(tmp_path / "off")])
    assert _new_run(args)[1].awr.mirror is False


def test_a_bvh_file_trains_directly_and_its_run_keeps_the_converted_clip(tmp_path):
    cmu = Path(__file__).resolve().parent / "data" / "cmu_02_01_walk.bvh"
    run = tmp_path / "cmu"
    out = imitate("--motion", cmu, "--character", "humanoid", "--out", run, "--budget", "300", *TINY[2:])
    assert out.returncode == 0, out.stderr
    assert "converted" in out.stdout and "CMU skeleton" in out.stdout and "training humanoid on cmu_02_01_walk.txt" in out.stdout
    config, report = json.loads((run / "config.json").read_text()), json.loads((run / "conversion.json").read_text())
    assert config["motion"] == "cmu_02_01_walk.bvh" and report["file"] == "cmu_02_01_walk.bvh"  # no path of this machine
    assert (run / "clip.txt").exists() and str(tmp_path) not in (run / "config.json").read_text()


class FakeTrainer:
    """The two things the bar's stop rule asks of a trainer: its last quick test and a confirming test."""

    def __init__(self, confirm_rows):
        self.last_test = None
        self.samples = 0
        self.confirm_rows = list(confirm_rows)
        self.confirmed_with = []
        self.saved = []

    def save(self, name, include_buffer=True):
        self.saved.append(name)

    def confirm(self, episodes, test):
        self.confirmed_with.append(episodes)
        return test(self.confirm_rows.pop(0), episodes)  # the confirming test scores the "weights" it is given


def test_the_bar_stops_training_only_when_a_longer_test_confirms_it(capsys):
    from imitate.defaults import BAR_CONFIRM_EPISODES
    from imitate.train_cmd import bar_stop

    lucky = {"test_normalized_return": 0.85, "test_success_rate": 1.0}
    trainer = FakeTrainer([{"normalized_return": 0.83, "success_rate": 0.70}, {"normalized_return": 0.86, "success_rate": 0.93}])
    stop = bar_stop(trainer, lambda summary, episodes: summary)
    trainer.last_test = dict(lucky)
    assert stop({**lucky, "iteration": 10}) is None  # 8 episodes met the bar, 30 did not (70% success)
    assert "did not (0.830, 70%): training goes on" in capsys.readouterr().out
    assert stop({**lucky, "iteration": 11}) is None  # the same test repeated in the next row: not confirmed again
    assert trainer.confirmed_with == [BAR_CONFIRM_EPISODES] == [30]
    assert stop({"test_normalized_return": 0.79, "test_success_rate": 1.0, "iteration": 20}) is None  # below: no confirming test
    trainer.last_test = dict(lucky)  # a new test that meets the bar
    reason = stop({**lucky, "iteration": 30})
    assert reason is not None and "0.860, 93% on 30 episodes" in reason
    assert trainer.confirmed_with == [30, 30]
    assert trainer.saved == ["best.pt"]  # the confirmed policy is the one play, render and export take


def test_the_bars_return_can_be_set_per_run():
    from imitate.train_cmd import bar_stop

    quick = {"test_normalized_return": 0.72, "test_success_rate": 1.0}
    trainer = FakeTrainer([{"normalized_return": 0.71, "success_rate": 0.93}])
    trainer.last_test = dict(quick)
    assert bar_stop(trainer, lambda summary, episodes: summary)({**quick, "iteration": 1}) is None  # 0.72 < the default 0.8
    assert trainer.confirmed_with == []
    reason = bar_stop(trainer, lambda summary, episodes: summary, bar_return=0.7)({**quick, "iteration": 1})
    assert reason is not None and "normalized return >= 0.7," in reason and "0.710, 93% on 30 episodes" in reason
    trainer = FakeTrainer([{"normalized_return": 0.69, "success_rate": 0.93}])  # 30 episodes below 0.7: training goes on
    trainer.last_test = dict(quick)
    assert bar_stop(trainer, lambda summary, episodes: summary, bar_return=0.7)({**quick, "iteration": 1}) is None


def test_the_bars_confirming_test_is_imitate_eval_of_the_same_policy(tiny_run):
    """The stop and the run's record agree: the confirming test plays the episodes `imitate eval RUN` plays."""
    from awr_core.agent import AWRAgent
    from imitate.imitation import open_env
    from imitate.run_folder import load_run_checkpoint, read_config
    from imitate.train_cmd import confirming_test

    run, _ = tiny_run
    config = read_config(run)
    env = open_env(config.character, config.clip_path, config.env)
    agent = AWRAgent(env.observation_space, env.action_space, config.awr)
    agent.load_state_dict(load_run_checkpoint(run / "checkpoints" / "best.pt", config.character,
                                              env.observation_space.shape[0], env.action_space.shape[0])["agent"])  # fmt: skip
    env.close()
    confirm = confirming_test(config)(agent.policy_weights(), 3)
    scored = json.loads(imitate("eval", run, "--episodes", "3", "--json").stdout)
    for key in ("normalized_return", "success_rate", "episode_seconds_mean", "body_pos_err_m"):
        assert confirm[key] == pytest.approx(scored[key], rel=1e-9, abs=1e-12), key
    other = json.loads(imitate("eval", run, "--episodes", "3", "--seed", "7", "--json").stdout)  # other start times score otherwise
    assert other["normalized_return"] != pytest.approx(confirm["normalized_return"], rel=1e-9)


def test_a_steered_run_stops_only_on_the_steering_bar(capsys):
    from imitate.defaults import STEER_RETEST_SAMPLES
    from imitate.train_cmd import bar_stop

    good = {"fall_rate": 0.0, "heading_err_rad": math.radians(10.0), "speed_err_m_s": 0.1, "pose_reward": 0.8}
    confirms = [{**good, "fall_rate": 0.1}, {**good, "heading_err_rad": math.radians(16.0)}, {**good, "speed_err_m_s": 0.31},
                {**good, "pose_reward": 0.55}, good]  # fmt: skip
    trainer = FakeTrainer(confirms)
    stop = bar_stop(trainer, lambda summary, episodes: summary, steered=True)
    quick = {"test_normalized_return": 0.78, "test_success_rate": 1.0}  # below 0.8: the steering bar alone judges a steered run
    trainer.last_test = {"test_normalized_return": 0.9, "test_success_rate": 0.875}
    assert stop({**trainer.last_test, "iteration": 0}) is None and trainer.confirmed_with == []  # 7 of 8: no steering test yet
    for i, missed in enumerate(["no fall 90% (>= 95%)", "heading error 16.0 deg (<= 15)", "speed error 0.31 m/s", "pose reward 0.55"]):
        trainer.last_test = dict(quick)
        assert stop({**quick, "iteration": i}) is None
        assert missed in capsys.readouterr().out
        trainer.last_test = dict(quick)
        trainer.samples += STEER_RETEST_SAMPLES - 1  # a failed steering test waits: not yet
        assert stop({**quick, "iteration": i}) is None and len(trainer.confirmed_with) == i + 1
        trainer.samples += 1
    trainer.last_test = dict(quick)
    reason = stop({**quick, "iteration": 9})
    assert reason is not None and "steering bar on 30 episodes of 60 s" in reason and "heading error 10.0 deg" in reason
    assert trainer.confirmed_with == [30] * 5 and trainer.saved == ["best.pt"]


def test_a_steered_runs_wait_after_a_failed_steering_test_survives_a_resume(tmp_path):
    from imitate.defaults import STEER_RETEST_SAMPLES
    from imitate.errors import UserError
    from imitate.train_cmd import bar_stop

    good = {"fall_rate": 0.0, "heading_err_rad": math.radians(10.0), "speed_err_m_s": 0.1, "pose_reward": 0.8}
    quick = {"test_normalized_return": 0.9, "test_success_rate": 1.0}
    state = tmp_path / "stop_rule.json"
    trainer = FakeTrainer([{**good, "fall_rate": 0.5}])
    trainer.samples, trainer.last_test = 1_000_000, dict(quick)
    assert bar_stop(trainer, lambda summary, episodes: summary, steered=True, state=state)({**quick, "iteration": 1}) is None
    assert json.loads(state.read_text()) == {"next_steering_test": 1_000_000 + STEER_RETEST_SAMPLES}
    resumed = FakeTrainer([good])  # a resumed run: a new stop rule, the wait read back from the run folder
    resumed.samples, resumed.last_test = 1_100_000, dict(quick)
    stop = bar_stop(resumed, lambda summary, episodes: summary, steered=True, state=state)
    assert stop({**quick, "iteration": 2}) is None and resumed.confirmed_with == []
    resumed.samples, resumed.last_test = 1_000_000 + STEER_RETEST_SAMPLES, dict(quick)
    assert stop({**quick, "iteration": 3}) is not None and resumed.confirmed_with == [30]
    state.write_text("{not json")  # a damaged state file: one line naming it
    with pytest.raises(UserError, match="stop_rule.json: unreadable stop-rule state"):
        bar_stop(resumed, lambda summary, episodes: summary, steered=True, state=state)


def test_a_steered_run_trains_and_reports_its_steering(tmp_path):
    run = tmp_path / "steer"
    out = imitate("--motion", "walk.txt", "--character", "humanoid", "--steer", "--out", run, *TINY)
    assert out.returncode == 0, out.stderr
    config = json.loads((run / "config.json").read_text())
    assert config["env"]["steering"]["task_weight"] == 0.3
    scored = imitate("eval", run, "--episodes", "1", "--json")
    assert scored.returncode == 0, scored.stderr
    result = json.loads(scored.stdout)
    assert {"heading_err_rad", "speed_err_m_s", "pose_reward"} <= result.keys() and 0.0 < result["pose_reward"] <= 1.0
    # scored as the steering bar scores it: 60-s episodes, falls only (the clip follows the character: no drift rule)
    assert result["episode_seconds"] == 60.0 and "drift from the clip" not in result["endings"]
    last = result["per_episode"][0]  # where its command stood as the episode ended (a fall, here)
    assert last["command_speed_m_s"] == pytest.approx(0.98, abs=0.01) and 0.0 <= last["since_change_s"] <= last["seconds"]
    assert 0.0 <= last["facing_off_command_rad"] <= math.pi
    from imitate.evaluation import for_steering_bar
    from imitate.policy_source import from_run

    source = from_run(run)
    assert for_steering_bar(source).env.pose_termination_m == 0.0 and source.env.pose_termination_m == 1.0
    bar = for_steering_bar(source).env.steering  # every change a heading uniform on the circle, whatever training drew
    assert (bar.sharp_turn_share, bar.speed_change_share, bar.change_seconds) == (1.0, 1.0, (3.0, 7.0))
    assert source.env.steering.sharp_turn_share == 0.5
    # a scripted course: one episode from the clip's start, the errors counted from 1.5 s after each change
    course = tmp_path / "course.json"
    course.write_text("[[0, 0], [0.5, 90]]")
    driven = imitate("eval", run, "--steer-script", course, "--seconds", "3", "--json")
    assert driven.returncode == 0, driven.stderr
    d = json.loads(driven.stdout)
    assert d["course"] == "course.json" and 0.0 < d["seconds"] <= 3.0 + 1e-9
    assert d["measured_steps"] == max(0, round(30 * d["seconds"]) - 60)  # measured from 2.0 s (the change at 0.5 s + 1.5 s)
    plain = imitate("eval", "--motion", "run.txt", "--steer-script", course)  # no steerable run ships
    assert plain.returncode == 2 and "needs a steered controller" in plain.stderr
    shipped = imitate("eval", "--motion", "walk.txt", "--steer-script", course, "--seconds", "1")  # the steerable walk ships
    assert shipped.returncode == 0 and "shipped controller humanoid-humanoid3d_walk-steer" in shipped.stdout
    assert "not measured: no command of the course was held 1.5 s" in shipped.stdout  # 1 s: nothing after 2.0 s
    # exported, the command is an input of its own, and the controller scores as the run does
    assert imitate("export", run, "-o", tmp_path / "steer.onnx").returncode == 0
    contract = json.loads((tmp_path / "steer.json").read_text())
    assert [(i["name"], i["shape"][1]) for i in contract["inputs"]][2] == ("command", 3)
    assert contract["inputs"][0]["shape"][1] == contract["observation_layout"][-1]["offset"] + contract["observation_layout"][-1]["size"]
    onnx = imitate("eval", "--policy", tmp_path / "steer.onnx", "--motion", "walk.txt", "--episodes", "1", "--json")
    assert onnx.returncode == 0, onnx.stderr
    assert json.loads(onnx.stdout)["normalized_return"] == pytest.approx(result["normalized_return"], abs=1e-3)


def test_a_walk_and_a_run_train_one_controller_that_follows_a_speed(tmp_path):
    refused = imitate("--motion", "walk.txt", "run.txt", "--character", "humanoid", "--out", tmp_path / "no", *TINY)
    assert refused.returncode == 2 and "two gaits (slow, fast) with --steer" in refused.stderr
    run = tmp_path / "walk-run"
    out = imitate("--motion", "walk.txt", "run.txt", "--character", "humanoid", "--steer", "--out", run, *TINY)
    assert out.returncode == 0, out.stderr
    assert "training humanoid on humanoid3d_walk.txt and humanoid3d_run.txt" in out.stdout
    config = json.loads((run / "config.json").read_text())
    assert config["env"]["steering"]["speed_clips"] == ["humanoid3d_run.txt"] and (run / "humanoid3d_run.txt").is_file()
    moved = tmp_path / "moved"
    run.rename(moved)  # the run's own copy of the faster gait travels with it
    scored = imitate("eval", moved, "--episodes", "1", "--seconds", "2", "--json")
    assert scored.returncode == 0, scored.stderr
    course = tmp_path / "course.json"
    course.write_text("[[0, 0, 1.0], [0.5, 90, 3.0]]")
    rendered = imitate("render", moved, "--steer-script", course, "--gif", tmp_path / "course.gif", "--seconds", "1", "--size", "160x96",
                       "--renderer", "cpu")  # fmt: skip
    assert rendered.returncode == 0, rendered.stderr
    assert (tmp_path / "course.gif").stat().st_size > 0
    assert imitate("export", moved, "-o", tmp_path / "game" / "steer.onnx").returncode == 0
    contract = json.loads((tmp_path / "game" / "steer.json").read_text())
    assert contract["env_config"]["steering"]["speed_clips"] == ["humanoid3d_run.txt"]
    assert (tmp_path / "game" / "humanoid3d_run.txt").is_file()


def test_a_course_file_is_read_or_refused_in_one_line(tmp_path):
    import math

    from imitate.errors import UserError
    from imitate.render_cmd import read_course

    good = tmp_path / "good.json"
    good.write_text("[[0, 0], [4, 90, 2.5], [8.5, -45]]")
    assert read_course(good) == [(0.0, 0.0, None), (4.0, math.pi / 2, 2.5), (8.5, -math.pi / 4, None)]
    for text, problem in (("[[0, 0], [4]]", "expected a JSON list"), ("[[4, 0], [1, 90]]", "in order"), ("{", "not a JSON list")):
        bad = tmp_path / "bad.json"
        bad.write_text(text)
        with pytest.raises(UserError, match=problem) as err:
            read_course(bad)
        assert "bad.json" in str(err.value) and "\n" not in str(err.value)
