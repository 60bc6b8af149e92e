"""Gradient steps per second of the AWR learner (batch 256) for the network sizes in use.

Also times one pass of the value function over a full 50k replay buffer (done three
times per iteration: targets, then values for the advantages, plus the final states),
and one whole `AWRAgent.update` on that buffer with imitate's default step counts
(1,000 actor + 200 critic steps per 4,096 new samples): the learner's share of an iteration.

`--fused-vs-plain` instead times whole updates of two learners side by side, alternated in one process:
Adam fused (imitate's) and plain (one op per parameter tensor).

  python -m bench.learner_speed [--threads 2] [--steps 100] [--updates 3] [--fused-vs-plain]
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import time
from dataclasses import replace

import gymnasium as gym
import numpy as np
import torch

from awr_core.agent import AWRAgent
from awr_core.buffer import Path
from awr_core.config import AWRConfig


def gradient_steps(agent: AWRAgent, obs: torch.Tensor, actions: torch.Tensor, rng: np.random.Generator):
    """One actor step (weighted log-likelihood) and one critic step (squared error), each on a minibatch of 256."""
    weights = torch.ones(len(obs))

    def actor_step() -> None:
        idx = torch.as_tensor(rng.integers(0, len(obs), 256))
        loss = -(weights[idx] * agent.policy.log_prob(obs[idx], actions[idx])).mean()
        agent.actor_opt.zero_grad()
        loss.backward()
        agent.actor_opt.step()

    def critic_step() -> None:
        idx = torch.as_tensor(rng.integers(0, len(obs), 256))
        loss = 0.5 * ((agent.value(obs[idx]) - 1.0) ** 2).mean()
        agent.critic_opt.zero_grad()
        loss.backward()
        agent.critic_opt.step()

    return actor_step, critic_step


class Reversal:
    """A stand-in for the humanoid's mirror (`AWRConfig.mirror`, on by default): the same work per update,
    one permuted, sign-flipped copy of the buffer's observations and actions."""

    def observation(self, obs: np.ndarray) -> np.ndarray:
        return -obs[..., ::-1]

    def action(self, action: np.ndarray) -> np.ndarray:
        return -action[..., ::-1]


def filled_agent(layers: tuple[int, ...], rng: np.random.Generator) -> AWRAgent:
    """An agent with imitate's defaults and a full 50k buffer of random episodes (20-80 steps, as on walk)."""
    obs_space = gym.spaces.Box(-np.inf, np.inf, (197,), np.float32)
    act_space = gym.spaces.Box(-1.0, 1.0, (36,), np.float32)
    agent = AWRAgent(obs_space, act_space, replace(AWRConfig(), actor_layers=layers, critic_layers=layers), Reversal())
    for _ in range(agent.config.buffer_size // 40):  # ~60k samples: the 50k buffer ends full
        n = int(rng.integers(20, 80))
        agent.buffer.add(Path(rng.normal(size=(n, 197)).astype(np.float32), rng.normal(size=(n, 36)), rng.random(n),
                              rng.normal(size=197).astype(np.float32), bool(rng.random() < 0.9)))  # fmt: skip
    return agent


def fused_vs_plain(args: argparse.Namespace) -> None:
    rng = np.random.default_rng(0)
    layers = tuple(int(x) for x in args.sizes.split(";")[0].split(","))
    agents = {"fused": filled_agent(layers, rng), "plain": filled_agent(layers, rng)}
    for opt in (agents["plain"].actor_opt, agents["plain"].critic_opt):
        for group in opt.param_groups:
            group["fused"] = None
    times: dict[str, list[float]] = {name: [] for name in agents}
    for agent in agents.values():
        agent.update(agent.config.samples_per_iter)  # warm-up
    for _ in range(args.updates):
        for name, agent in agents.items():
            start = time.perf_counter()
            agent.update(agent.config.samples_per_iter)
            times[name].append(time.perf_counter() - start)
    print(f"# {time.strftime('%Y-%m-%d %H:%M')} · {os.cpu_count()} cores · torch {torch.__version__} · {args.threads} threads · "
          f"network {'-'.join(map(str, layers))} · whole AWRAgent.update on a full buffer, alternated")  # fmt: skip
    for name, values in times.items():
        print(f"{name}: median {statistics.median(values):.2f} s ({', '.join(f'{v:.2f}' for v in values)})")
    print(f"plain / fused: {statistics.median(times['plain']) / statistics.median(times['fused']):.2f}x")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--threads", type=int, default=os.cpu_count())
    ap.add_argument("--steps", type=int, default=100)
    ap.add_argument("--sizes", default="1024,512;512,256;256,128;128,64")
    ap.add_argument("--updates", type=int, default=3, help="whole updates timed per size (median reported)")
    ap.add_argument("--fused-vs-plain", action="store_true", help="whole updates with fused vs plain Adam, alternated")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    if args.fused_vs_plain:
        fused_vs_plain(args)
        return
    obs_space = gym.spaces.Box(-np.inf, np.inf, (197,), np.float32)
    act_space = gym.spaces.Box(-1.0, 1.0, (36,), np.float32)
    head = f"# {time.strftime('%Y-%m-%d %H:%M')} · {platform.machine()} · {os.cpu_count()} cores"
    print(f"{head} · torch {torch.__version__} · {args.threads} threads")
    print("| network (actor = critic) | actor steps/s | critic steps/s | value pass over 50k states (s) | whole update (s) |")
    print("|---|---|---|---|---|")
    rng = np.random.default_rng(0)
    for text in args.sizes.split(";"):
        layers = tuple(int(x) for x in text.split(","))
        agent = AWRAgent(obs_space, act_space, replace(AWRConfig(), actor_layers=layers, critic_layers=layers), Reversal())
        for _ in range(50):
            agent.buffer.add(Path(rng.normal(size=(1000, 197)).astype(np.float32), rng.normal(size=(1000, 36)), rng.random(1000),
                                  rng.normal(size=197).astype(np.float32), False))  # fmt: skip
        flat = agent.buffer.flat()
        start = time.perf_counter()
        agent._values(torch.as_tensor(agent.obs_norm.normalize(flat.obs)))
        value_pass = time.perf_counter() - start
        obs = torch.as_tensor(agent.obs_norm.normalize(flat.obs))
        actions = torch.as_tensor(flat.actions, dtype=torch.float32)

        actor_step, critic_step = gradient_steps(agent, obs, actions, rng)
        rates = []
        for step in (actor_step, critic_step):
            step()
            start = time.perf_counter()
            for _ in range(args.steps):
                step()
            rates.append(args.steps / (time.perf_counter() - start))
        updates = []
        for _ in range(args.updates):
            start = time.perf_counter()
            agent.update(agent.config.samples_per_iter)
            updates.append(time.perf_counter() - start)
        whole = statistics.median(updates) if updates else float("nan")
        print(f"| {'-'.join(map(str, layers))} | {rates[0]:.0f} | {rates[1]:.0f} | {value_pass:.2f} | {whole:.2f} |")


if __name__ == "__main__":
    main()
