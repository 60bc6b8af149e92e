"""The controllers shipped in the package still score what their eval.json records, and play/render find them."""

import json
import math
import subprocess
import sys
from pathlib import Path

import pytest

from imitate.evaluation import check_shipped, one_shot_from_start
from imitate.shipped import CHECK_EPISODES, CHECK_SECONDS, find_shipped, list_shipped, recorded_check

SHIPPED = list_shipped()
STEERED = [p for p in SHIPPED if p.name.endswith("-steer")]
DOCS = Path(__file__).resolve().parents[1] / "docs"


def test_walk_and_run_controllers_are_shipped_with_their_records():
    names = {p.name for p in SHIPPED}
    assert {"humanoid-humanoid3d_walk", "humanoid-humanoid3d_run", "laikago-laikago_walk"} <= names
    for folder in SHIPPED:
        for f in ("controller.onnx", "controller.json", "config.json", "log.csv", "eval.json"):
            assert (folder / f).stat().st_size > 0, f"{folder.name}/{f}"
        record = json.loads((folder / "eval.json").read_text())
        assert record["check"]["episodes"] == CHECK_EPISODES and record["check"]["seconds"] == CHECK_SECONDS
        assert {"normalized_return", "fall_rate", "success_rate", "body_pos_err_m"} <= record["full"].keys()
        assert record["command"].startswith("python -m tools.ship_controller")
    walk = next(p for p in SHIPPED if p.name == "humanoid-humanoid3d_walk")
    assert find_shipped("humanoid", "humanoid3d_walk.txt") == walk / "controller.onnx"
    assert find_shipped("humanoid", "humanoid3d_backflip.txt") is None
    assert find_shipped("laikago", "laikago_walk.txt").parent.name == "laikago-laikago_walk"


def test_the_quadrupeds_shipped_controller_plays_by_its_clip_name(tmp_path):
    exe = Path(sys.executable).with_name("imitate")
    args = ["render", "--motion", "laikago_walk.txt", "--character", "laikago", "--gif", str(tmp_path / "lk.gif"), "--seconds", "0.5",
            "--size", "160x96", "--renderer", "cpu"]  # fmt: skip
    out = subprocess.run([str(exe), *args], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    assert "shipped controller laikago-laikago_walk" in out.stdout and "0 falls" in out.stdout


@pytest.mark.parametrize("folder", SHIPPED, ids=[p.name for p in SHIPPED])
def test_a_shipped_controller_runs_with_the_pd_rule_it_was_trained_with(folder):
    """A controller saved before the PD targeted the clip's joint velocities does not name the rule in its contract or
    run config: read back, both give target velocity 0 and the lookahead it trained with, not today's defaults."""
    from imitate.policy_source import from_onnx
    from imitate.run_folder import read_config

    contract = json.loads((folder / "controller.json").read_text())
    rule = contract.get("pd_target_velocity", "zero")
    for env in (from_onnx(folder / "controller.onnx", None, None).env, read_config(folder).env):
        assert env.pd_target_velocity == rule and env.relative_lookahead_steps == contract["env_config"]["relative_lookahead_steps"]
    assert rule == "zero" or contract["env_config"]["pd_target_velocity"] == "clip"


@pytest.mark.parametrize("folder", SHIPPED, ids=[p.name for p in SHIPPED])
def test_shipped_controller_still_meets_its_recorded_check(folder):
    recorded = recorded_check(folder)
    now = check_shipped(folder)
    assert now["normalized_return"] >= recorded["normalized_return"] - 0.02
    assert now["episode_seconds"] >= recorded["episode_seconds"] - 0.2
    assert now["fall_rate"] <= recorded["fall_rate"] + 1e-9


@pytest.mark.parametrize("folder", SHIPPED, ids=[p.name for p in SHIPPED])
def test_a_one_shot_controller_performs_its_whole_clip_from_the_start(folder):
    episode = one_shot_from_start(folder)  # None: a looping or steered clip
    assert episode is None or episode["ending"] == "clip end", episode


def test_render_with_only_a_clip_uses_the_shipped_controller(tmp_path):
    exe = Path(sys.executable).with_name("imitate")
    out = subprocess.run([str(exe), "render", "--motion", "run.txt", "--mp4", str(tmp_path / "run.mp4"), "--seconds", "0.5",
                          "--size", "160x96", "--renderer", "cpu"], capture_output=True, text=True, timeout=300)  # fmt: skip
    assert out.returncode == 0, out.stderr
    assert "shipped controller humanoid-humanoid3d_run" in out.stdout
    ref = subprocess.run([str(exe), "render", "--motion", "run.txt", "--reference", "--gif", str(tmp_path / "ref.gif"), "--seconds", "0.5",
                          "--size", "160x96", "--renderer", "cpu"], capture_output=True, text=True, timeout=300)  # fmt: skip
    assert ref.returncode == 0, ref.stderr
    assert "reference motion" in ref.stdout and "no controller ships" not in ref.stderr  # asked for the clip: no note
    none = subprocess.run([str(exe), "render", "--motion", "backflip.txt", "--gif", str(tmp_path / "bf.gif"), "--seconds", "0.5",
                           "--size", "160x96", "--renderer", "cpu"], capture_output=True, text=True, timeout=300)  # fmt: skip
    assert none.returncode == 0, none.stderr
    assert "reference motion" in none.stdout
    assert "no controller ships for humanoid3d_backflip.txt (humanoid): rendering the clip itself" in none.stderr


def test_motions_list_marks_the_clips_with_a_shipped_controller(capsys):
    from imitate.cli import main

    assert main(["motions"]) == 0
    lines = {line.split()[0]: line for line in capsys.readouterr().out.splitlines() if line and line.split()[0].endswith(".txt")}
    assert lines["walk.txt"].rstrip().endswith("shipped") and lines["run.txt"].rstrip().endswith("shipped")
    assert not lines["backflip.txt"].rstrip().endswith("shipped")


def test_the_gallery_shows_every_shipped_skill_with_its_command():
    from tools.gallery import render_command, skills, table

    rows = skills()
    assert {(c, clip) for c, clip, _ in rows} >= {("humanoid", "walk.txt"), ("humanoid", "run.txt"), ("laikago", "walk.txt")}
    assert len(rows) == len([p for p in SHIPPED if not p.name.endswith("-steer")])
    cmd = render_command("humanoid", "walk.txt", Path("docs/gallery/w.gif"))
    assert cmd[:4] == ["imitate", "render", "--motion", "walk.txt"] and cmd[-1] == "2.5"  # the walk's two 1.27-s cycles
    assert render_command("humanoid", "spin.txt", Path("s.gif"))[-1] == "5.0"  # two 4.42-s cycles, at most 5 s
    assert render_command("humanoid", "run.txt", Path("r.gif"))[-1] == "2.5"  # two 0.8-s cycles, at least 2.5 s
    lines = table(rows).splitlines()
    assert lines[1] == "|---|---|---|" and all(line.count(" | ") == 2 for line in lines[:1] + lines[2:])


def test_a_steerable_walk_ships():
    assert [p.name for p in STEERED] == ["humanoid-humanoid3d_walk-steer"]
    assert find_shipped("humanoid", "humanoid3d_walk.txt", steered=True) == STEERED[0] / "controller.onnx"


@pytest.mark.parametrize("folder", STEERED, ids=[p.name for p in STEERED])
def test_a_shipped_steerable_controller_walks_the_square_without_falling(folder):
    """Through docs/square.json (a quarter turn every 5 s), driven by its ONNX controller alone: no fall, and the
    heading error from 1.5 s after each turn within the steering bar."""
    from imitate.defaults import STEER_BAR_HEADING_DEG
    from imitate.evaluation import drive_course
    from imitate.policy_source import from_onnx
    from imitate.render_cmd import read_course

    result = drive_course(from_onnx(folder / "controller.onnx", None, None), read_course(DOCS / "square.json"), 20.0)
    assert not result["fell"] and result["seconds"] == pytest.approx(20.0)
    assert result["measured_steps"] >= 4 * 3.5 * 30 - 1  # each 5-s leg measured from 1.5 s after its turn
    assert math.degrees(result["heading_err_rad"]) <= STEER_BAR_HEADING_DEG
