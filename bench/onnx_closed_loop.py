"""Closed loop, torch against onnxruntime: the same controller driving the same episodes.

The ONNX file's weights rebuilt as the package's torch policy (`AWRAgent.act`), then both
drive the environment from the same seeds (DeepMimic's termination: falls only, the drift
rule off). A third column drives it with the ONNX actions plus Gaussian noise of 1e-7 rad,
below float32's rounding of the actions: how far the physics alone carries a difference that
small. Per seed: episode length (steps, capped) and normalized return; then the means.

  python -m bench.onnx_closed_loop imitate/controllers/humanoid-humanoid3d_walk/controller.onnx --seeds 20
"""

from __future__ import annotations

import argparse
import platform
import warnings
from dataclasses import replace
from pathlib import Path

import numpy as np
import onnx
import onnx.numpy_helper
import torch

from awr_core.agent import AWRAgent
from awr_core.config import AWRConfig
from characters.env import ImitationEnv
from imitate.evaluation import run_episodes
from imitate.imitation import open_env
from imitate.policy_source import Source, from_onnx


def torch_twin(path: Path, env: ImitationEnv) -> AWRAgent:
    """The torch policy an ONNX controller was exported from: its layers and normalizer from the graph's weights."""
    init = {t.name: onnx.numpy_helper.to_array(t).copy() for t in onnx.load(str(path)).graph.initializer}
    n_layers = sum(1 for k in init if k.startswith("layers.") and k.endswith(".weight"))
    weights = [init[f"layers.{i}.weight"] for i in range(n_layers)]
    agent = AWRAgent(env.observation_space, env.action_space,
                     AWRConfig(actor_layers=tuple(w.shape[0] for w in weights[:-1]), critic_layers=(8,)))  # fmt: skip
    linears = [m for m in agent.policy.net if isinstance(m, torch.nn.Linear)]
    with torch.no_grad():
        for i, lin in enumerate(linears):
            lin.weight.copy_(torch.as_tensor(weights[i]))
            lin.bias.copy_(torch.as_tensor(init[f"layers.{i}.bias"]))
    norm, std = agent.obs_norm, init["obs_std"].astype(np.float64)
    norm.load_state_dict({"count": 1000, "mean": init["obs_mean"].astype(np.float64), "m2": 1000 * (std - norm.eps) ** 2,
                          "max_samples": norm.max_samples, "enabled": True})  # fmt: skip
    if not (np.allclose(agent.scaler.center, init["center"]) and np.allclose(agent.scaler.half, init["act_half"])):
        raise SystemExit(f"{path}: action scaling differs from this environment's")
    return agent


def episode(source: Source, act, seed: int, seconds: float, noise: float = 0.0) -> tuple[int, float]:
    """One episode of `act` (plus Gaussian noise of std `noise` on its actions) through the package's evaluation
    loop: (control steps, normalized return)."""
    rng = np.random.default_rng(seed)

    def noisy(obs, ref):
        a = act(obs, ref)
        return a + noise * rng.standard_normal(a.shape) if noise else a

    e = run_episodes(replace(source, policy=noisy), 1, seed=seed, seconds=seconds)[0]
    return e["steps"], e["normalized_return"]


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("controller", type=Path)
    p.add_argument("--seeds", type=int, default=20)
    p.add_argument("--seconds", type=float, default=10.0, help="episode cap (s)")
    args = p.parse_args()
    warnings.simplefilter("ignore")
    src = from_onnx(args.controller, None, None)
    env = open_env(src.character, src.clip_path, replace(src.env, pose_termination_m=0.0))
    agent = torch_twin(args.controller, env)
    steps = int(round(args.seconds * env.config.control_hz))
    drivers = {
        "torch": lambda obs, ref: agent.act(obs[None], deterministic=True)[0],
        "onnxruntime": src.policy,
    }
    cpu = platform.processor() or platform.machine()
    print(f"# {args.controller} · {args.seeds} seeds, {args.seconds:g}-s cap ({steps} steps) · {cpu}")
    print("| seed | torch steps | onnxruntime steps | onnx + 1e-7 noise steps | torch norm. return | onnxruntime | onnx + noise |")
    print("|---|---|---|---|---|---|---|")
    rows = []
    falls_only = replace(src, env=replace(src.env, pose_termination_m=0.0))
    for seed in range(args.seeds):
        t = episode(falls_only, drivers["torch"], seed, args.seconds)
        o = episode(falls_only, drivers["onnxruntime"], seed, args.seconds)
        z = episode(falls_only, drivers["onnxruntime"], seed, args.seconds, noise=1e-7)
        rows.append((t, o, z))
        print(f"| {seed} | {t[0]} | {o[0]} | {z[0]} | {t[1]:.3f} | {o[1]:.3f} | {z[1]:.3f} |", flush=True)
    arr = np.array([[t[0], o[0], z[0], t[1], o[1], z[1]] for t, o, z in rows], dtype=float)
    m = arr.mean(axis=0)
    same = int(sum(t[0] == o[0] for t, o, _ in rows))
    print(f"| mean | {m[0]:.1f} | {m[1]:.1f} | {m[2]:.1f} | {m[3]:.3f} | {m[4]:.3f} | {m[5]:.3f} |")
    print(f"\nepisodes of equal length, torch vs onnxruntime: {same}/{args.seeds}; "
          f"mean normalized return onnxruntime / torch = {m[4] / m[3]:.4f}, onnx + noise / onnx = {m[5] / m[4]:.4f}")  # fmt: skip
    # the per-step action gap itself, on the observations of one onnxruntime episode
    gaps = []
    obs, _ = env.reset(seed=0)
    for _ in range(60):
        ref = env.action_base_pose()
        a_o = src.policy(obs, ref)
        gaps.append(np.abs(agent.act(obs[None], deterministic=True)[0] - a_o).max())
        obs, _, term, trunc, _ = env.step(a_o)
        if term or trunc:
            break
    print(f"largest per-step action difference, torch vs onnxruntime, same observation: {max(gaps):.1e} rad")
    env.close()


if __name__ == "__main__":
    main()
