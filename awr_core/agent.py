"""The AWR learner: networks, normalizers, replay buffer and the update of Algorithm 1."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import torch

from awr_core.buffer import FlatBuffer, Path, ReplayBuffer
from awr_core.config import AWRConfig
from awr_core.networks import CategoricalPolicy, GaussianPolicy, ValueNet, gaussian_log_prob
from awr_core.normalizer import Normalizer
from awr_core.numpy_policy import PolicyWeights
from awr_core.returns import td_lambda_returns
from awr_core.symmetry import Mirror
from awr_core.weights import advantage_weights


class ActionScaler:
    """Box actions <-> normalized units: center (high+low)/2, half-range (high-low)/2."""

    def __init__(self, low: np.ndarray, high: np.ndarray) -> None:
        low, high = np.asarray(low, dtype=np.float64), np.asarray(high, dtype=np.float64)
        bounded = np.isfinite(low) & np.isfinite(high)
        self.center = np.where(bounded, 0.5 * (high + low), 0.0)
        self.half = np.where(bounded, 0.5 * (high - low), 1.0)
        self.bounded = bounded

    def to_env(self, a: np.ndarray) -> np.ndarray:
        return a * self.half + self.center

    def to_net(self, a: np.ndarray) -> np.ndarray:
        return (a - self.center) / self.half


def bound_penalty(mean: torch.Tensor, bounded: torch.Tensor) -> torch.Tensor:
    """0.5 * mean over the batch of the summed squared violations of |mean| <= 1 (normalized units)."""
    violation = torch.clamp(mean - 1.0, min=0.0) + torch.clamp(-1.0 - mean, min=0.0)
    return 0.5 * ((violation * bounded) ** 2).sum(-1).mean()


class AWRAgent:
    def __init__(self, observation_space: Any, action_space: Any, config: AWRConfig, mirror: Mirror | None = None) -> None:
        """mirror: the task's symmetry; with `config.mirror`, every sample's mirror image is learned from too (none given: none)."""
        self.config = config
        self.mirror = mirror
        torch.manual_seed(config.seed)
        self.rng = np.random.default_rng(config.seed)
        self.torch_rng = torch.Generator().manual_seed(config.seed + 1)
        obs_size = int(np.prod(observation_space.shape))
        self.discrete = hasattr(action_space, "n")
        if self.discrete:
            self.policy: torch.nn.Module = CategoricalPolicy(obs_size, int(action_space.n), config.actor_layers, config.init_output_scale)
            self.scaler = None
        else:
            act_size = int(np.prod(action_space.shape))
            self.policy = GaussianPolicy(obs_size, act_size, config.actor_layers, config.action_std, config.init_output_scale)
            self.scaler = ActionScaler(action_space.low, action_space.high)
            self._bounded = torch.as_tensor(self.scaler.bounded, dtype=torch.float32)
        self.value = ValueNet(obs_size, config.critic_layers)
        self.obs_norm = Normalizer(obs_size, config.normalizer_samples, enabled=config.normalize_states)
        self.buffer = ReplayBuffer(config.buffer_size)
        self.actor_opt = self._optimizer(self.policy, config.actor_lr)
        self.critic_opt = self._optimizer(self.value, config.critic_lr)
        self.iteration = 0

    def _optimizer(self, net: torch.nn.Module, lr: float) -> torch.optim.Optimizer:
        if self.config.optimizer == "sgd":
            return torch.optim.SGD(net.parameters(), lr=lr, momentum=self.config.momentum)
        if self.config.optimizer == "adam":  # fused: one kernel for all parameters, 1.2x faster steps on this CPU
            return torch.optim.Adam(net.parameters(), lr=lr, fused=True)
        raise ValueError(f"optimizer must be 'sgd' or 'adam', got {self.config.optimizer!r}")

    @property
    def action_std(self) -> float:
        """The exploration std now, in normalized action units (0 for a discrete policy)."""
        return 0.0 if self.discrete else float(self.policy.log_std[0].exp())

    @torch.no_grad()
    def set_action_std(self, std: float) -> None:
        """Explore with this std from now on (the log-likelihood of the actor loss uses it too)."""
        if not self.discrete:
            self.policy.log_std.fill_(math.log(std))

    # ------------------------------------------------------------- acting
    @torch.no_grad()
    def act(self, obs: np.ndarray, deterministic: bool = False) -> np.ndarray:
        """Environment actions for a batch of raw observations [B,O]."""
        x = torch.as_tensor(self.obs_norm.normalize(obs))
        if self.discrete:
            logits = self.policy(x)
            out = logits.argmax(-1) if deterministic else self.policy.sample(x, self.torch_rng)
            return out.numpy()
        a = self.policy(x) if deterministic else self.policy.sample(x, self.torch_rng)
        return self.scaler.to_env(a.numpy().astype(np.float64)).astype(np.float32)

    def policy_weights(self) -> PolicyWeights:
        """A numpy snapshot of the policy for rollout workers (and export)."""
        linears = [m for m in self.policy.net if isinstance(m, torch.nn.Linear)]
        n = self.obs_norm
        return PolicyWeights(
            weights=tuple(np.ascontiguousarray(m.weight.detach().numpy().T) for m in linears),
            biases=tuple(m.bias.detach().numpy().copy() for m in linears),
            obs_mean=n.mean.astype(np.float32),
            obs_std=n.std.astype(np.float32),
            obs_clip=n.clip,
            normalize_obs=n.enabled,
            discrete=self.discrete,
            action_center=np.zeros(1, np.float32) if self.discrete else self.scaler.center.astype(np.float32),
            action_half=np.ones(1, np.float32) if self.discrete else self.scaler.half.astype(np.float32),
            action_std=self.action_std,
            version=self.iteration,
        )

    # ------------------------------------------------------------- learning
    def _mirror(self) -> Mirror | None:
        if not self.config.mirror:
            return None
        return self.mirror  # None: the task has no symmetry to learn from

    def remember(self, path: Path) -> None:
        """Store a new path and fold its states (and their mirror images, when learning from them) into the normalizer."""
        self.buffer.add(path)
        mirror = self._mirror()
        self.obs_norm.update(path.obs if mirror is None else np.concatenate([path.obs, mirror.observation(path.obs)]))

    def _values(self, obs_n: torch.Tensor, chunk: int = 8192) -> np.ndarray:
        """V of normalized observations [N,O] -> [N] float64."""
        with torch.no_grad():
            out = [self.value(obs_n[i : i + chunk]) for i in range(0, len(obs_n), chunk)]
        return torch.cat(out).numpy().astype(np.float64)

    def _returns(self, flat: FlatBuffer, values: np.ndarray) -> np.ndarray:
        """TD(lambda) targets for every buffered sample; values [N] = V(obs) with the current critic."""
        cfg = self.config
        scale = (1.0 - cfg.gamma) if cfg.scale_rewards else 1.0
        final_values = self._values(torch.as_tensor(self.obs_norm.normalize(flat.final_obs)))
        out = np.empty(len(flat.rewards))
        for p, (s, e) in enumerate(zip(flat.starts, flat.ends, strict=True)):
            next_values = np.append(values[s + 1 : e], final_values[p])
            out[s:e] = td_lambda_returns(flat.rewards[s:e] * scale, next_values, bool(flat.terminal[p]), cfg.gamma, cfg.td_lambda)
        return out

    def _steps(self, base: int, new_samples: int) -> int:
        """Gradient steps scale with the new data: ceil(base * new / samples_per_iter)."""
        return max(1, math.ceil(base * new_samples / self.config.samples_per_iter))

    def update(self, new_samples: int) -> dict[str, float]:
        """One AWR update on the replay buffer: fit V to TD(lambda) targets, then the policy."""
        cfg = self.config
        flat = self.buffer.flat()
        obs_n = torch.as_tensor(self.obs_norm.normalize(flat.obs))
        n = len(flat.rewards)
        targets = torch.as_tensor(self._returns(flat, self._values(obs_n)), dtype=torch.float32)
        # the states learned from: the buffer's, then (with a mirror) their mirror images; sample i's image is
        # n + i and shares its return target and advantage weight
        mirror = self._mirror()
        states = obs_n if mirror is None else torch.cat([obs_n, torch.as_tensor(self.obs_norm.normalize(mirror.observation(flat.obs)))])
        pool = len(states)
        critic_losses = []
        for _ in range(self._steps(cfg.critic_steps, new_samples)):
            idx = torch.as_tensor(self.rng.integers(0, pool, cfg.batch_size))
            loss = 0.5 * ((targets[idx % n] - self.value(states[idx])) ** 2).mean()
            self.critic_opt.zero_grad()
            loss.backward()
            self.critic_opt.step()
            critic_losses.append(loss.item())
        # advantages with the refitted value function (official order: targets before, advantages after)
        values = self._values(obs_n)
        returns = self._returns(flat, values)
        baseline = 0.0 if cfg.rwr else values
        weights, stats = advantage_weights(returns - baseline, cfg.temperature, cfg.weight_clip if cfg.clip_weights else None,
                                           cfg.normalize_advantages)  # fmt: skip
        w = torch.as_tensor(weights, dtype=torch.float32)
        env_actions = flat.actions if mirror is None else np.concatenate([flat.actions, mirror.action(flat.actions)])
        if self.discrete:
            actions = torch.as_tensor(env_actions.reshape(-1))
        else:
            actions = torch.as_tensor(self.scaler.to_net(env_actions), dtype=torch.float32)
        actor_losses = []
        for _ in range(self._steps(cfg.actor_steps, new_samples)):
            idx = torch.as_tensor(self.rng.integers(0, pool, cfg.batch_size))
            if self.discrete:
                loss = -(w[idx % n] * self.policy.log_prob(states[idx], actions[idx])).mean()
            else:  # one forward pass feeds both the likelihood and the bound penalty
                mean = self.policy(states[idx])
                loss = -(w[idx % n] * gaussian_log_prob(mean, self.policy.log_std, actions[idx])).mean()
                if cfg.action_bound_weight > 0:
                    loss = loss + cfg.action_bound_weight * bound_penalty(mean, self._bounded)
            self.actor_opt.zero_grad()
            loss.backward()
            self.actor_opt.step()
            actor_losses.append(loss.item())
        self.iteration += 1
        return {
            "critic_loss": float(np.mean(critic_losses)),
            "actor_loss": float(np.mean(actor_losses)),
            "critic_steps": len(critic_losses),
            "actor_steps": len(actor_losses),
            "adv_mean": stats.adv_mean,
            "adv_std": stats.adv_std,
            "weight_min": stats.weight_min,
            "weight_mean": stats.weight_mean,
            "weight_max": stats.weight_max,
            "clip_fraction": stats.clip_fraction,
        }

    # ------------------------------------------------------------- state
    def state_dict(self, include_buffer: bool = True) -> dict:
        return {
            "config": {k: list(v) if isinstance(v, tuple) else v for k, v in self.config.__dict__.items()},
            "policy": self.policy.state_dict(),
            "value": self.value.state_dict(),
            "actor_opt": self.actor_opt.state_dict(),
            "critic_opt": self.critic_opt.state_dict(),
            "obs_norm": {k: (torch.as_tensor(v) if isinstance(v, np.ndarray) else v) for k, v in self.obs_norm.state_dict().items()},
            "buffer": _to_torch(self.buffer.state_dict()) if include_buffer else None,
            "iteration": self.iteration,
            "rng": _to_torch(self.rng.bit_generator.state),
            "torch_rng": self.torch_rng.get_state(),
        }

    def load_state_dict(self, d: dict) -> None:
        self.policy.load_state_dict(d["policy"])
        self.value.load_state_dict(d["value"])
        for opt, key in ((self.actor_opt, "actor_opt"), (self.critic_opt, "critic_opt")):
            fused = [g.get("fused") for g in opt.param_groups]
            opt.load_state_dict(d[key])
            for g, f in zip(opt.param_groups, fused, strict=True):  # a checkpoint from before fused Adam keeps it off
                g["fused"] = f
        self.obs_norm.load_state_dict({k: (v.numpy() if torch.is_tensor(v) else v) for k, v in d["obs_norm"].items()})
        if d.get("buffer") is not None:
            self.buffer.load_state_dict(_to_numpy(d["buffer"]))
        self.iteration = int(d["iteration"])
        self.rng.bit_generator.state = _to_numpy(d["rng"])
        self.torch_rng.set_state(d["torch_rng"])


def _to_torch(obj: Any) -> Any:
    """numpy arrays -> tensors, recursively (so a checkpoint loads with weights_only=True)."""
    if isinstance(obj, np.ndarray):
        return torch.as_tensor(obj)
    if isinstance(obj, dict):
        return {k: _to_torch(v) for k, v in obj.items()}
    if isinstance(obj, np.generic):
        return obj.item()
    return obj


def _to_numpy(obj: Any) -> Any:
    if torch.is_tensor(obj):
        return obj.numpy()
    if isinstance(obj, dict):
        return {k: _to_numpy(v) for k, v in obj.items()}
    return obj
