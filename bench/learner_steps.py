"""A cheaper learner: the defaults against fewer policy gradient steps per iteration, side by side.

The learner sets the pace of training on 2 cores (bench/RESULTS.md, "Training speed"): each iteration of
4,096 new samples takes 1,000 policy and 200 value gradient steps (the AWR author's imitation setting takes
200 and 100). Fewer steps make each iteration cheaper and may cost samples. For each clip this trains
`imitate --motion CLIP --character humanoid` with the defaults and with `--actor-steps N`, the same seed,
`--parallel` runs at a time (one core each), each until the bar (or the budget), and writes one table:
samples and wall hours to the bar per arm, and their ratios. Stopped at any moment, the same command
continues: a finished run is kept, a cut-off run resumes (`imitate --resume`).

  python -m bench.learner_steps --clips walk run --actor-steps 250
  python -m bench.learner_steps --clips walk run --actor-steps 250 --table-only
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import subprocess
import sys
import time
from pathlib import Path

from imitate.defaults import BAR_NORMALIZED_RETURN, BAR_SUCCESS_RATE

DONE = "finished.json"


def arms(clips: list[str], actor_steps: int, root: Path) -> list[tuple[str, str, Path, list[str]]]:
    """(clip, arm name, run folder, extra imitate options) for every clip and arm."""
    return [(clip, name, root / f"{clip}-{name}", extra) for clip in clips
            for name, extra in (("defaults", []), (f"actor{actor_steps}", ["--actor-steps", str(actor_steps)]))]  # fmt: skip


def rows(log: Path) -> list[dict]:
    return list(csv.DictReader(log.open())) if log.exists() else []


def command(clip: str, run: Path, extra: list[str], budget: str, seed: int) -> list[str]:
    exe = str(Path(sys.executable).with_name("imitate"))
    if (run / "checkpoints" / "latest.pt").exists() and rows(run / "log.csv"):
        return [exe, "--resume", str(run)]
    return [exe, "--motion", f"{clip}.txt", "--character", "humanoid", "--seed", str(seed), "--budget", budget, "--out", str(run), *extra]


def train(jobs: list[tuple[str, str, Path, list[str]]], budget: str, seed: int, parallel: int) -> None:
    pending = [j for j in jobs if not (j[2] / DONE).exists()]
    running: dict[Path, subprocess.Popen] = {}
    while pending or running:
        while pending and len(running) < parallel:
            clip, _, run, extra = pending.pop(0)
            run.mkdir(parents=True, exist_ok=True)
            cmd = command(clip, run, extra, budget, seed)
            print("+", " ".join(cmd[1:]), flush=True)
            with (run / "train.log").open("a") as log:
                running[run] = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT)
        time.sleep(5)
        for run, proc in list(running.items()):
            if proc.poll() is not None:
                del running[run]
                if proc.returncode == 0:
                    (run / DONE).write_text(json.dumps({"finished": time.strftime("%Y-%m-%d %H:%M")}) + "\n")
                print(f"{run.name}: exited with {proc.returncode}", flush=True)


def outcome(run: Path) -> dict | None:
    """Where a run stands: its last row's samples and hours, whether it stopped at the bar."""
    log = rows(run / "log.csv")
    if not log:
        return None
    last = log[-1]
    met = float(last["test_normalized_return"]) >= BAR_NORMALIZED_RETURN and float(last["test_success_rate"]) >= BAR_SUCCESS_RATE
    return {"samples": int(float(last["samples"])), "hours": float(last["wall_time_h"]),
            "at_bar": met and (run / DONE).exists(), "finished": (run / DONE).exists()}  # fmt: skip


def table(jobs: list[tuple[str, str, Path, list[str]]]) -> str:
    lines = ["| clip | arm | stopped at the bar | samples | wall hours | samples vs defaults | hours vs defaults |",
             "|---|---|---|---|---|---|---|"]
    base: dict[str, dict] = {}
    for clip, name, run, _ in jobs:
        o = outcome(run)
        if o is None:
            lines.append(f"| {clip} | {name} | not started | | | | |")
            continue
        if name == "defaults":
            base[clip] = o
        state = "yes" if o["at_bar"] else ("no (budget)" if o["finished"] else "still training")
        ratio = ["", ""]
        if name != "defaults" and clip in base and base[clip]["at_bar"] and o["at_bar"]:
            ratio = [f"{o['samples'] / base[clip]['samples']:.2f}x", f"{o['hours'] / base[clip]['hours']:.2f}x"]
        lines.append(f"| {clip} | {name} | {state} | {o['samples'] / 1e6:.2f}M | {o['hours']:.2f} | {' | '.join(ratio)} |")
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--clips", nargs="+", default=["walk", "run"], help="humanoid clips (default: walk run)")
    ap.add_argument("--actor-steps", type=int, default=250, help="policy steps per iteration of the cheaper arm (default: 250)")
    ap.add_argument("--budget", default="2h", help="cap per run (default: 2h)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--parallel", type=int, default=max(1, (os.cpu_count() or 2) // 2), help="runs at once (default: half the cores)")
    ap.add_argument("--root", type=Path, default=Path("runs/learner-steps"))
    ap.add_argument("--table-only", action="store_true")
    args = ap.parse_args()
    jobs = arms(args.clips, args.actor_steps, args.root)
    if not args.table_only:
        train(jobs, args.budget, args.seed, args.parallel)
    print(table(jobs))


if __name__ == "__main__":
    main()
