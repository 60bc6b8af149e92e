"""stable-baselines3 PPO on an AWR run's imitation task, with DeepMimic's PPO settings as far as SB3 allows.

DeepMimic's humanoid PPO (data/agents/ct_agent_humanoid_ppo.txt): policy and value networks 1024-512 (ReLU),
4096 samples per iteration in minibatches of 256, one epoch, ratio clip 0.2, gamma 0.95, lambda 0.95, a fixed
exploration std of 0.05 on actions scaled to [-1, 1], observations normalized. SB3 cannot give the actor and
the critic their own optimizer (DeepMimic: SGD with momentum, 2e-6 for the actor, 5e-4 for the critic): both
use SB3's Adam at its default 3e-4. Not in SB3: advantage clipping at 4 and DeepMimic's exploration rate (the
share of noisy actions, 1 falling to 0.2 over 64M samples: every action here is noisy).

The run folder gets log.csv (the columns `imitate` writes, so the two curves read alike), curve.png, and
model.zip + obs_norm.pkl, saved every SAVE_EVERY iterations: a stopped run continues from its last save
(weights, optimizer, normalizer; the episodes under way and the samples since the save are redone).

  python -m bench.ppo_imitation RUN_AWR OUT --budget 1h --seed 0 --threads 1
"""

from __future__ import annotations

import argparse
import json
import math
import time
from pathlib import Path

import numpy as np

from awr_core.log import IterationLog, read_log
from imitate.budget import parse_budget
from imitate.curves import plot_curve
from imitate.run_folder import read_config

SAMPLES_PER_ITER = 4096
TEST_EVERY = 10  # iterations between 8-episode tests, as the curve's test points
TEST_EPISODES = 8
SAVE_EVERY = 10
DONE = "ppo_done.json"
SAVED = "saved.json"  # the iteration model.zip holds
COLUMNS = ["train_normalized_return", "test_normalized_return", "test_episode_length", "test_fail_rate", "test_success_rate",
           "test_body_pos_err_m", "test_end_effector_err_m", "test_joint_rot_err_rad"]  # fmt: skip


def train(awr_run: Path, out: Path, budget: str, seed: int, threads: int) -> None:
    """PPO on `awr_run`'s environment (config.json: clip, character, observation, actions, rewards, termination,
    episode length) for `budget` (wall time or samples, counted over every sitting)."""
    import gymnasium as gym
    import torch
    from stable_baselines3 import PPO
    from stable_baselines3.common.callbacks import BaseCallback
    from stable_baselines3.common.vec_env import SubprocVecEnv, VecMonitor, VecNormalize

    from characters.env import ImitationEnv
    from imitate.evaluation import run_episodes, summarize

    config = read_config(awr_run)
    cfg, character, clip_path = config.env, config.character, config.clip_path
    out.mkdir(parents=True, exist_ok=True)
    (out / "env.json").write_text(json.dumps({"awr_run": str(awr_run), "character": character, "clip": config.clip_name}) + "\n")
    limit = parse_budget(budget)
    n_envs = 2

    def make():
        return gym.wrappers.RescaleAction(ImitationEnv(character, clip_path, cfg), -1.0, 1.0)

    torch.set_num_threads(threads)
    venv = VecMonitor(SubprocVecEnv([make for _ in range(n_envs)], start_method="forkserver"))
    saved = json.loads((out / SAVED).read_text())["iteration"] if (out / SAVED).exists() else 0
    if saved:  # the rows past the last save are learned again
        IterationLog(out / "log.csv", COLUMNS, tensorboard=False).truncate_after(saved)
    rows = read_log(out / "log.csv") if saved else []
    if rows:
        venv = VecNormalize.load(str(out / "obs_norm.pkl"), venv)
        model = PPO.load(out / "model.zip", env=venv, device="cpu")
        print(f"PPO continues from its last save: {rows[-1]['samples']:,.0f} samples, {rows[-1]['wall_time_h']:.2f} h")
    else:
        venv = VecNormalize(venv, norm_obs=True, norm_reward=False, clip_obs=1e6)
        model = PPO("MlpPolicy", venv, n_steps=SAMPLES_PER_ITER // n_envs, batch_size=256, n_epochs=1, gamma=0.95, gae_lambda=0.95,
                    clip_range=0.2, seed=seed, device="cpu",
                    policy_kwargs={"net_arch": {"pi": [1024, 512], "vf": [1024, 512]}, "activation_fn": torch.nn.ReLU,
                                   "log_std_init": math.log(0.05)})  # fmt: skip
        (out / "log.csv").unlink(missing_ok=True)
    model.policy.log_std.requires_grad_(False)  # DeepMimic's exploration std is fixed
    log = IterationLog(out / "log.csv", COLUMNS)
    offset_h = rows[-1]["wall_time_h"] if rows else 0.0
    iteration = int(rows[-1]["iteration"]) if rows else 0
    start = time.perf_counter()
    source = ppo_source(model, venv, config)

    def hours() -> float:
        return offset_h + (time.perf_counter() - start) / 3600

    def test() -> dict[str, float]:
        s = summarize(run_episodes(source, TEST_EPISODES, seed=10_000 + iteration))
        return {"test_normalized_return": s["normalized_return"], "test_episode_length": s["episode_seconds_mean"] * cfg.control_hz,
                "test_fail_rate": s["fall_rate"], "test_success_rate": s["success_rate"], "test_body_pos_err_m": s["body_pos_err_m"],
                "test_end_effector_err_m": s["end_effector_err_m"], "test_joint_rot_err_rad": s["joint_rot_err_rad"]}  # fmt: skip

    def save() -> None:
        model.save(out / "model.zip")
        venv.save(str(out / "obs_norm.pkl"))
        (out / SAVED).write_text(json.dumps({"iteration": iteration, "samples": model.num_timesteps}) + "\n")

    class Log(BaseCallback):
        def __init__(self) -> None:
            super().__init__()
            self.returns: list[float] = []

        def _on_step(self) -> bool:
            for info in self.locals["infos"]:
                if "episode" in info:
                    self.returns.append(info["episode"]["r"] / max(info["episode"]["l"], 1))
            return limit.seconds is None or hours() * 3600 < limit.seconds

        def _on_rollout_end(self) -> None:
            nonlocal iteration
            iteration += 1

        def _on_rollout_start(self) -> None:  # after the update: log the iteration just learned from
            if iteration == 0 or (rows and iteration == int(rows[-1]["iteration"])):
                return
            row = {"iteration": iteration, "samples": model.num_timesteps, "wall_time_h": hours(),
                   "train_normalized_return": float(np.mean(self.returns)) if self.returns else math.nan}  # fmt: skip
            self.returns = []
            if iteration % TEST_EVERY == 0:
                row.update(test())
            log.write(row)
            if iteration % SAVE_EVERY == 0:  # after the row: the log holds every iteration the save holds
                save()
                plot_curve(out / "log.csv", out / "curve.png", f"PPO (stable-baselines3) · {config.clip_name}")

    left = None if limit.samples is None else max(0, limit.samples - model.num_timesteps)
    model.learn(total_timesteps=left if left is not None else 10**12, callback=Log(), reset_num_timesteps=False)
    iteration += 1  # the final test, a row of its own
    log.write({"iteration": iteration, "samples": model.num_timesteps, "wall_time_h": hours(), **test()})
    save()
    plot_curve(out / "log.csv", out / "curve.png", f"PPO (stable-baselines3) · {config.clip_name}")
    venv.close()
    (out / DONE).write_text(json.dumps({"finished": time.strftime("%Y-%m-%d %H:%M")}) + "\n")


def ppo_source(model, norm, config):
    """A PPO policy as `imitate.evaluation` scores it (a Source on the AWR run's environment): observations
    normalized by `norm` (a VecNormalize), actions mapped from [-1, 1] back to the environment's bounds."""
    from characters.env import ImitationEnv
    from imitate.policy_source import Source

    env = ImitationEnv(config.character, config.clip_path, config.env)
    low, high = env.action_space.low, env.action_space.high
    env.close()

    def act(obs: np.ndarray, ref: np.ndarray) -> np.ndarray:
        return low + (model.predict(norm.normalize_obs(obs), deterministic=True)[0] + 1.0) * (high - low) / 2

    return Source(config.character, config.clip_path, config.env, act, "PPO")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("awr_run", type=Path, help="the AWR run folder whose environment PPO trains on (its config.json)")
    ap.add_argument("out", type=Path)
    ap.add_argument("--budget", default="1h", help="wall time (1h) or samples (2M), over every sitting")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--threads", type=int, default=1, help="torch threads for the update")
    args = ap.parse_args()
    train(args.awr_run, args.out, args.budget, args.seed, args.threads)


if __name__ == "__main__":
    main()
