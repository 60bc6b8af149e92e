"""How long converting a BVH file takes: a 10-second take at 120 fps, on one core.

The take is the CMU walk (`tests/data/cmu_02_01_walk.bvh`, or FILE) played back and forth until it
lasts 10 s (1,200 frames), written as a BVH file; the figure is the median wall time of
`motions.bvh_convert.convert_bvh` (parse, recognise, retarget, resample, ground, measure) over 5 runs.

  python -m bench.bvh_speed [FILE]
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path

from characters.rig import character_rig
from motions.bvh_convert import convert_bvh

DEFAULT = Path(__file__).resolve().parents[1] / "tests" / "data" / "cmu_02_01_walk.bvh"


def ten_seconds(source: Path, out: Path) -> int:
    """The source's frames (its first, a calibration pose, dropped) forth and back until 10 s at 120 fps."""
    head, _, body = source.read_text().partition("MOTION")
    rows = [r for r in body.strip().splitlines()[2:] if r.strip()][1:]
    cycle = rows + rows[::-1]
    frames = [cycle[i % len(cycle)] for i in range(1200)]
    out.write_text(f"{head}MOTION\nFrames: {len(frames)}\nFrame Time: {1 / 120:.7f}\n" + "\n".join(frames) + "\n")
    return len(frames)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("file", nargs="?", type=Path, default=DEFAULT)
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    rig = character_rig("humanoid")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "take.bvh"
        frames = ten_seconds(args.file, path)
        convert_bvh(path, rig)  # warm-up: imports, the rig
        times = []
        for _ in range(args.runs):
            t = time.perf_counter()
            convert_bvh(path, rig)
            times.append(time.perf_counter() - t)
    print(f"{time.strftime('%Y-%m-%d %H:%M')} · {os.cpu_count()} cores · {frames} frames at 120 fps ({frames / 120:.1f} s)")
    print(f"convert: median {statistics.median(times):.3f} s over {args.runs} runs (min {min(times):.3f}, max {max(times):.3f}); "
          f"target under 2 s: {'met' if statistics.median(times) < 2 else 'not met'}")



if __name__ == "__main__":
    main()
