"""ONNX export: opset, names, contract, parity with torch on real rollouts, closed loop, bad input."""

import json
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np
import onnx
import pytest

from awr_core.agent import AWRAgent
from awr_core.config import AWR_PAPER
from characters.config import DEEPMIMIC_ENV
from characters.env import ImitationEnv
from characters.registry import get_character
from imitate.contract import build_contract
from imitate.onnx_export import export_onnx
from imitate.onnx_policy import OnnxController


def trained_like_agent(env, seed=0):
    """A small agent whose normalizer has seen real rollouts (the weights themselves are random). Its output layer
    starts small, so its actions lie inside the action bounds as a trained policy's do (>99.9% of them); at 0.5
    a fifth of DeepMimic's absolute actions would be up to 5 half-ranges outside, knee targets of tens of radians."""
    agent = AWRAgent(env.observation_space, env.action_space, replace(AWR_PAPER, actor_layers=(64, 32), critic_layers=(16,), seed=seed,
                                                                        init_output_scale=0.1))  # fmt: skip
    obs = rollout_observations(env, agent, 400, seed=seed)
    agent.obs_norm.update(obs)
    return agent


def rollout_observations(env, agent, n, seed):
    out = []
    obs, _ = env.reset(seed=seed)
    while len(out) < n:
        out.append(obs)
        obs, _, term, trunc, _ = env.step(agent.act(obs[None])[0])
        if term or trunc:
            obs, _ = env.reset()
    return np.array(out, dtype=np.float32)


@pytest.fixture(scope="module", params=["absolute", "relative"])
def exported(request, tmp_path_factory):
    env = ImitationEnv("humanoid", "walk.txt", replace(DEEPMIMIC_ENV, action_mode=request.param, episode_seconds=10))
    agent = trained_like_agent(env)
    spec = get_character("humanoid")
    contract = build_contract(spec, env.config, env.observed_link_names(), "humanoid3d_walk.txt", 197, env.action_space.shape[0])
    path = tmp_path_factory.mktemp("onnx") / "walk.onnx"
    export_onnx(agent.policy_weights(), env.actions, contract, path)
    return env, agent, path


def test_model_is_opset_15_with_dynamic_batch_and_stable_names(exported):
    env, _, path = exported
    model = onnx.load(str(path))
    assert [o.version for o in model.opset_import if o.domain in ("", "ai.onnx")] == [15]
    inputs = [i.name for i in model.graph.input]
    assert inputs == (["obs", "ref_pose"] if env.config.action_mode == "relative" else ["obs"])
    assert [o.name for o in model.graph.output] == ["actions", "env_action"]
    assert model.graph.input[0].type.tensor_type.shape.dim[0].dim_param == "batch"
    meta = {p.key: p.value for p in model.metadata_props}
    sidecar = json.loads(path.with_suffix(".json").read_text())
    for key in ("format_version", "package_version", "character", "clip", "control_hz", "physics_hz", "joint_order", "pd",
                "observation_layout", "action_layout"):  # fmt: skip
        assert key in meta and key in sidecar
    assert sidecar["joint_order"][0] == "chest" and sidecar["pd"][0] == {
        "joint": "chest",
        "kp": 1000.0,
        "kd": 100.0,
        "torque_limit_nm": 200.0,
    }
    assert sum(b["size"] for b in sidecar["observation_layout"]) == 197
    assert sum(b["size"] for b in sidecar["action_layout"]) == 36


def test_onnxruntime_matches_torch_on_real_rollouts(exported):
    env, agent, path = exported
    controller = OnnxController(path)
    obs = rollout_observations(env, agent, 1000, seed=5)
    refs = np.stack([env.reference.state_at(t).pose.joints for t in np.linspace(0, 3, len(obs))]).astype(np.float32)
    torch_actions = agent.act(obs, deterministic=True)
    targets, env_action = controller.act(obs, refs if controller.relative else None)
    # the environment's action: in the network's normalized units ([-1, 1] over the action bounds) and in radians
    # (DeepMimic's absolute half-ranges reach 12.56 rad, so there radians are the stricter test)
    assert np.max(np.abs(env_action - torch_actions) / agent.scaler.half) < 1e-5
    assert np.max(np.abs(env_action - torch_actions)) < 1e-5
    # PD targets, the `actions` output a game applies: quaternions (either sign) per component, revolute angles (rad)
    expected = np.stack([env.actions.targets(a.astype(np.float64), r.astype(np.float64)) for a, r in zip(torch_actions, refs, strict=True)])
    q, rev = env.actions.layout.sph_pose, env.actions.layout.rev_pose
    sign = np.sign(np.sum(targets[:, q] * expected[:, q], axis=-1, keepdims=True))
    assert np.abs(targets[:, q] * sign - expected[:, q]).max() < 1e-5
    assert np.abs(targets[:, rev] - expected[:, rev]).max() < 1e-5


def test_closed_loop_onnx_reproduces_torch_return(exported):
    env, agent, path = exported
    controller = OnnxController(path)

    def ten_seconds(act):
        """10 s of simulated control (300 steps) from the same seeds; an episode that ends is reset (seed + 1)."""
        seed = 11
        obs, _ = env.reset(seed=seed, options={"start_time": 0.0})
        rewards, episodes = [], 1
        for _ in range(int(10 * env.config.control_hz)):
            obs, r, term, trunc, _ = env.step(act(obs, env.action_base_pose()[None]))
            rewards.append(r)
            if term or trunc:
                seed, episodes = seed + 1, episodes + 1
                obs, _ = env.reset(seed=seed)
        return float(np.mean(rewards)), episodes, rewards

    torch_return, torch_episodes, torch_rewards = ten_seconds(lambda o, ref: agent.act(o[None], deterministic=True)[0])
    onnx_return, onnx_episodes, onnx_rewards = ten_seconds(
        lambda o, ref: controller.act(o[None], ref if controller.relative else None)[1][0]
    )
    # either mode (measured: 14 relative and 32 absolute episodes, returns 1e-7 apart, rewards 1e-5 per step)
    assert onnx_episodes == torch_episodes  # the same falls at the same steps
    assert onnx_return == pytest.approx(torch_return, rel=0.01)
    assert np.max(np.abs(np.array(onnx_rewards) - np.array(torch_rewards))) < 1e-3


def test_corrupt_onnx_file_is_one_line(tmp_path):
    bad = tmp_path / "bad.onnx"
    bad.write_bytes(b"definitely not protobuf")
    from imitate.errors import UserError

    with pytest.raises(UserError, match=r"bad\.onnx: not a loadable ONNX model"):
        OnnxController(bad)


def test_export_without_checkpoint_is_one_line(tmp_path):
    run = tmp_path / "run"
    (run / "checkpoints").mkdir(parents=True)
    cfg = {"format": "imitate-run", "version": 1, "character": "humanoid", "motion": "walk.txt", "clip_path": "walk.txt",
           "num_envs": 1, "env": {}, "awr": {}}  # fmt: skip
    (run / "config.json").write_text(json.dumps(cfg))
    exe = Path(sys.executable).with_name("imitate")
    out = subprocess.run([str(exe), "export", str(run), "-o", str(tmp_path / "x.onnx")], capture_output=True, text=True, timeout=120)
    assert out.returncode == 2 and "no checkpoint yet" in out.stderr and len(out.stderr.strip().splitlines()) == 1
