"""AWR hyperparameters as one frozen config. Defaults: the paper's Appendix C."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class AWRConfig:
    """Advantage-Weighted Regression (Peng et al. 2019), Algorithm 1 with experience replay.

    Each field's trailing comment is its help text on the command line.
    """

    actor_layers: tuple[int, ...] = (128, 64)  # policy MLP hidden sizes (ReLU, linear output)
    critic_layers: tuple[int, ...] = (128, 64)  # value MLP hidden sizes (ReLU, linear output)
    optimizer: str = "sgd"  # "sgd" (SGD with momentum, the paper) or "adam"
    actor_lr: float = 5e-5  # policy step size
    critic_lr: float = 1e-4  # value step size
    momentum: float = 0.9  # SGD momentum
    samples_per_iter: int = 2048  # new samples collected per iteration (~2000 in the paper)
    buffer_size: int = 50_000  # replay buffer: the most recent samples kept
    batch_size: int = 256  # minibatch size for both networks
    critic_steps: int = 200  # value gradient steps per iteration
    actor_steps: int = 1000  # policy gradient steps per iteration
    gamma: float = 0.99  # discount factor
    td_lambda: float = 0.95  # TD(lambda) for the return targets
    temperature: float = 1.0  # beta, applied to normalized advantages
    weight_clip: float = 20.0  # omega_max: weights are min(exp(A/beta), omega_max)
    clip_weights: bool = True  # False: the "no weight clipping" ablation (paper Fig. 9)
    normalize_advantages: bool = True  # Eq. 57: beta set by advantage normalization
    normalize_states: bool = True  # Eq. 58: running mean/std of states (ablation of Fig. 10 with scale_rewards)
    normalizer_samples: int = 300_000  # states used to estimate the state normalizer, then frozen
    scale_rewards: bool = True  # Eq. 59: rewards scaled by (1 - gamma)
    action_std: float = 0.4  # Gaussian exploration std, in normalized action units (the start of an anneal, if one is set)
    action_std_final: float = 0.0  # with action_std_anneal_samples > 0: the std the anneal ends at
    action_std_anneal_samples: int = 0  # > 0: the std falls linearly from action_std to action_std_final over this many samples
    curriculum_samples: int = 0  # > 0: the envs' curriculum level (set_curriculum) falls from 1 to 0 over this many samples
    curriculum_episode_steps: int = 0  # > 0: the curriculum level starts at 1, one step lower after rounds whose episodes last this long
    curriculum_step: float = 0.02  # how much lower the adaptive curriculum level goes after each such round (tests always run at 0)
    action_bound_weight: float = 10.0  # soft penalty keeping the mean inside a bounded action space
    init_output_scale: float = 0.01  # policy output layer initialized U(-s, s)
    rwr: bool = False  # reward-weighted regression: no value baseline (weights from returns)
    mirror: bool = False  # learn from the mirror image of every sample too (a task symmetry the environment supplies)
    test_episodes: int = 8  # deterministic episodes per evaluation
    test_every: int = 10  # iterations between evaluations
    seed: int = 0  # seed for networks, sampling and environments


@dataclass(frozen=True)
class Budget:
    """Stop after this many samples and/or seconds of training (None: no limit)."""

    samples: int | None = None
    seconds: float | None = None
