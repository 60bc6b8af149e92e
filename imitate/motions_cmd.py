"""`imitate motions`: list the clips that can be named, or check one against a character."""

from __future__ import annotations

import argparse

from characters import get_character
from characters.registry import CHARACTERS
from imitate.shipped import find_shipped
from motions import clip_summary, load_clip, resolve_clip, shipped_clips
from motions.library import short_name


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("motions", help="list the clips that can be named, with duration and frame count")
    p.add_argument("--check", metavar="FILE", help="validate a clip file (or name) against --character and report it")
    p.add_argument("--character", default="humanoid", help="character to check the clip against (default: humanoid)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    spec = get_character(args.character)
    if args.check:
        path = resolve_clip(args.check, spec.clip_prefix)
        clip = load_clip(path, spec.joint_dofs, spec.name, spec.clip_convention)
        kind = "looping" if clip.loop else "one-shot"
        print(f"ok: {path} ({clip.file_format} format) fits {spec.name}: {clip.num_frames} frames, {clip.duration:.3f} s, {kind}")
        return 0
    print(f"{'name':<24} {'duration':>9} {'frames':>7}  loop  {'file':<30} controller")
    for path in (p for p in shipped_clips() if p.name.startswith(spec.clip_prefix)):
        seconds, frames, loop = clip_summary(path)
        name = short_name(path, spec.clip_prefix)
        shipped = "shipped" if find_shipped(spec.name, path.name) else ""
        print(f"{name:<24} {seconds:>8.3f}s {frames:>7}  {'wrap' if loop else 'none':<4}  {path.name:<30} {shipped}")
    others = ", ".join(sorted(set(CHARACTERS) - {spec.name}))
    print(f"\nthe clips of --character {spec.name} (files {spec.clip_prefix}*; other characters: {others}); any clip file path works too.")
    print("a shipped controller plays with `imitate play --motion NAME` and scores with `imitate eval --motion NAME`.")
    return 0
