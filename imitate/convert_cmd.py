"""`imitate convert`: a BVH file to a clip for a character, or a clip to BVH (to open it in Blender)."""

from __future__ import annotations

import argparse
from pathlib import Path

from characters.registry import get_character
from imitate.errors import UserError
from imitate.motion_input import describe_conversion, is_bvh
from motions import load_clip, resolve_clip


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("convert", help="BVH motion capture to a clip for a character, or a clip to BVH",
                       description="FILE.bvh -> a DeepMimic clip retargeted to the character (prints what it recognised and "
                       "the quality figures); a clip (.txt) -> BVH of the character's skeleton.")  # fmt: skip
    p.add_argument("source", help="a BVH file, or a clip (file or shipped name such as run.txt)")
    p.add_argument("-o", "--out", type=Path, required=True, help="the clip to write (.txt), or the BVH (.bvh)")
    p.add_argument("--character", default="humanoid", help="character (default: humanoid)")
    p.add_argument("--map", default=None, help="JSON mapping roles to joint names, for a skeleton not recognised")
    p.add_argument("--no-ground", dest="ground", action="store_false",
                   help="keep the file's motion as it is: no floor levelling, no lift to the ground, hinges not clamped")
    p.add_argument("--report", type=Path, default=None, help="also write the conversion figures as JSON")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from characters.rig import character_rig
    from motions.bvh_convert import clip_to_bvh, clip_to_json, convert_bvh, write_report
    from motions.skeletons import read_map

    spec = get_character(args.character)
    rig = character_rig(spec.name)
    if is_bvh(args.source):
        if is_bvh(args.out):
            raise UserError(f"{args.out}: converting BVH to BVH is not supported; write a clip (.txt)")
        conversion = convert_bvh(Path(args.source), rig, read_map(args.map) if args.map else None, ground=args.ground)
        args.out.write_text(clip_to_json(conversion.clip))
        print(describe_conversion(conversion.report))
        if args.report:
            write_report(conversion.report, args.report)
        print(f"written: {args.out} ({conversion.clip.num_frames} frames)")
        return 0
    if not is_bvh(args.out):
        raise UserError(f"{args.out}: a clip converts to BVH: give -o FILE.bvh")
    path = resolve_clip(args.source, spec.clip_prefix)
    clip = load_clip(path, spec.joint_dofs, spec.name, spec.clip_convention)
    clip_to_bvh(clip, rig, args.out)
    print(f"written: {args.out} ({path.name} on the {spec.name} skeleton, metres, y up)")
    return 0
