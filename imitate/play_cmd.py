"""`imitate view` (the clip) and `imitate play` (a trained controller) in an interactive window."""

from __future__ import annotations

import argparse
import shlex
import sys
from pathlib import Path

from imitate.errors import UserError


def add_parsers(sub: argparse._SubParsersAction) -> None:
    keys = (
        "Keys: space pause/resume, . single step, r reset, [ ] slower/faster, g ghost on/off, c camera follow/free; "
        "drag to orbit, wheel to zoom."
    )
    p = sub.add_parser("view", help="play a clip kinematically in a window, looping at real time", description=keys)
    p.add_argument("--motion", required=True, help="clip file or shipped name such as run.txt")
    p.add_argument("--character", default="humanoid", help="character (default: humanoid)")
    _window_options(p)
    p.set_defaults(func=run_view)
    p = sub.add_parser("play", help="run a trained controller in a window with the reference as a ghost", description=keys)
    p.add_argument("run_dir", type=Path, nargs="?", help="run folder written by `imitate train`")
    p.add_argument("--policy", type=Path, help="an exported controller (.onnx) instead of a run folder")
    p.add_argument("--motion", help="clip (default: the run's or the controller's); alone: the controller shipped for it")
    p.add_argument("--character", default=None, help="character (default: the run's or the controller's)")
    p.add_argument("--steer", action="store_true", help="a steered controller: steer it with the left/right arrow keys "
                   "(without: its command changes at random, as in training)")  # fmt: skip
    _window_options(p)
    p.set_defaults(func=run_play)


def _window_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--size", default="1280x720", help="window size WIDTHxHEIGHT (default: 1280x720)")
    p.add_argument("--headless", action="store_true", help="render offscreen through EGL (no screen needed)")
    p.add_argument("--frames", type=int, default=0, help="draw this many frames, print the frame rate and exit (0: run until closed)")


def run_view(args: argparse.Namespace) -> int:
    from imitate.policy_source import clip_only

    return _show(clip_only(args.motion, args.character), args, ghost=False)


def run_play(args: argparse.Namespace) -> int:
    from imitate.policy_source import resolve_source

    source = resolve_source(args.run_dir, args.policy, args.motion, args.character, steered=getattr(args, "steer", False))
    if source.policy is None:  # --motion alone, and no controller shipped for the clip
        raise UserError(f"no controller is shipped for {args.motion}: train one (imitate --motion {args.motion}), "
                        f"or watch the clip itself: imitate view --motion {args.motion}")  # fmt: skip
    return _show(source, args, ghost=True)


def _show(source, args: argparse.Namespace, ghost: bool) -> int:
    import time

    from characters.env import ImitationEnv
    from imitate.render_cmd import parse_size
    from viewer.player import Player
    from viewer.window import NoDisplayError, Viewer

    width, height = parse_size(args.size)
    env = ImitationEnv(source.character, source.clip_path, source.env, ghost=ghost)
    steer = getattr(args, "steer", False)
    if steer and source.env.steering is None:
        raise UserError(f"--steer needs a steered controller (trained with --steer); {source.label} is not one")
    player = Player(env, source.policy, steer=steer)
    try:
        viewer = Viewer(player, width, height, headless=args.headless, title=f"imitate · {source.label}")
    except NoDisplayError as exc:
        hint = " ".join(shlex.quote(a) for a in sys.argv[1:] if a != "--headless")
        raise UserError(f"{exc}; make a video instead: imitate render ... --mp4 out.mp4 (or run `xvfb-run imitate {hint}`)") from None
    if args.frames:
        start = time.perf_counter()
        for _ in range(args.frames):
            viewer.window.switch_to()
            viewer.window.dispatch_events()
            viewer.tick(1 / 60)
            viewer.draw()
            viewer.window.flip()
        elapsed = time.perf_counter() - start
        print(f"{args.frames} frames in {elapsed:.2f} s: {args.frames / elapsed:.0f} frames/s at {width}x{height} "
              f"({player.steps} control steps, {player.falls} falls)")  # fmt: skip
        viewer.window.close()
        return 0
    viewer.run()
    return 0
