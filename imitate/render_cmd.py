"""`imitate render`: an MP4 (or GIF) of a trained skill or of a clip, headless."""

from __future__ import annotations

import argparse
import json
import math
import sys
from dataclasses import replace
from pathlib import Path

from imitate.errors import UserError


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("render", help="render an MP4/GIF of a trained skill or a clip, headless",
                       description="Render a video with PyBullet's offscreen camera (EGL when it loads, else the CPU "
                       "renderer): tracking camera, ground grid, the reference as a translucent ghost, a progress bar.")  # fmt: skip
    p.add_argument("run_dir", type=Path, nargs="?", help="run folder written by `imitate train`")
    p.add_argument("--policy", type=Path, help="an exported controller (.onnx) instead of a run folder")
    p.add_argument("--motion", help="clip (default: the run's or the controller's); alone: the controller shipped for it, "
                   "else the clip itself")
    p.add_argument("--reference", action="store_true", help="with --motion alone: render the clip itself, not a shipped controller")
    p.add_argument("--character", default=None, help="character (default: the run's or the controller's, else humanoid)")
    p.add_argument("--mp4", type=Path, help="write an H.264 MP4 here")
    p.add_argument("--gif", type=Path, help="write an animated GIF here (half size)")
    p.add_argument("--seconds", type=float, default=10.0, help="length of the video (default: 10)")
    p.add_argument("--size", default="640x360", help="frame size WIDTHxHEIGHT (default: 640x360)")
    p.add_argument("--side-by-side", action="store_true", help="put the reference beside the character instead of on it")
    p.add_argument("--no-ghost", action="store_true", help="do not draw the reference")
    p.add_argument("--renderer", choices=("auto", "cpu"), default="auto",
                   help="auto: PyBullet's EGL renderer when it loads, else the CPU (TINY) one; cpu: always the CPU one")  # fmt: skip
    p.add_argument("--seed", type=int, default=0, help="episode seed (default: 0)")
    p.add_argument("--steer-script", type=Path, metavar="FILE",
                   help="a steered controller: a course to follow, a JSON list of [time s, heading degrees] or [time s, "
                   "heading degrees, speed m/s] (speed: a controller trained on two gaits) (the heading "
                   "relative to the clip's own direction, positive to the left), e.g. [[0, 0], [4, 90], [8, 180], [12, 270]]")  # fmt: skip
    p.set_defaults(func=run)


def read_course(path: Path) -> list[tuple[float, float, float | None]]:
    """(time s, heading rad, speed m/s or None) rows from a --steer-script file ([time, degrees] or
    [time, degrees, speed]); a bad file is one line naming it."""
    try:
        data = json.loads(path.read_text())
    except OSError as exc:
        raise UserError(f"{path}: cannot read file ({exc.strerror})") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise UserError(f"{path}: not a JSON list of [time s, heading degrees] ({str(exc).splitlines()[0]})") from None
    number = lambda v: isinstance(v, (int, float)) and not isinstance(v, bool)  # noqa: E731
    ok = isinstance(data, list) and data and all(isinstance(row, list) and len(row) in (2, 3) and all(map(number, row)) for row in data)
    if not ok:
        raise UserError(f"{path}: expected a JSON list of [time s, heading degrees] (or [time, degrees, speed m/s]) rows, "
                        "e.g. [[0, 0], [4, 90]]")  # fmt: skip
    times = [float(row[0]) for row in data]
    if any(t < 0 for t in times) or times != sorted(times):
        raise UserError(f"{path}: the times must be >= 0 and in order")
    return [(float(row[0]), math.radians(float(row[1])), float(row[2]) if len(row) == 3 else None) for row in data]


def parse_size(text: str) -> tuple[int, int]:
    try:
        w, h = (int(x) for x in text.lower().split("x"))
    except ValueError:
        raise UserError(f"--size {text!r}: expected WIDTHxHEIGHT such as 640x360") from None
    if w < 16 or h < 16 or w % 2 or h % 2:
        raise UserError(f"--size {text!r}: width and height must be even and at least 16")
    return w, h


def run(args: argparse.Namespace) -> int:
    from characters.env import ImitationEnv
    from imitate.policy_source import resolve_source
    from viewer.camera import TrackingCamera, clip_extent
    from viewer.video import record

    if not args.mp4 and not args.gif:
        raise UserError("say where to write: --mp4 FILE.mp4 and/or --gif FILE.gif")
    width, height = parse_size(args.size)
    source = resolve_source(args.run_dir, args.policy, args.motion, args.character, reference=args.reference,
                            steered=args.steer_script is not None)  # fmt: skip
    if source.policy is None and not args.reference and args.run_dir is None and args.policy is None:
        print(f"no controller ships for {Path(source.clip_path).name} ({source.character}): rendering the clip itself; "
              f"train one with `imitate --motion {args.motion} --character {source.character}`", file=sys.stderr)  # fmt: skip
    course = read_course(args.steer_script) if args.steer_script else []
    if course and (source.env.steering is None or source.policy is None):
        raise UserError(f"--steer-script needs a steered controller (trained with --steer); {source.label} is not one")
    env_config = replace(source.env, episode_seconds=max(source.env.episode_seconds, args.seconds + 1.0))
    outputs = [p for p in (args.mp4, args.gif) if p]
    for out in outputs:
        out.parent.mkdir(parents=True, exist_ok=True)
        env = ImitationEnv(source.character, source.clip_path, env_config, ghost=not args.no_ghost, egl=args.renderer == "auto")

        def show(i: int, n: int, name: str = out.name) -> None:
            if sys.stdout.isatty():
                print(f"\r  {name}: frame {i}/{n}", end="", flush=True)

        camera = TrackingCamera.for_clip(env.clip.root_pos, clip_extent(env), width, height)
        result = record(env, out, args.seconds, source.policy, camera, args.side_by_side, args.seed, show, course)
        env.close()
        if sys.stdout.isatty():
            print()
        rate = int(round(args.seconds * source.env.control_hz)) / max(result.seconds_rendering, 1e-9)
        falls = f", {result.falls} falls" if source.policy is not None else ""
        print(f"wrote {out}: {result.frames} frames, {result.size[0]}x{result.size[1]}, {result.fps:g} fps, "
              f"{source.label}; rendered at {rate:.1f} frames/s with {result.renderer}{falls}")  # fmt: skip
    return 0
