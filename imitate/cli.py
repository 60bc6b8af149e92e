"""Entry point of the `imitate` console script."""

from __future__ import annotations

import argparse
import sys

from characters import UnknownCharacterError
from imitate import __version__, convert_cmd, eval_cmd, export_cmd, motions_cmd, play_cmd, render_cmd, train_cmd
from imitate.errors import EXIT_USAGE, UserError
from motions import ClipError
from motions.bvh import BvhError
from motions.retarget import NotRetargetableError
from motions.skeletons import SkeletonError

SUBCOMMANDS = ("train", "eval", "motions")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="imitate",
        description="Teach a physics-based character to imitate a motion clip (PyBullet + AWR). "
        "`imitate --motion run.txt --character humanoid` is short for `imitate train ...`.",
    )
    parser.add_argument("--version", action="version", version=f"imitate {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    train_cmd.add_parser(sub)
    eval_cmd.add_parser(sub)
    export_cmd.add_parser(sub)
    render_cmd.add_parser(sub)
    play_cmd.add_parsers(sub)
    motions_cmd.add_parser(sub)
    convert_cmd.add_parser(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0].startswith("-") and argv[0] not in ("-h", "--help", "--version"):
        argv.insert(0, "train")  # `imitate --motion run.txt` means `imitate train --motion run.txt`
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return EXIT_USAGE
    try:
        return int(args.func(args) or 0)
    except (ClipError, BvhError, SkeletonError, UnknownCharacterError, NotRetargetableError, UserError) as exc:
        print(f"imitate: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("imitate: interrupted", file=sys.stderr)
        return 130
