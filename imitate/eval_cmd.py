"""`imitate eval`: deterministic episodes of a run, a shipped controller or an ONNX file, scored as a table or JSON."""

from __future__ import annotations

import argparse
import json
import math
from pathlib import Path

from imitate.defaults import EVAL_SEED, STEER_BAR_SECONDS
from imitate.errors import UserError


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("eval", help="score a controller: return, falls, tracking errors, success rate",
                       description="Run deterministic episodes (random start times, fixed seeds) with a controller and report "
                       "normalized return, episode length, fall rate, tracking errors and success rate (no fall and mean "
                       "body-position error < 0.5 m). The controller: a run folder, --policy FILE.onnx with --motion, "
                       "or, with --motion alone, the controller shipped for that clip.")  # fmt: skip
    p.add_argument("run_dir", type=Path, nargs="?", help="run folder written by `imitate train`")
    p.add_argument("--policy", type=Path, default=None, help="an exported controller (FILE.onnx): runs on onnxruntime")
    p.add_argument("--motion", default=None, help="the clip (with --policy: the one to score on; alone: its shipped controller)")
    p.add_argument("--character", default=None, help="character (default: the controller's, or humanoid)")
    p.add_argument("--episodes", type=int, default=10, help="number of episodes (default: 10)")
    p.add_argument("--seconds", type=float, default=None, help="episode length in seconds (default: the controller's, 20; "
                   "a steered controller's: 60, the steering bar's)")
    p.add_argument("--steer", action="store_true", help="with --motion alone: the steerable controller shipped for the clip")
    p.add_argument("--steer-script", type=Path, default=None, metavar="FILE",
                   help="a steered controller: drive one episode from the clip's start through this course (as `imitate render "
                   "--steer-script` reads it) and report whether it fell and its heading and speed errors")  # fmt: skip
    p.add_argument("--checkpoint", choices=("best", "latest"), default="best", help="a run's checkpoint (default: best)")
    p.add_argument("--seed", type=int, default=EVAL_SEED, help=f"seed of the first episode (default: {EVAL_SEED})")
    p.add_argument("--json", action="store_true", help="print JSON instead of a table")
    p.set_defaults(func=run)


def evaluate(run_dir: Path | None, policy: Path | None, motion: str | None, character: str | None, episodes: int,
             seconds: float | None = None, checkpoint: str = "best", seed: int = EVAL_SEED, steered: bool = False) -> dict:  # fmt: skip
    """The summary of `episodes` deterministic episodes of the controller named as on the command line, with
    the per-episode records under "per_episode"."""
    from imitate.evaluation import for_steering_bar, run_episodes, summarize
    from imitate.policy_source import from_run, resolve_source

    if run_dir is not None and policy is None:
        source = from_run(run_dir, checkpoint)
    else:
        source = resolve_source(None, policy, motion, character, steered=steered)
        if source.policy is None:
            what = "no steerable controller" if steered else "no controller"
            raise UserError(f"{motion}: {what} ships for this clip; train one (imitate --motion {motion}{' --steer' if steered else ''}) "
                            "or give --policy FILE.onnx")
    if source.env.steering is not None:  # scored as the steering bar scores it: 60-s episodes, falls only
        source = for_steering_bar(source)
        seconds = STEER_BAR_SECONDS if seconds is None else seconds
    per_episode = run_episodes(source, episodes, seed=seed, seconds=seconds)
    seconds_cap = seconds if seconds is not None else source.env.episode_seconds
    return {"controller": source.label, "character": source.character, "clip": Path(source.clip_path).name,
            "episode_seconds": seconds_cap, **summarize(per_episode), "per_episode": per_episode}  # fmt: skip


def run(args: argparse.Namespace) -> int:
    from imitate.evaluation import endings_line, steering_bar

    def bar(summary: dict) -> str:
        met, figures = steering_bar(summary)
        return f"{'met' if met else 'not met'}: {figures}"

    if args.run_dir is None and args.motion is None:
        raise UserError("eval: give a run folder, --motion CLIP (its shipped controller), or --policy FILE.onnx --motion CLIP")
    if args.steer_script is not None:
        return course(args)
    s = evaluate(args.run_dir, args.policy, args.motion, args.character, args.episodes, args.seconds, args.checkpoint, args.seed,
                 steered=args.steer)
    if args.json:
        print(json.dumps(s, indent=2))
        return 0
    print(f"{s['character']} · {s['clip']} · {s['episodes']} deterministic episodes of up to {s['episode_seconds']:g} s · "
          f"{s['controller']}")
    rows = [
        ("normalized return", f"{s['normalized_return']:.3f}"),
        ("episode length", f"{s['episode_seconds_mean']:.2f} s"),
        ("fall rate", f"{s['fall_rate']:.0%}"),
        ("joint rotation error", f"{s['joint_rot_err_rad']:.3f} rad"),
        ("end-effector error", f"{s['end_effector_err_m']:.3f} m"),
        ("body position error", f"{s['body_pos_err_m']:.3f} m"),
        ("success rate", f"{s['success_rate']:.0%}  (no fall, body error < 0.5 m)"),
        ("episodes ended by", endings_line(s)),
    ]
    if "heading_err_rad" in s:  # a steered controller, its errors measured from 1.5 s after each change of command
        rows += [("heading error", f"{math.degrees(s['heading_err_rad']):.1f} deg"), ("speed error", f"{s['speed_err_m_s']:.3f} m/s"),
                 ("pose reward term", f"{s['pose_reward']:.3f}"), ("steering bar", bar(s))]  # fmt: skip
    width = max(len(k) for k, _ in rows)
    for key, value in rows:
        print(f"  {key:<{width}}  {value}")
    return 0


def course(args: argparse.Namespace) -> int:
    """`imitate eval ... --steer-script FILE`: one episode through a scripted course."""
    from imitate.evaluation import drive_course
    from imitate.policy_source import from_run, resolve_source
    from imitate.render_cmd import read_course

    rows = read_course(args.steer_script)
    if args.run_dir is not None and args.policy is None:
        source = from_run(args.run_dir, args.checkpoint)
    else:
        source = resolve_source(None, args.policy, args.motion, args.character, steered=True)
    if source.env.steering is None or source.policy is None:
        raise UserError(f"{args.steer_script}: a course needs a steered controller (trained with --steer)")
    seconds = args.seconds if args.seconds is not None else rows[-1][0] + 5.0
    result = {"controller": source.label, "course": args.steer_script.name, **drive_course(source, rows, seconds)}
    if args.json:
        print(json.dumps(result, indent=2))
        return 0
    print(f"{result['controller']} · course {result['course']} · {seconds:g} s from the clip's start")
    heading = math.degrees(result["heading_err_rad"])
    fell = f"  {'fell' if result['fell'] else 'no fall'} ({result['seconds']:.1f} s)"
    if not result["measured_steps"]:
        print(f"{fell}; heading and speed errors not measured: no command of the course was held 1.5 s")
        return 0
    print(f"{fell}, heading error {heading:.1f} deg, speed error {result['speed_err_m_s']:.2f} m/s "
          f"(from 1.5 s after each change: {result['measured_steps']} steps)")
    return 0

