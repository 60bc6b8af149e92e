"""Ship a trained run as the package's controller for its clip: export, evaluate, record.

Writes imitate/controllers/<character>-<clip stem>/: controller.onnx + controller.json
(`imitate export`), the run's config.json, log.csv and curve.png, and eval.json with
the full `imitate eval` of the run (10 deterministic episodes of 20 s) and the short
check that tests/test_shipped_controllers.py repeats through the ONNX controller. A controller of a clip
that does not loop ships only when, from the clip's start (where `imitate play` begins), it performs the
whole clip; otherwise nothing is written and it exits 2.

  python -m tools.ship_controller RUN [--checkpoint best]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import time
from pathlib import Path

from imitate.eval_cmd import evaluate
from imitate.evaluation import check_shipped, one_shot_from_start
from imitate.run_folder import read_config
from imitate.shipped import CHECK_EPISODES, CHECK_SECONDS, shipped_dir


def hardware() -> str:
    model = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{model}, {os.cpu_count()} cores"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("run_dir", type=Path)
    ap.add_argument("--checkpoint", choices=("best", "latest"), default="best")
    ap.add_argument("--episodes", type=int, default=10)
    args = ap.parse_args()
    config = read_config(args.run_dir)
    out = shipped_dir(config.character, config.clip_name, steered=config.env.steering is not None)
    out.mkdir(parents=True, exist_ok=True)
    exe = Path(sys.executable).with_name("imitate")
    subprocess.run([str(exe), "export", str(args.run_dir), "-o", str(out / "controller.onnx"), "--checkpoint", args.checkpoint], check=True)
    for name in ("config.json", "log.csv", "curve.png"):
        if (args.run_dir / name).exists():
            shutil.copy(args.run_dir / name, out / name)
    full = evaluate(args.run_dir, None, None, None, args.episodes, checkpoint=args.checkpoint)
    full.pop("per_episode")
    full["controller"] = f"{args.checkpoint}.pt"
    full["clip"] = config.clip_name  # the run scores its own copy, clip.txt: the record names the clip
    check = check_shipped(out)
    start = one_shot_from_start(out)
    if start is not None and start["ending"] != "clip end":
        shutil.rmtree(out)
        where = start.get("fall_link") or start.get("drift_link")
        print(f"not shipped: {args.run_dir}: from the clip's start the controller ends by {start['ending']} ({where}) after "
              f"{start['seconds']:.2f} s, before the clip's end", file=sys.stderr)  # fmt: skip
        sys.exit(2)
    record = {
        # the run folder is the shipper's, not the user's: the record names it RUN
        "command": " ".join(["python -m tools.ship_controller", *("RUN" if a == str(args.run_dir) else a for a in sys.argv[1:])]),
        "date": time.strftime("%Y-%m-%d %H:%M"),
        "hardware": hardware(),
        "full": full,
        "check": {**check, "episodes": CHECK_EPISODES, "seconds": CHECK_SECONDS},
    }
    (out / "eval.json").write_text(json.dumps(record, indent=2) + "\n")
    print(json.dumps(record, indent=2))


if __name__ == "__main__":
    main()
