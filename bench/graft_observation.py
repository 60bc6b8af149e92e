"""Continue a trained run with more in its observation (and other environment settings changed).

The run's latest checkpoint is widened for an environment that also observes the clip's upcoming
poses (`--reference-obs-steps`, `--reference-obs-links`): the new inputs come after DeepMimic's
state, so they get zero weights in both networks' first layers (and zero Adam moments), and the
policy and value start exactly as trained. The observation normalizer is frozen after its
samples; its statistics for the new inputs come from a rollout of the policy in the new
environment. The replay buffer starts empty (its stored observations lack the new values). The
result is a new run folder that `imitate --resume NEW_DIR` continues; the old one is not touched.

  python bench/graft_observation.py runs/s10-defaults-walk runs/s11-graft-refroot-d05 \\
      --reference-obs-steps 1,4 --reference-obs-links root --pose-termination-m 0.5
"""

from __future__ import annotations

import argparse
import shutil
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from awr_core.checkpoint import load_checkpoint, save_checkpoint  # noqa: E402
from imitate.imitation import make_agent_for_spaces, open_env  # noqa: E402
from imitate.run_folder import read_config, write_config  # noqa: E402


def widen_first_layer(state: dict, prefix: str, extra: int) -> None:
    """Append `extra` zero input columns to the first Linear layer `prefix`.0.weight [H,O] -> [H,O+extra]."""
    w = state[f"{prefix}.0.weight"]
    state[f"{prefix}.0.weight"] = torch.cat([w, torch.zeros(w.shape[0], extra, dtype=w.dtype)], dim=1)


def widen_adam(opt_state: dict, extra: int) -> None:
    """Zero Adam moments for the new columns of parameter 0 (the first layer's weight)."""
    s = opt_state["state"][0]
    for key in ("exp_avg", "exp_avg_sq"):
        m = s[key]
        s[key] = torch.cat([m, torch.zeros(m.shape[0], extra, dtype=m.dtype)], dim=1)


def rollout_features(env, agent, old_size: int, steps: int, seed: int) -> np.ndarray:
    """The new observation columns [steps, extra] seen while the trained policy acts (deterministic)."""
    rows = []
    obs, _ = env.reset(seed=seed)
    for _ in range(steps):
        rows.append(obs[old_size:])
        action = agent.act(obs[None, :old_size], deterministic=True)[0]
        obs, _, term, trunc, _ = env.step(action)
        if term or trunc:
            obs, _ = env.reset()
    return np.array(rows, dtype=np.float64)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("run", type=Path)
    p.add_argument("out", type=Path)
    p.add_argument("--reference-obs-steps", default="1,4")
    p.add_argument("--reference-obs-links", default="root")
    p.add_argument("--pose-termination-m", type=float, default=None)
    p.add_argument("--gamma", type=float, default=None)
    p.add_argument("--stat-steps", type=int, default=4000, help="rollout steps for the new inputs' normalizer statistics")
    args = p.parse_args()
    if args.out.exists():
        raise SystemExit(f"{args.out}: exists")
    config = read_config(args.run)
    changes = {"reference_obs_steps": tuple(int(s) for s in args.reference_obs_steps.split(",")),
               "reference_obs_links": tuple(args.reference_obs_links.split(","))}  # fmt: skip
    if args.pose_termination_m is not None:
        changes["pose_termination_m"] = args.pose_termination_m
    new_env = replace(config.env, **changes)
    awr = replace(config.awr, gamma=args.gamma) if args.gamma is not None else config.awr
    data = load_checkpoint(args.run / "checkpoints" / "latest.pt")
    old_size = int(data["meta"]["obs_size"])
    if config.env.reference_obs_steps:
        raise SystemExit(f"{args.run}: already observes the clip's upcoming poses; this script widens DeepMimic's state only")
    env = open_env(config.character, config.clip_path, new_env)
    new_size = env.observation_space.shape[0]
    extra = new_size - old_size
    old_env = open_env(config.character, config.clip_path, config.env)
    agent = make_agent_for_spaces(old_env.observation_space, old_env.action_space, config.awr)
    agent.load_state_dict(data["agent"])
    feats = rollout_features(env, agent, old_size, args.stat_steps, seed=int(config.awr.seed) + 1000)

    a = data["agent"]
    widen_first_layer(a["policy"], "net", extra)
    widen_first_layer(a["value"], "net", extra)
    widen_adam(a["actor_opt"], extra)
    widen_adam(a["critic_opt"], extra)
    norm = a["obs_norm"]
    count = int(norm["count"])
    norm["mean"] = torch.as_tensor(np.concatenate([np.asarray(norm["mean"]), feats.mean(axis=0)]))
    norm["m2"] = torch.as_tensor(np.concatenate([np.asarray(norm["m2"]), feats.var(axis=0) * count]))
    a["buffer"] = {"capacity": a["buffer"]["capacity"], "total_added": a["buffer"]["total_added"], "empty": True}
    a["config"] = {**a["config"], "gamma": awr.gamma}
    data["meta"] = {**data["meta"], "obs_size": new_size}

    args.out.mkdir(parents=True)
    shutil.copy(args.run / "log.csv", args.out / "log.csv")
    write_config(args.out, replace(config, env=new_env, awr=awr))
    (args.out / "checkpoints").mkdir()
    save_checkpoint(args.out / "checkpoints" / "latest.pt", data)
    save_checkpoint(args.out / "checkpoints" / "best.pt", data)

    # the grafted networks act as the trained ones did: same actions on the same observations
    check = make_agent_for_spaces(env.observation_space, env.action_space, awr)
    check.load_state_dict(data["agent"])
    obs, _ = env.reset(seed=7)
    same = np.abs(check.act(obs[None], deterministic=True) - agent.act(obs[None, :old_size], deterministic=True)).max()
    print(f"{args.out}: observation {old_size} -> {new_size}; new inputs' mean {np.round(feats.mean(axis=0), 3).tolist()}")
    print(f"  largest action difference, grafted vs trained, on one observation: {same:.2e}")
    print(f"  continue with: imitate --resume {args.out} --budget ... --no-until-bar")


if __name__ == "__main__":
    main()
