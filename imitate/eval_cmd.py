"""`imitate eval RUN_DIR`: deterministic episodes, scored as a table or JSON."""

from __future__ import annotations

import argparse
import json
from dataclasses import replace
from pathlib import Path

import numpy as np

from awr_core.vector import default_num_envs
from imitate.imitation import INFO_KEYS, check_env, is_success, make_agent, make_collector
from imitate.run_folder import checkpoint_path, load_run_checkpoint, read_config


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("eval", help="score a trained run: return, falls, tracking errors, success rate",
                       description="Run deterministic episodes (random start times, fixed seeds) with a run's policy "
                       "and report normalized return, episode length, fall rate, tracking errors and success rate "
                       "(no fall and mean body-position error < 0.5 m).")  # fmt: skip
    p.add_argument("run_dir", type=Path, help="run folder written by `imitate train`")
    p.add_argument("--episodes", type=int, default=10, help="number of episodes (default: 10)")
    p.add_argument("--seconds", type=float, default=None, help="episode length in seconds (default: the run's, 20)")
    p.add_argument("--checkpoint", choices=("best", "latest"), default="best", help="which checkpoint (default: best)")
    p.add_argument("--seed", type=int, default=0, help="seed of the first episode (default: 0)")
    p.add_argument("--json", action="store_true", help="print JSON instead of a table")
    p.set_defaults(func=run)


def evaluate_run(run_dir: Path, episodes: int, seconds: float | None, which: str, seed: int, **env_changes) -> dict:
    """Deterministic episodes with a run's checkpoint; `env_changes` override fields of the run's EnvConfig
    (e.g. pose_termination_m=1.0 to score runs trained under other termination rules alike)."""
    config = read_config(run_dir)
    if seconds is not None:
        env_changes["episode_seconds"] = seconds
    env_config = replace(config.env, **env_changes)
    obs_size, act_size = check_env(config.character, config.clip_path, env_config)
    ck = checkpoint_path(run_dir, which)
    data = load_run_checkpoint(ck, config.character, obs_size, act_size)
    collector = make_collector(config.character, config.clip_path, env_config, min(episodes, default_num_envs()))
    try:
        agent = make_agent(collector, config.awr)
        agent.load_state_dict(data["agent"])
        records = collector.evaluate(agent.policy_weights(), episodes, seed=seed)
    finally:
        collector.close()
    dt = 1.0 / env_config.control_hz
    per_episode = [
        {
            "normalized_return": r.ret / max(r.length, 1),
            "steps": r.length,
            "seconds": r.length * dt,
            "fell": r.terminated,
            "success": is_success(r),
            **r.info_means,
        }  # fmt: skip
        for r in records
    ]
    summary = {
        "run": str(run_dir), "checkpoint": str(ck), "character": config.character, "clip": Path(config.clip_path).name,
        "episodes": len(records), "episode_seconds": env_config.episode_seconds,
        "normalized_return": float(np.mean([e["normalized_return"] for e in per_episode])),
        "episode_seconds_mean": float(np.mean([e["seconds"] for e in per_episode])),
        "fall_rate": float(np.mean([e["fell"] for e in per_episode])),
        "success_rate": float(np.mean([e["success"] for e in per_episode])),
    }  # fmt: skip
    for key in INFO_KEYS:
        summary[key] = float(np.mean([e.get(key, np.nan) for e in per_episode]))
    summary["per_episode"] = per_episode
    return summary


def run(args: argparse.Namespace) -> int:
    s = evaluate_run(args.run_dir, args.episodes, args.seconds, args.checkpoint, args.seed)
    if args.json:
        print(json.dumps(s, indent=2))
        return 0
    print(
        f"{s['character']} · {s['clip']} · {s['episodes']} deterministic episodes of up to {s['episode_seconds']:g} s · {s['checkpoint']}"
    )
    rows = [
        ("normalized return", f"{s['normalized_return']:.3f}"),
        ("episode length", f"{s['episode_seconds_mean']:.2f} s"),
        ("fall rate", f"{s['fall_rate']:.0%}"),
        ("joint rotation error", f"{s['joint_rot_err_rad']:.3f} rad"),
        ("end-effector error", f"{s['end_effector_err_m']:.3f} m"),
        ("body position error", f"{s['body_pos_err_m']:.3f} m"),
        ("success rate", f"{s['success_rate']:.0%}  (no fall, body error < 0.5 m)"),
    ]
    width = max(len(k) for k, _ in rows)
    for key, value in rows:
        print(f"  {key:<{width}}  {value}")
    return 0
