"""Learning benchmark: AWR (`imitate`) and PPO (stable-baselines3) on the same humanoid task.

Both train on the same ImitationEnv (clip, rates, reward, termination), the same
wall-time or sample budget and the same cores, one after the other; both are
evaluated the same way (deterministic episodes with random start times, success
= no fall and mean body-position error < 0.5 m). Each writes a run folder with
log.csv and curve.png.

  python -m bench.learn --clip walk.txt --budget 20min --seed 0 --algos awr ppo --out bench/runs/learn-walk
  python -m bench.learn --clip walk.txt --budget 2h -- --gamma 0.99   # after --: options for `imitate`; PPO gets AWR's env
"""

from __future__ import annotations

import argparse
import math
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

from awr_core.log import IterationLog, read_log
from characters.config import EnvConfig
from imitate.budget import parse_budget
from imitate.curves import plot_curve
from imitate.options import to_jsonable
from imitate.run_folder import read_config

EVAL_EPISODES = 8


def run_awr(clip: str, budget: str, seed: int, out: Path, extra: list[str]) -> Path:
    run = out / "awr"
    exe = Path(sys.executable).with_name("imitate")
    cmd = [str(exe), "--motion", clip, "--budget", budget, "--seed", str(seed), "--out", str(run), "--no-until-bar", *extra]
    print("+", " ".join(cmd), flush=True)
    subprocess.run(cmd, check=True)
    return run


def run_ppo(clip: str, budget: str, seed: int, out: Path, cfg: EnvConfig) -> Path:
    """stable-baselines3 PPO on the environment `cfg`, as a user would set it up: the DeepMimic network size and
    exploration, actions rescaled to [-1, 1]."""
    import gymnasium as gym
    import torch
    from stable_baselines3 import PPO
    from stable_baselines3.common.callbacks import BaseCallback
    from stable_baselines3.common.vec_env import SubprocVecEnv

    from awr_core.vector import default_num_envs
    from characters.env import ImitationEnv
    from imitate.evaluation import run_episodes, summarize
    from imitate.policy_source import Source
    from motions import resolve_clip

    run = out / "ppo"
    run.mkdir(parents=True, exist_ok=True)
    clip_path = str(resolve_clip(clip, "humanoid3d_"))
    limit = parse_budget(budget)
    n_envs = default_num_envs()

    def make():
        return gym.wrappers.RescaleAction(ImitationEnv("humanoid", clip, cfg), -1.0, 1.0)

    venv = SubprocVecEnv([make for _ in range(n_envs)], start_method="forkserver")
    model = PPO("MlpPolicy", venv, n_steps=4096 // n_envs, batch_size=256, n_epochs=5, gamma=0.95, gae_lambda=0.95, seed=seed,
                policy_kwargs={"net_arch": [1024, 512], "log_std_init": math.log(0.05)}, verbose=0)  # fmt: skip
    eval_env = make()
    log = IterationLog(run / "log.csv", ["train_normalized_return", "test_normalized_return", "test_fail_rate", "test_success_rate",
                                         "test_body_pos_err_m", "test_end_effector_err_m", "test_joint_rot_err_rad"])  # fmt: skip
    start = time.perf_counter()

    low, high = eval_env.action_space.low, eval_env.action_space.high
    source = Source("humanoid", clip_path, cfg, lambda obs, ref: low + (model.predict(obs, deterministic=True)[0] + 1.0) * (high - low) / 2,
                    "PPO")  # fmt: skip

    def evaluate() -> dict[str, float]:
        s = summarize(run_episodes(source, EVAL_EPISODES, seed=10_000))
        return {"test_normalized_return": s["normalized_return"], "test_episode_length": s["episode_seconds_mean"] * cfg.control_hz,
                "test_fail_rate": s["fall_rate"], "test_success_rate": s["success_rate"], "test_body_pos_err_m": s["body_pos_err_m"],
                "test_end_effector_err_m": s["end_effector_err_m"], "test_joint_rot_err_rad": s["joint_rot_err_rad"]}  # fmt: skip

    class Log(BaseCallback):
        def __init__(self) -> None:
            super().__init__()
            self.iteration = 0
            self.ep_returns: list[float] = []

        def _on_step(self) -> bool:
            for info in self.locals["infos"]:
                if "episode" in info:
                    self.ep_returns.append(info["episode"]["r"] / max(info["episode"]["l"], 1))
            elapsed = time.perf_counter() - start
            return limit.seconds is None or elapsed < limit.seconds

        def _on_rollout_end(self) -> None:
            self.iteration += 1
            row = {"iteration": self.iteration, "samples": self.num_timesteps, "wall_time_h": (time.perf_counter() - start) / 3600,
                   "train_normalized_return": float(np.mean(self.ep_returns)) if self.ep_returns else math.nan}  # fmt: skip
            self.ep_returns = []
            if self.iteration % 10 == 1:
                row.update(evaluate())
            log.write(row)
            plot_curve(run / "log.csv", run / "curve.png", f"PPO (stable-baselines3) · {clip}")

    from stable_baselines3.common.vec_env import VecMonitor

    model.set_env(VecMonitor(venv))
    torch.set_num_threads(n_envs)
    model.learn(total_timesteps=limit.samples or 10**12, callback=Log())
    final = {"iteration": 10**6, "samples": model.num_timesteps, "wall_time_h": (time.perf_counter() - start) / 3600, **evaluate()}
    log.write(final)
    plot_curve(run / "log.csv", run / "curve.png", f"PPO (stable-baselines3) · {clip}")
    venv.close()
    return run


def summary(name: str, run: Path) -> str:
    rows = read_log(run / "log.csv")
    tested = [r for r in rows if not math.isnan(r.get("test_normalized_return", math.nan))]
    last = tested[-1] if tested else rows[-1]
    best = max(tested, key=lambda r: r["test_normalized_return"]) if tested else last
    return (f"| {name} | {rows[-1]['samples']:,.0f} | {rows[-1]['wall_time_h'] * 60:.1f} | {last['test_normalized_return']:.3f} | "
            f"{last.get('test_episode_length', math.nan):.1f} | {last.get('test_fail_rate', math.nan):.0%} | "
            f"{last.get('test_success_rate', math.nan):.0%} | {last.get('test_body_pos_err_m', math.nan):.2f} | "
            f"{best['test_normalized_return']:.3f} |")  # fmt: skip


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--clip", default="walk.txt")
    ap.add_argument("--budget", default="20min", help="samples (5M) or wall time (2h), per algorithm")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--algos", nargs="+", default=["awr", "ppo"], choices=["awr", "ppo"])
    ap.add_argument("--out", type=Path, default=Path("bench/runs/learn"))
    ap.add_argument("extra", nargs="*", help="after --: more options for `imitate` (AWR)")
    args = ap.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    print(f"# {time.strftime('%Y-%m-%d %H:%M')} · {platform.machine()} · {os.cpu_count()} cores · {args.clip} · budget {args.budget} each")
    runs = {}
    env_config = EnvConfig()  # the task users train: PPO gets AWR's environment field for field
    if "awr" in args.algos:
        runs["AWR (imitate)"] = run_awr(args.clip, args.budget, args.seed, args.out, args.extra)
        env_config = read_config(runs["AWR (imitate)"]).env
    if "ppo" in args.algos:
        runs["PPO (stable-baselines3)"] = run_ppo(args.clip, args.budget, args.seed, args.out, env_config)
    print(f"environment for both: {to_jsonable(env_config)}")
    columns = "algorithm | samples | minutes | test normalized return | test episode steps | fall rate | success | body err (m)"
    print(f"\n| {columns} | best test return |")
    print("|---|---|---|---|---|---|---|---|---|")
    for name, run in runs.items():
        print(summary(name, run))


if __name__ == "__main__":
    main()
