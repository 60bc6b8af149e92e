"""Entry point of the `imitate` console script."""

from __future__ import annotations

import argparse
import sys

from characters import UnknownCharacterError
from imitate import __version__, motions_cmd
from imitate.errors import EXIT_USAGE, UserError
from motions import ClipError

SUBCOMMANDS = ("motions",)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="imitate",
        description="Teach a physics-based character to imitate a motion clip (PyBullet + AWR).",
    )
    parser.add_argument("--version", action="version", version=f"imitate {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    motions_cmd.add_parser(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return EXIT_USAGE
    try:
        return int(args.func(args) or 0)
    except (ClipError, UnknownCharacterError, UserError) as exc:
        print(f"imitate: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("imitate: interrupted", file=sys.stderr)
        return 130
