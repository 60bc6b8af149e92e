"""Which shipped clips are their own mirror image half a cycle later (what `--mirror` needs), and how
each looping clip's last keyframe meets its first (the loop's seam).

For every looping humanoid clip: the mean link position / rotation error between the clip's mirror
image and the clip half a cycle later (`characters.mirror.half_cycle_mirror_error`), the same for the
worst keyframe interval, and the seam: how far the last keyframe's joints are from the first's
against a typical step between keyframes (a looping clip plays the last keyframe, then the first).

  python bench/clip_symmetry.py [--clips walk.txt run.txt] [--close-seam]

`--close-seam` measures the clips with their seams closed (`motions.seam.close_seam`, EnvConfig.close_seam).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from characters.config import EnvConfig  # noqa: E402
from characters.env import ImitationEnv  # noqa: E402
from characters.mirror import half_cycle_mirror_error  # noqa: E402
from motions.library import shipped_clips, short_name  # noqa: E402
from motions.seam import keyframe_distance, seam_gap  # noqa: E402


def worst_interval(env: ImitationEnv, names: list[str]) -> tuple[int, float]:
    """(keyframe interval, mean rotation error rad) of the interval farthest from its mirror image half a cycle later."""
    clip = env.clip
    errors = [half_cycle_mirror_error(env.spec_, names, env.reference, clip.duration,
                                      clip.frame_times[i] + clip.durations[i] * np.linspace(0.1, 0.9, 5))[1]
              for i in range(clip.num_frames - 1)]  # fmt: skip
    return int(np.argmax(errors)), float(np.max(errors))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--clips", nargs="*", default=None, help="clip names (default: every shipped humanoid clip)")
    ap.add_argument("--close-seam", action="store_true", help="close each looping clip's seam first (motions.seam)")
    args = ap.parse_args()
    names_wanted = args.clips or [short_name(p, "humanoid3d_") for p in shipped_clips() if p.name.startswith("humanoid3d_")]
    print("| clip | keyframes | mirror image half a cycle later: position (m) / rotation (rad) | worst interval (rad) "
          "| seam: last vs first keyframe, mean / max joint (rad) | typical step between keyframes (rad) |")
    print("|---|---|---|---|---|---|")
    for name in names_wanted:
        env = ImitationEnv("humanoid", name, EnvConfig(action_mode="relative", close_seam=args.close_seam))
        clip = env.clip
        if not clip.loop:
            env.close()
            continue
        links = [n for n, _ in sorted(env.body.link_index.items(), key=lambda kv: kv[1])]
        pos_err, rot_err = half_cycle_mirror_error(env.spec_, links, env.reference, clip.duration)
        interval, worst = worst_interval(env, links)
        seam = seam_gap(clip)
        step = np.mean([keyframe_distance(clip, i, i + 1).mean() for i in range(clip.num_frames - 2)])
        print(f"| {name} | {clip.num_frames} | {pos_err:.3f} / {rot_err:.3f} | {worst:.3f} (interval {interval} of {clip.num_frames - 1}) "
              f"| {seam.mean():.3f} / {seam.max():.3f} ({env.spec_.joints[int(seam.argmax())].name}) | {step:.3f} |")  # fmt: skip
        env.close()


if __name__ == "__main__":
    main()
