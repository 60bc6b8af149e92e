"""AWR hyperparameters as one frozen config.

`AWRConfig()` is what `imitate` trains with (measured in bench/RESULTS.md, "Learning walk and run with the defaults");
`AWR_PAPER` is the paper's Appendix C setting for its Gym tasks.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class AWRConfig:
    """Advantage-Weighted Regression (Peng et al. 2019), Algorithm 1 with experience replay.

    Each field's trailing comment is its help text on the command line.
    """

    actor_layers: tuple[int, ...] = (256, 128)  # policy MLP hidden sizes (ReLU, linear output); the author's 1024,512 is 7x slower
    critic_layers: tuple[int, ...] = (256, 128)  # value MLP hidden sizes (ReLU, linear output)
    optimizer: str = "adam"  # "adam" or "sgd" (SGD with momentum, the paper)
    actor_lr: float = 1e-4  # policy step size
    critic_lr: float = 3e-4  # value step size
    momentum: float = 0.9  # SGD momentum
    samples_per_iter: int = 4096  # new samples collected per iteration (~2000 in the paper)
    buffer_size: int = 50_000  # replay buffer: the most recent samples kept
    batch_size: int = 256  # minibatch size for both networks
    critic_steps: int = 200  # value gradient steps per iteration
    actor_steps: int = 1000  # policy gradient steps per iteration
    gamma: float = 0.95  # discount factor
    td_lambda: float = 0.95  # TD(lambda) for the return targets
    temperature: float = 1.0  # beta, applied to normalized advantages
    weight_clip: float = 50.0  # omega_max: weights are min(exp(A/beta), omega_max)
    clip_weights: bool = True  # False: the "no weight clipping" ablation (paper Fig. 9)
    normalize_advantages: bool = True  # Eq. 57: beta set by advantage normalization
    normalize_states: bool = True  # Eq. 58: running mean/std of states (ablation of Fig. 10 with scale_rewards)
    normalizer_samples: int = 1_000_000  # states used to estimate the state normalizer, then frozen
    scale_rewards: bool = True  # Eq. 59: rewards scaled by (1 - gamma)
    action_std: float = 0.2  # Gaussian exploration std, in normalized action units (the start of an anneal, if one is set)
    action_std_final: float = 0.05  # with action_std_anneal_samples > 0: the std the anneal ends at
    action_std_anneal_samples: int = 2_000_000  # > 0: the std falls linearly from action_std to action_std_final over this many samples
    action_bound_weight: float = 10.0  # soft penalty keeping the mean inside a bounded action space
    init_output_scale: float = 0.01  # policy output layer initialized U(-s, s)
    rwr: bool = False  # reward-weighted regression: no value baseline (weights from returns)
    mirror: bool = True  # learn from the mirror image of every sample too, where the task supplies its symmetry
    test_episodes: int = 8  # deterministic episodes per evaluation
    test_every: int = 10  # iterations between evaluations
    seed: int = 0  # seed for networks, sampling and environments


AWR_PAPER = AWRConfig(
    actor_layers=(128, 64), critic_layers=(128, 64), optimizer="sgd", actor_lr=5e-5, critic_lr=1e-4, samples_per_iter=2048,
    gamma=0.99, weight_clip=20.0, normalizer_samples=300_000, action_std=0.4, action_std_final=0.0, action_std_anneal_samples=0,
    mirror=False,
)  # the AWR paper's Appendix C (its Gym tasks); bench/awr_gym.py adds the official per-task step sizes


@dataclass(frozen=True)
class Budget:
    """Stop after this many samples and/or seconds of training (None: no limit)."""

    samples: int | None = None
    seconds: float | None = None
