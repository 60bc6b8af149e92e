"""Compare training runs that differ in one lever, at equal samples.

Two views of each run folder:
- from its log.csv: the mean training-episode length (all exploration episodes of the
  iterations in a window, ~150 per iteration, so little noise) and the test episode
  length, around given sample counts;
- a fresh evaluation of its latest checkpoint: deterministic episodes from random start
  times in one common environment (the imitate defaults; only fields the policy needs,
  like the observation layout, are kept from the run), so runs trained under other
  termination rules are scored alike.

  python bench/levers.py runs/lever-base runs/lever-term05 ... [--at 300k,500k,700k] [--episodes 30]

`--episodes 0` prints the log view alone (for runs whose checkpoints are not at equal samples).
"""

from __future__ import annotations

import argparse
import csv
import time
from dataclasses import fields
from pathlib import Path

import numpy as np

from imitate.budget import parse_budget
from imitate.defaults import IMITATION_ENV
from imitate.eval_cmd import evaluate_run

KEEP = ("reference_obs_steps", "reference_obs_links", "action_mode",
        "relative_action_limit_rad", "relative_lookahead_steps", "control_hz", "sim_hz")


def log_window(rows: list[dict[str, str]], samples: int, column: str, width: int = 40_000) -> float:
    """Mean of `column` over the log rows whose sample count is within `width` below `samples`
    (rows without a value, e.g. test columns before a resumed run's first test, are skipped)."""
    picked = [float(r[column]) for r in rows if samples - width < int(r["samples"]) <= samples and r[column]]
    return float(np.mean(picked)) if picked else float("nan")


def common_env_changes() -> dict:
    """imitate's default EnvConfig, less the fields a run's policy depends on (those stay the run's)."""
    return {f.name: getattr(IMITATION_ENV, f.name) for f in fields(IMITATION_ENV) if f.name not in KEEP}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("runs", type=Path, nargs="+")
    ap.add_argument("--at", default="300k,500k,700k", help="sample counts for the log view")
    ap.add_argument("--episodes", type=int, default=30, help="eval episodes (0: no eval, the log view only)")
    args = ap.parse_args()
    marks = [parse_budget(x).samples for x in args.at.split(",")]
    evaluation = f"latest checkpoint, {args.episodes} deterministic episodes, imitate's default env" if args.episodes else "none"
    print(f"# {time.strftime('%Y-%m-%d %H:%M')} · log windows of 40k samples below each mark · eval: {evaluation}")
    head = " | ".join(f"train ep. @{m // 1000}k" for m in marks) + " | " + " | ".join(f"test ep. @{m // 1000}k" for m in marks)
    print(f"| run | {head} | eval samples | eval episode (steps) | eval norm. return | eval success | eval body err (m) |")
    print("|---" * (1 + 2 * len(marks) + 5) + "|")
    for run in args.runs:
        with open(run / "log.csv") as f:
            rows = list(csv.DictReader(f))
        train = " | ".join(f"{log_window(rows, m, 'train_episode_length'):.1f}" for m in marks)
        test = " | ".join(f"{log_window(rows, m, 'test_episode_length'):.1f}" for m in marks)
        last = int(rows[-1]["samples"])
        if args.episodes == 0:
            print(f"| {run.name} | {train} | {test} | {last:,} | - | - | - | - |")
            continue
        s = evaluate_run(run, args.episodes, None, "latest", 0, **common_env_changes())
        steps = float(np.mean([e["steps"] for e in s["per_episode"]]))
        print(f"| {run.name} | {train} | {test} | {last:,} | {steps:.1f} | {s['normalized_return']:.3f} | "
              f"{s['success_rate']:.0%} | {s['body_pos_err_m']:.2f} |")  # fmt: skip


if __name__ == "__main__":
    main()
