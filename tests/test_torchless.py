"""`play --policy` and `render --policy` with an ONNX controller work where torch cannot be imported."""

import math
import subprocess
import sys
from dataclasses import replace

import imageio.v2 as imageio
import pytest

from awr_core.agent import AWRAgent
from awr_core.config import AWR_PAPER
from characters.config import DEEPMIMIC_ENV, EnvConfig
from characters.env import ImitationEnv
from characters.registry import get_character
from imitate.contract import build_contract
from imitate.onnx_export import export_onnx

NO_TORCH = "import sys; sys.modules['torch'] = None; from imitate.cli import main; raise SystemExit(main(sys.argv[1:]))"


@pytest.fixture(scope="module")
def controller(tmp_path_factory):
    env = ImitationEnv("humanoid", "walk.txt", replace(DEEPMIMIC_ENV, action_mode="relative"))
    agent = AWRAgent(env.observation_space, env.action_space, replace(AWR_PAPER, actor_layers=(32,), critic_layers=(8,)))
    contract = build_contract(get_character("humanoid"), env.config, env.observed_link_names(), "humanoid3d_walk.txt", 197, 28)
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


@pytest.mark.parametrize("character, clip_name", [("humanoid", "humanoid3d_walk.txt"), ("laikago", "laikago_walk.txt"),
                                                  ("humanoid", "humanoid3d_kick.txt")])  # fmt: skip
def test_game_loop_example_drives_the_shipped_controllers_without_torch(character, clip_name):
    """The kick's controller targets the clip's joint velocities (its contract's pd_target_velocity): with velocity 0
    instead, the example's character falls before 1 s; the walks' target velocity 0."""
    from pathlib import Path

    from imitate.shipped import find_shipped

    example = Path(__file__).resolve().parents[1] / "examples" / "onnx_game_loop.py"
    code = "import sys, runpy; sys.modules['torch'] = None; sys.argv = sys.argv[1:]; runpy.run_path(sys.argv[0], run_name='__main__')"
    model = find_shipped(character, clip_name)
    out = subprocess.run([sys.executable, "-c", code, str(example), str(model), "--seconds", "1"], capture_output=True, text=True,
                         timeout=300)  # fmt: skip
    assert out.returncode == 0, out.stderr
    assert " s simulated, still standing" in out.stdout and "root travelled" in out.stdout


EXAMPLE_OBSERVATION = """
import json, runpy, sys
from dataclasses import replace
from pathlib import Path
import numpy as np, pybullet as p
from imitate.imitation import open_env
from imitate.policy_source import from_onnx
model = Path(sys.argv[1])
src = from_onnx(model, None, None)
env = open_env(src.character, src.clip_path, replace(src.env, random_start=False))
assert env.client == 0  # the example talks to PyBullet's default client
ex = runpy.run_path(sys.argv[2], run_name="example")
contract = json.loads(model.with_suffix(".json").read_text())
blocks = [b for b in contract["observation_layout"] if b["name"].startswith("clip+")]
assert blocks, "the controller observes upcoming clip poses"
skeleton = ex["animation_skeleton"](contract)
names = ex["link_indices"](env.body.body)
bodies = ex["observed_bodies"](contract, names)
cols = [(names[b["joint"]], b["offset"], b["size"]) for b in contract["action_layout"]]
worst, waited = 0.0, 0
clip = ex["game_clip"](contract)  # the game's own clip, read in the character's convention as the contract says
animation = ex["Animation"](contract, clip, model)
steering = ex["Steering"](contract, animation) if env.task is not None else None
for start in (0.0, 0.4, 0.9, 1.2):  # from 1.2 s the episodes cross the walks' seams (1.267 s, 1.25 s)
    obs, _ = env.reset(options={"start_time": start})
    if steering is not None:  # a sharp turn at once: the clip turns under the character over the next steps
        env.steer_to(env.task.command + 2.0)
        obs, *_ = env.step(src.policy(obs, env.action_base_pose()))
        steering.command, steering.ref_heading, steering.speed = env.task.command, env.task.ref_heading, env.task.speed
    for _ in range(5 if steering is None else 12):
        t, yaw = env.time, None
        if steering is not None:  # the game's own steering: turned each tick, and waiting for a character that lags
            animation.blend = env.task.blend  # held speed: the blend the environment looked its clip up at
            before = steering.ref_heading
            yaw = steering.yaw(np.array(p.getBasePositionAndOrientation(env.body.body)[1]), animation.pose(t).root_quat)
            waited += steering.ref_heading != before
        mine = [ex["observation"](env.body.body, bodies, (t / env.clip.duration) % 1.0),
                ex["upcoming_clip"](env.body.body, skeleton, names, cols, blocks, animation, t, contract["control_hz"], yaw)]
        if steering is not None:
            mine.append(steering.command_input(np.array(p.getBasePositionAndOrientation(env.body.body)[1])))
        mine = np.concatenate(mine)
        worst = max(worst, float(np.abs(mine - obs).max()))
        if steering is not None:
            steering.advance()
        obs, *_ = env.step(src.policy(obs, env.action_base_pose()))
print(f"waited {waited}")
print(f"worst {worst:.3g}")
"""


@pytest.mark.parametrize("character, clip_name, steer", [("humanoid", "humanoid3d_walk.txt", ""), ("laikago", "laikago_walk.txt", ""),
                                                         ("humanoid", "humanoid3d_walk.txt", "heading"),
                                                         ("humanoid", "humanoid3d_walk.txt", "speed")])  # fmt: skip
def test_game_loop_example_builds_the_environments_observation(tmp_path, character, clip_name, steer):
    """The example's observation (DeepMimic's state and the clip+K blocks, from the clip it loads itself) is the
    environment's, value for value, for a controller that observes the clip's upcoming root (exported here: an
    untrained policy will do); the quadruped's base is its root and is observed as a body of its own. Steered,
    the clip blocks are turned toward the command and the command input follows, as the environment has them."""
    from pathlib import Path

    from awr_core.agent import AWRAgent
    from characters.env import ImitationEnv
    from characters.registry import get_character
    from characters.steering import SteeringConfig
    from imitate.contract import build_contract
    from imitate.onnx_export import export_onnx

    # a lead cap of 10 degrees: the clip waits for the character within the test's few steps
    steering = SteeringConfig(speed_clips=("run.txt",) if steer == "speed" else (), lead_cap_rad=math.radians(10)) if steer else None
    config = EnvConfig(steering=steering)  # the defaults: relative actions, the clip's root ahead
    env = ImitationEnv(character, clip_name, config)
    agent = AWRAgent(env.observation_space, env.action_space, replace(AWR_PAPER, actor_layers=(32,), critic_layers=(8,)))
    contract = build_contract(get_character(character), config, env.observed_link_names(), clip_name,
                              env.observation_space.shape[0], env.action_space.shape[0])  # fmt: skip
    model = tmp_path / "walk.onnx"
    export_onnx(agent.policy_weights(), env.actions, contract, model)
    env.close()
    example = Path(__file__).resolve().parents[1] / "examples" / "onnx_game_loop.py"
    out = subprocess.run([sys.executable, "-c", EXAMPLE_OBSERVATION, str(model), str(example)], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    worst = float(out.stdout.strip().splitlines()[-1].split()[1])
    assert (int(out.stdout.strip().splitlines()[-2].split()[1]) > 0) == bool(steer)  # the clip waited for the character
    # two gaits: the environment mixes the two nearest of its tabulated blends, the example blends exactly
    assert worst < (1e-5 if steer != "speed" else 1e-3), worst
