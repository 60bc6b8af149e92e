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
        for key, value in derived(spec.name, str(path)):
            print(f"  {key:<14} {value}")
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


def derived(character: str, clip_path: str) -> list[tuple[str, str]]:
    """What training reads from the clip with the defaults, as (what, in words) rows."""
    import math

    from characters.clip_facts import SEAM_JUMP_RATIO, seam_step, turn_per_cycle
    from characters.config import EnvConfig
    from characters.env import ImitationEnv
    from characters.steering import clip_travel

    config = EnvConfig()
    env = ImitationEnv(character, clip_path, config)
    try:
        clip, dt = env.clip, 1.0 / config.control_hz
        ends = f"after {config.episode_seconds:g} s" if clip.loop else f"at the clip's end ({clip.duration:.2f} s)"
        rows = [("episodes", f"start at a random time of the clip, end {ends}, at a fall, or when a body is "
                             f"{config.pose_termination_m:g} m from its place in the clip")]
        if clip.loop:
            heading, pace = clip_travel(clip)
            way = f"heading {math.degrees(heading):+.0f} deg"
            travel = f"{pace * clip.duration:.2f} m at {pace:.2f} m/s, {way}" if pace else "stays in place"
            rows.append(("each cycle", f"travels {travel}; turns {math.degrees(turn_per_cycle(clip)):+.1f} deg"))
            seam, usual = seam_step(env.reference, clip.duration, dt)
            verdict = "a jump in the reference" if seam > SEAM_JUMP_RATIO * usual else "smooth"
            rows.append(("loop seam", f"links move up to {seam:.3f} m in a control step across it (inside the clip: "
                                      f"{usual:.3f} m, 95th percentile): {verdict}"))  # fmt: skip
        rows.append(("ground", "may touch it with " + ", ".join(env.ground_contact_links()) + " (read from the clip's poses)"))
        turns = ", ".join(f"{name} {math.degrees(rate):.0f}" for name, rate in env.feet_turn_on_ground().items())
        rows.append(("feet turning", f"while on the ground, about the vertical, deg/s over the clip: {turns} (a foot turns on the "
                                     "ground by pivoting on its ball or heel: the faster, the harder; "
                                     "bench/RESULTS.md, \"The clip library\")"))  # fmt: skip
        try:
            env.mirror_map()
            rows.append(("mirror images", "used: the clip is its own mirror image half a cycle later"))
        except ValueError as e:
            rows.append(("mirror images", "not used: " + str(e).split(": ", 1)[-1]))
    finally:
        env.close()
    return rows

