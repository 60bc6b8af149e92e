"""`imitate train` (implied by `imitate --motion CLIP`): train a character to imitate a clip."""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from awr_core.config import AWRConfig, Budget
from characters.config import EnvConfig, RewardConfig
from characters.pushes import PushConfig
from characters.registry import get_character
from characters.steering import SteeringConfig
from imitate.budget import describe, parse_budget
from imitate.curves import plot_curve
from imitate.defaults import (
    BAR_CONFIRM_EPISODES,
    BAR_NORMALIZED_RETURN,
    BAR_SUCCESS_RATE,
    DEFAULT_BUDGET,
    DEFAULT_ENVS_PER_WORKER,
    EVAL_SEED,
    STEER_BAR_SECONDS,
    STEER_RETEST_SAMPLES,
)
from imitate.errors import EXIT_INTERRUPTED, UserError
from imitate.imitation import BACKENDS, default_asynchronous, default_envs
from imitate.motion_input import is_bvh, resolve_motion
from imitate.options import add_config_options, config_from_args
from imitate.run_folder import (
    STOP_RULE_FILE,
    RunConfig,
    new_run_dir,
    read_config,
    read_steering_wait,
    write_config,
    write_steering_wait,
)
from motions import load_clip


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "train",
        help="train a character to imitate a clip (the default command)",
        description="Train a physics-based character to imitate a motion clip with AWR. "
        "Writes a run folder (config.json, checkpoints/, log.csv, curve.png) that eval, play, render and export read.",
    )
    p.add_argument("--motion", nargs="+", help="clip: a file path or a shipped name such as run.txt (see `imitate motions`), "
                   "or a BVH file, converted for the character (`imitate convert`); with --steer, a slow and a fast gait "
                   "(walk.txt run.txt): the controller also follows a commanded speed between their paces")
    p.add_argument("--map", default=None, help="with a BVH file: JSON mapping roles to its joint names, for a skeleton not recognised")
    p.add_argument("--character", default="humanoid", help="character to train (default: humanoid)")
    p.add_argument("--steer", action="store_true",
                   help="train a steerable controller: it follows a commanded heading that changes at random times, its clip "
                   "turned to match (characters.steering), and is hit at random times to learn to recover (characters.pushes); "
                   "the clip must loop and travel")  # fmt: skip
    p.add_argument("--budget", default=None, help=f"samples (5M, 200k) or wall time (2h, 30min); default {DEFAULT_BUDGET} as a cap")
    p.add_argument("--until-bar", action=argparse.BooleanOptionalAction, default=True,
                   help=f"stop as soon as a test reaches normalized return >= --bar-return and success >= "
                   f"{BAR_SUCCESS_RATE * 100:.0f}%% and a test of {BAR_CONFIRM_EPISODES} episodes confirms it (default: on)")  # fmt: skip
    p.add_argument("--bar-return", type=float, default=BAR_NORMALIZED_RETURN, metavar="R",
                   help=f"the bar's normalized return, 0 to 1 (default {BAR_NORMALIZED_RETURN}; bench/library.py stops the "
                   "acrobatic and get-up clips at 0.7)")  # fmt: skip
    p.add_argument("--out", type=Path, default=None, help="run folder (default: runs/<character>-<clip>-<time>)")
    p.add_argument("--resume", type=Path, metavar="RUN_DIR", help="continue a run from its latest checkpoint")
    p.add_argument("--envs", type=int, default=None,
                   help=f"environment worker processes (default: half the cores with --async, here "
                   f"{default_envs('local', True)}; one per core without, here {default_envs('local', False)})")  # fmt: skip
    p.add_argument("--envs-per-worker", type=int, default=None, metavar="K",
                   help=f"environments each worker steps as one batch (numpy work shared, physics per environment; "
                   f"default {DEFAULT_ENVS_PER_WORKER})")  # fmt: skip
    p.add_argument("--backend", choices=BACKENDS, default="local",
                   help="where rollouts run: local worker processes, or Ray actors (pip install '.[cluster]') (default: local)")
    p.add_argument("--ray-address", default=None, metavar="ADDR",
                   help="Ray cluster to join, e.g. auto after `ray start --head` (default: start Ray on this machine)")
    p.add_argument("--async", dest="asynchronous", action=argparse.BooleanOptionalAction, default=None,
                   help="sample the next round while the learner updates (samples lag the learner by one policy version; "
                   "default: on with local workers, off with Ray)")  # fmt: skip
    add_config_options(p, EnvConfig, EnvConfig())
    add_config_options(p, RewardConfig, RewardConfig(), prefix="reward_")
    add_config_options(p, AWRConfig, AWRConfig())
    p.set_defaults(func=run)


def _new_run(args: argparse.Namespace) -> tuple[Path, RunConfig]:
    if not args.motion:
        raise UserError("--motion is required (a clip file or a shipped name such as run.txt; see `imitate motions`)")
    if len(args.motion) > 2 or (len(args.motion) == 2 and not args.steer):
        raise UserError("--motion takes one clip, or two gaits (slow, fast) with --steer: a controller that also follows a speed")
    spec = get_character(args.character)
    clip_path = resolve_motion(args.motion[0], spec, args.map)
    load_clip(clip_path, spec.joint_dofs, spec.name, spec.clip_convention)  # refuse a bad clip before anything starts
    speed_clips = tuple(str(resolve_motion(m, spec, args.map).resolve()) for m in args.motion[1:])
    for path in speed_clips:
        load_clip(Path(path), spec.joint_dofs, spec.name, spec.clip_convention)
    reward = config_from_args(RewardConfig, RewardConfig(), args, prefix="reward_")
    try:
        steer = {"steering": SteeringConfig(speed_clips=speed_clips), "pushes": PushConfig()} if args.steer else {}
        env = config_from_args(EnvConfig, EnvConfig(), args, reward=reward, **steer)
        awr = config_from_args(AWRConfig, AWRConfig(), args)
    except ValueError as exc:
        raise UserError(str(exc)) from None
    if awr.mirror and args.mirror is None:  # the default: mirror images where the clip has them, off (with a note) where not
        from imitate.imitation import mirror_or_reason

        reason = mirror_or_reason(spec.name, str(clip_path.resolve()), env)
        if isinstance(reason, str):
            print(f"imitate: no mirror images ({reason})")
            awr = replace(awr, mirror=False)
    name = Path(args.motion[0]).stem + ".txt" if is_bvh(args.motion[0]) else clip_path.name
    run_dir = args.out or new_run_dir(Path("runs"), spec.name, name)
    if (run_dir / "config.json").exists():
        raise UserError(f"{run_dir}: already holds a run; use --resume {run_dir} to continue it")
    envs = args.envs or default_envs(args.backend, args.asynchronous)
    per_worker = args.envs_per_worker or DEFAULT_ENVS_PER_WORKER
    motion = " ".join(Path(m).name for m in args.motion)  # what the user named, without a path of this machine
    return run_dir, RunConfig(spec.name, motion, str(clip_path.resolve()), env, awr, envs, per_worker, name)


def _stop_gracefully_on_signals() -> None:
    """Ctrl-C (SIGINT) and SIGTERM stop after saving, even when started in the background,
    where a shell hands Python an ignored SIGINT."""
    import signal

    def interrupt(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, interrupt)


def run(args: argparse.Namespace) -> int:
    from awr_core.trainer import INTERRUPTED, Trainer
    from imitate.imitation import INFO_KEYS, check_env, connect_ray, is_success, learner_threads, make_agent, make_collector, task_mirror

    _stop_gracefully_on_signals()
    if args.asynchronous is None:
        args.asynchronous = default_asynchronous(args.backend)
    if args.backend == "ray":
        ray_cpus = connect_ray(args.ray_address, args.envs)
        args.envs = args.envs or ray_cpus
    elif args.ray_address:
        raise UserError("--ray-address needs --backend ray")
    if not 0.0 < args.bar_return <= 1.0:
        raise UserError(f"--bar-return {args.bar_return:g}: a normalized return is between 0 and 1")
    if args.resume:
        run_dir = args.resume
        config = read_config(run_dir)
        config = replace(config, num_envs=args.envs or config.num_envs, envs_per_worker=args.envs_per_worker or config.envs_per_worker)
    else:
        run_dir, config = _new_run(args)
    budget = parse_budget(args.budget or DEFAULT_BUDGET)
    obs_size, act_size = check_env(config.character, config.clip_path, config.env)
    mirror = task_mirror(config.character, config.clip_path, config.env) if config.awr.mirror else None
    if not args.resume:
        write_config(run_dir, config)
        if is_bvh(config.motion):  # what the conversion recognised and measured, beside the converted clip
            report = json.loads(Path(config.clip_path).with_suffix(".json").read_text())
            report["file"] = Path(report["file"]).name  # no path of this machine in the run folder
            (run_dir / "conversion.json").write_text(json.dumps(report, indent=2) + "\n")
        config = read_config(run_dir)  # from here on the run's own copy of the clip
    collector = make_collector(config.character, config.clip_path, config.env, config.num_envs, seed=config.awr.seed,
                               backend=args.backend, asynchronous=args.asynchronous, envs_per_worker=config.envs_per_worker)  # fmt: skip
    try:
        agent = make_agent(collector, config.awr, mirror)
        meta = {"character": config.character, "clip": config.clip_name, "obs_size": obs_size, "act_size": act_size}
        threads = learner_threads(args.backend, args.asynchronous, config.num_envs)
        trainer = Trainer(agent, collector, run_dir, info_keys=INFO_KEYS, meta=meta, success=is_success, learner_threads=threads)
        if args.resume:
            from imitate.run_folder import load_run_checkpoint

            load_run_checkpoint(run_dir / "checkpoints" / "latest.pt", config.character, obs_size, act_size)
            trainer.resume()
        _print_header(run_dir, config, budget, trainer, bool(args.resume), args.backend, args.asynchronous)
        progress = Progress(budget, trainer.samples, run_dir, title=f"{config.character} · {config.clip_name}",
                            step_seconds=1.0 / config.env.control_hz)
        steered = config.env.steering is not None
        stop_when = None if not args.until_bar else bar_stop(trainer, confirming_test(config), steered, args.bar_return,
                                                              run_dir / STOP_RULE_FILE)  # fmt: skip
        reason = trainer.train(budget, stop_when=stop_when, on_row=progress)
        progress.finish()
    finally:
        collector.close()
    print(f"\nstopped: {reason}")
    print(f"run folder: {run_dir}")
    print(f"  watch:  imitate play {run_dir}")
    print(f"  video:  imitate render {run_dir} --mp4 {run_dir}/skill.mp4")
    print(f"  export: imitate export {run_dir} -o {Path(config.clip_name).stem}.onnx")
    print(f"  scores: imitate eval {run_dir}")
    print(f"  resume: imitate --resume {run_dir}")
    return EXIT_INTERRUPTED if reason == INTERRUPTED else 0


def meets_bar(row: dict, bar_return: float = BAR_NORMALIZED_RETURN) -> bool:
    ret, success = row.get("test_normalized_return", math.nan), row.get("test_success_rate", math.nan)
    return ret >= bar_return and success >= BAR_SUCCESS_RATE


def bar_stop(trainer, confirming: Callable[[dict, int], dict], steered: bool = False,
             bar_return: float = BAR_NORMALIZED_RETURN, state: Path | None = None) -> Callable[[dict], str | None]:  # fmt: skip
    """The stop rule: an iteration's test meets the bar (normalized return >= bar_return, success >=
    BAR_SUCCESS_RATE), and so does `confirming` (a test of BAR_CONFIRM_EPISODES
    episodes of the same policy: `confirming_test`) right after (an 8-episode test can be lucky); else training
    goes on. A steered run is judged by the steering bar alone, whose pose reward term stands for the return: an
    iteration's test with BAR_SUCCESS_RATE success is enough to run its confirming test (a blend of a walk and a
    run scores a lower return per step than either), and that test must meet the steering bar. The confirmed policy is saved as
    best.pt, the checkpoint play, render, export and eval take by default (until then best.pt is the policy with
    the highest test return). `state` (the run folder's STOP_RULE_FILE) keeps the wait after a failed steering
    test across `imitate --resume`."""
    from awr_core.trainer import BEST
    from imitate.evaluation import steering_bar

    def stopping(reason: str) -> str:
        trainer.save(BEST, include_buffer=False)
        return reason

    confirmed: list[dict | None] = [None]
    # samples: a steering test runs on one core for a minute, so a failed one waits a while
    next_steering_test = [0 if state is None else read_steering_wait(state)]

    def stop(row: dict) -> str | None:
        # rows repeat the last test until the next one: each test is confirmed once
        quick_met = row.get("test_success_rate", math.nan) >= BAR_SUCCESS_RATE if steered else meets_bar(row, bar_return)
        if not quick_met or confirmed[0] is trainer.last_test:
            return None
        if steered and trainer.samples < next_steering_test[0]:
            return None
        confirmed[0] = trainer.last_test
        quick = f"{row['test_normalized_return']:.3f}, {row['test_success_rate']:.0%}"
        confirm = trainer.confirm(BAR_CONFIRM_EPISODES, confirming)
        if steered:
            met, figures = steering_bar(confirm)
            what = f"the steering bar on {BAR_CONFIRM_EPISODES} episodes of {STEER_BAR_SECONDS:g} s"
            if met:
                return stopping(f"skill meets {what}: {figures} (the iteration's test: {quick})")
            next_steering_test[0] = trainer.samples + STEER_RETEST_SAMPLES
            if state is not None:
                write_steering_wait(state, next_steering_test[0])
            print(f"  the iteration's test succeeded ({quick}); {what} was not met ({figures}): training goes on "
                  f"(next steering test after {STEER_RETEST_SAMPLES:,} more samples)")  # fmt: skip
            return None
        ret, success = confirm["normalized_return"], confirm["success_rate"]
        if ret >= bar_return and success >= BAR_SUCCESS_RATE:
            return stopping(f"skill meets the bar (test normalized return >= {bar_return:g}, success >= {BAR_SUCCESS_RATE:.0%}: "
                            f"{quick} on the iteration's test, {ret:.3f}, {success:.0%} on {BAR_CONFIRM_EPISODES} episodes)")  # fmt: skip
        print(f"  the iteration's test met the bar ({quick}); {BAR_CONFIRM_EPISODES} episodes did not ({ret:.3f}, {success:.0%}): "
              "training goes on")
        return None

    return stop


def confirming_test(config: RunConfig) -> Callable[[dict, int], dict]:
    """The bar's confirming test of the given policy weights: `imitate eval RUN --episodes N` of it, the same
    episodes (seeded from EVAL_SEED: the same start times every time), so the stop and the run's evaluation agree.
    A steered run's is scored as `imitate eval` scores a steered controller (`for_steering_bar`: episodes of
    STEER_BAR_SECONDS, falls only; heading and speed errors, pose reward term)."""

    def test(weights: dict, episodes: int) -> dict:
        from awr_core.numpy_policy import NumpyPolicy
        from imitate.evaluation import for_steering_bar, run_episodes, summarize
        from imitate.policy_source import Source

        policy = NumpyPolicy(weights)
        source = Source(config.character, config.clip_path, config.env,
                        lambda obs, ref: policy.act(obs[None], deterministic=True)[0], "training")  # fmt: skip
        if config.env.steering is not None:
            return summarize(run_episodes(for_steering_bar(source), episodes, seed=EVAL_SEED, seconds=STEER_BAR_SECONDS))
        return summarize(run_episodes(source, episodes, seed=EVAL_SEED))

    return test


def _print_header(run_dir: Path, config: RunConfig, budget: Budget, trainer, resumed: bool, backend: str, asynchronous: bool) -> None:
    a = config.awr
    verb = f"resuming at iteration {trainer.agent.iteration} ({trainer.samples:,} samples)" if resumed else "training"
    steering = config.env.steering
    faster = "".join(f" and {Path(c).name}" for c in steering.speed_clips) if steering is not None else ""
    print(f"imitate: {verb} {config.character} on {config.clip_name}{faster}")
    print(f"  run folder   {run_dir}")
    one = config.num_envs == 1
    where = ("Ray actor" if one else "Ray actors") if backend == "ray" else ("worker process" if one else "worker processes")
    where += f" x {config.envs_per_worker} environments" if config.envs_per_worker > 1 else ""
    where += ", asynchronous" if asynchronous else ""
    print(f"  env          {config.num_envs} {where}, {config.env.control_hz:g} Hz control / {config.env.sim_hz:g} Hz physics, "
          f"{config.env.action_mode} actions, {config.env.episode_seconds:g} s episodes")  # fmt: skip
    e = config.env
    if e.reference_obs_steps:  # what the policy sees beyond DeepMimic's state
        links = ", ".join(e.reference_obs_links) if e.reference_obs_links else "every link"
        steps = ", ".join(f"+{k}" for k in e.reference_obs_steps)
        print(f"  observation  DeepMimic's state + the clip ahead ({links} at {steps} control steps)")
    anneal = f" -> {a.action_std_final:g} over {a.action_std_anneal_samples:,} samples" if a.action_std_anneal_samples > 0 else ""
    print(f"  AWR          actor {a.actor_layers} critic {a.critic_layers}, {a.optimizer} lr {a.actor_lr:g}/{a.critic_lr:g}, "
          f"{a.samples_per_iter} samples/iter, buffer {a.buffer_size:,}, std {a.action_std:g}{anneal}"
          f"{', mirror images too' if a.mirror else ''}")  # fmt: skip
    since = " from here on (the run's earlier samples and time do not count)" if resumed else ""
    print(f"  budget       {describe(budget)}{since}; Ctrl-C stops after saving")
    sys.stdout.flush()


def _clock(seconds: float) -> str:
    seconds = int(max(seconds, 0))
    return f"{seconds // 3600}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"


class Progress:
    """One line per iteration (overwritten in place on a terminal), and curve.png refreshed."""

    def __init__(self, budget: Budget, start_samples: int, run_dir: Path, title: str, step_seconds: float) -> None:
        self.step_seconds = step_seconds  # one control step: episode lengths are shown in seconds
        self.budget = budget
        self.start_samples = start_samples
        self.start = time.perf_counter()
        self.run_dir = run_dir
        self.title = title
        self.tty = sys.stdout.isatty()
        self.last_plot = 0.0
        import matplotlib  # imported now, so a Ctrl-C cannot land in the middle of the import later

        matplotlib.use("Agg")
        import matplotlib.pyplot  # noqa: F401

    def eta(self, row: dict) -> str:
        elapsed = time.perf_counter() - self.start
        left = []
        if self.budget.seconds is not None:
            left.append(self.budget.seconds - elapsed)
        if self.budget.samples is not None:
            done = row["samples"] - self.start_samples
            rate = done / max(elapsed, 1e-9)
            left.append((self.budget.samples - done) / max(rate, 1e-9))
        return f" | ETA {_clock(min(left))}" if left else ""

    def __call__(self, row: dict) -> None:
        elapsed = time.perf_counter() - self.start
        test = row.get("test_normalized_return", math.nan)
        success = row.get("test_success_rate", math.nan)
        line = (
            f"it {int(row['iteration']):4d} | {int(row['samples']):>11,} samples"
            f" | return {row.get('train_normalized_return', math.nan):.3f} (test {test:.3f})"
            f" | episodes {row.get('train_episode_length', math.nan) * self.step_seconds:.1f} s"
            f" (test {row.get('test_episode_length', math.nan) * self.step_seconds:.1f} s, success {success:.0%})"
            f" | body err {row.get('test_body_pos_err_m', math.nan):.2f} m"
            f" | {row['samples_per_second']:,.0f} samples/s | {_clock(elapsed)}{self.eta(row)}"
        )
        if self.tty:
            print("\r" + line, end="", flush=True)
        else:
            print(line, flush=True)
        if time.perf_counter() - self.last_plot > 30 or row["iteration"] <= 1:
            self.plot()

    def plot(self) -> None:
        try:
            plot_curve(self.run_dir / "log.csv", self.run_dir / "curve.png", self.title, self.step_seconds)
        except (OSError, ValueError, RuntimeError) as exc:  # the curve is a convenience: never lose a run over it
            print(f"\nwarning: could not draw curve.png ({exc})", file=sys.stderr)
        self.last_plot = time.perf_counter()

    def finish(self) -> None:
        if self.tty:
            print()
        self.plot()
