"""`play --policy` and `render --policy` with an ONNX controller work where torch cannot be imported."""

import subprocess
import sys

import imageio.v2 as imageio
import pytest

from awr_core.agent import AWRAgent
from awr_core.config import AWRConfig
from characters.config import EnvConfig
from characters.env import ImitationEnv
from characters.registry import get_character
from imitate.contract import build_contract
from imitate.imitation import link_names
from imitate.onnx_export import export_onnx

NO_TORCH = "import sys; sys.modules['torch'] = None; from imitate.cli import main; raise SystemExit(main(sys.argv[1:]))"


@pytest.fixture(scope="module")
def controller(tmp_path_factory):
    env = ImitationEnv("humanoid", "walk.txt", EnvConfig(action_mode="relative"))
    agent = AWRAgent(env.observation_space, env.action_space, AWRConfig(actor_layers=(32,), critic_layers=(8,)))
    contract = build_contract(get_character("humanoid"), env.config, link_names(env), "humanoid3d_walk.txt", 197, 28)
    path = tmp_path_factory.mktemp("ctl") / "walk.onnx"
    export_onnx(agent.policy_weights(), env.actions, contract, path)
    env.close()
    return path


def run_without_torch(*args):
    return subprocess.run([sys.executable, "-c", NO_TORCH, *map(str, args)], capture_output=True, text=True, timeout=300)


def test_torch_is_really_blocked():
    out = subprocess.run([sys.executable, "-c", "import sys; sys.modules['torch'] = None; import torch"], capture_output=True, text=True)
    assert out.returncode != 0 and "ModuleNotFoundError" in out.stderr or "ImportError" in out.stderr


def test_render_with_onnx_needs_no_torch(controller, tmp_path):
    out = run_without_torch("render", "--policy", controller, "--motion", "walk.txt", "--mp4", tmp_path / "w.mp4", "--seconds", "0.5",
                            "--size", "320x180")  # fmt: skip
    assert out.returncode == 0, out.stderr
    assert sum(1 for _ in imageio.get_reader(str(tmp_path / "w.mp4"))) == 15


def test_play_with_onnx_needs_no_torch(controller):
    out = run_without_torch("play", "--policy", controller, "--motion", "walk.txt", "--headless", "--frames", "20", "--size", "320x180")
    assert out.returncode == 0, out.stderr
    assert "20 frames" in out.stdout


def test_corrupt_onnx_given_to_play_is_one_line(tmp_path):
    bad = tmp_path / "bad.onnx"
    bad.write_bytes(b"\x08\x01garbage")
    out = run_without_torch("play", "--policy", bad, "--headless", "--frames", "1")
    assert out.returncode == 2 and len(out.stderr.strip().splitlines()) == 1 and "bad.onnx" in out.stderr


def test_game_loop_example_drives_the_shipped_walk_controller_without_torch():
    from pathlib import Path

    from imitate.shipped import find_shipped

    example = Path(__file__).resolve().parents[1] / "examples" / "onnx_game_loop.py"
    code = "import sys, runpy; sys.modules['torch'] = None; sys.argv = sys.argv[1:]; runpy.run_path(sys.argv[0], run_name='__main__')"
    model = find_shipped("humanoid", "humanoid3d_walk.txt")
    out = subprocess.run([sys.executable, "-c", code, str(example), str(model), "--seconds", "1"], capture_output=True, text=True,
                         timeout=300)  # fmt: skip
    assert out.returncode == 0, out.stderr
    assert " s simulated, " in out.stdout and "root travelled" in out.stdout
