"""The clip library: every humanoid clip trained with the defaults, one table of how far each got.

Each clip trains with `imitate --motion CLIP --character humanoid` and nothing else but its bar (the defaults:
a 4-hour cap, stopping at the bar; `--bar-return 0.7` for the acrobatic and get-up clips) into ROOT/CLIP. The
sweep can be stopped at any moment and run again with the same
command: a clip whose training finished is not trained again, one that was cut off resumes from its latest
checkpoint (`imitate --resume`), and the table is written from whatever the run folders hold. Clips train
`--parallel` at a time (one core each on a 2-core machine). Each trained run's latest policy is scored on 30
deterministic episodes (`imitate eval RUN --episodes 30 --checkpoint latest --json`, kept as eval30.json in its
folder, scored again when the run has trained on since).

  python -m bench.library                                  # every clip, the table at the end
  python -m bench.library --clips jump kick --parallel 2   # some clips
  python -m bench.library --table-only                     # the table from the run folders as they are

The bar per clip: normalized return 0.8 (0.7 for the acrobatic and get-up clips) with at
least 90% success over 30 episodes.
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

CLIPS = ("walk", "run", "jump", "kick", "punch", "crawl", "dance_a", "dance_b",
         "cartwheel", "spinkick", "backflip", "spin", "roll", "getup_facedown", "getup_faceup")  # fmt: skip
HARD = {"backflip", "cartwheel", "spin", "spinkick", "roll", "getup_facedown", "getup_faceup"}
SUCCESS_BAR = 0.9
BUDGET_HOURS = 4.0  # imitate's default cap
CONTROL_HZ = 30.0  # the default control rate: log.csv counts episode lengths in control steps
DONE = "library_done.json"  # written beside a run when its training ended by itself (bar or budget)
EVAL = "eval30.json"
# DeepMimic's PPO per clip (Peng et al. 2018, Table 1): (million samples, normalized return). Recalled from the paper,
# not checked against it: the table is quoted as recalled wherever it is printed.
DEEPMIMIC = {"walk": (61, 0.985), "run": (53, 0.951), "jump": (86, 0.947), "kick": (50, 0.854), "punch": (63, 0.949),
             "crawl": (68, 0.932), "dance_a": (67, 0.863), "dance_b": (79, 0.822), "cartwheel": (51, 0.804),
             "spinkick": (67, 0.748), "backflip": (72, 0.729), "spin": (191, 0.664), "roll": (81, 0.735),
             "getup_facedown": (49, 0.852), "getup_faceup": (66, 0.833)}  # fmt: skip


def return_bar(clip: str) -> float:
    return 0.7 if clip in HARD else 0.8


def imitate_exe() -> str:
    return str(Path(sys.executable).with_name("imitate"))


def train_command(clip: str, run: Path) -> list[str]:
    """A new run with the defaults, or the run resumed with what is left of its 4 hours (a resumed run's
    budget counts from the resume), stopping at the clip's bar (`--bar-return 0.7` for the acrobatic and get-up
    clips; imitate's default is 0.8)."""
    bar = ["--bar-return", "0.7"] if return_bar(clip) != 0.8 else []
    last = last_row(run / "log.csv")
    if (run / "config.json").exists() and (run / "checkpoints" / "latest.pt").exists() and last:
        left_min = max(1.0, BUDGET_HOURS * 60 - float(last["wall_time_h"]) * 60)
        return [imitate_exe(), "--resume", str(run), "--budget", f"{left_min:.0f}min", *bar]
    return [imitate_exe(), "--motion", f"{clip}.txt", "--character", "humanoid", "--out", str(run), *bar]


def first_bar_row(log: Path, clip: str) -> dict | None:
    """The first log row whose test meets the clip's bar (normalized return and success), or None."""
    if not log.exists():
        return None
    with log.open() as f:
        for row in csv.DictReader(f):
            try:
                if float(row["test_normalized_return"]) >= return_bar(clip) and float(row["test_success_rate"]) >= SUCCESS_BAR:
                    return row
            except (KeyError, ValueError):
                continue
    return None


def stopped_at_bar(run: Path, clip: str) -> bool:
    """Whether the run's training ended by itself at the bar: its last stop in library_train.log says the skill
    met the bar (an iteration's test, confirmed on `imitate eval`'s 30 episodes)."""
    log = run / "library_train.log"
    if not log.exists():  # trained outside the sweep: it ended by itself (DONE) on a test that meets the bar
        last = last_row(run / "log.csv")
        return (run / DONE).exists() and last is not None and first_bar_row(run / "log.csv", clip) is not None and \
            float(last["test_normalized_return"]) >= return_bar(clip) and float(last["test_success_rate"]) >= SUCCESS_BAR
    stops = [line for line in log.read_text(errors="replace").splitlines() if line.startswith("stopped:")]
    return bool(stops) and "meets the bar" in stops[-1]


def bar_cells(run: Path, clip: str) -> list[str]:
    """Samples and hours to the bar: where the run stopped confirmed at it; else, in parentheses, its first
    8-episode test at the clip's bar, not confirmed; else not yet."""
    last = last_row(run / "log.csv")
    if stopped_at_bar(run, clip) and last:
        return [f"{int(float(last['samples'])) / 1e6:.2f}M", f"{float(last['wall_time_h']):.2f}"]
    hit = first_bar_row(run / "log.csv", clip)
    if hit:
        return [f"({int(float(hit['samples'])) / 1e6:.2f}M: an 8-episode test, not confirmed)", f"({float(hit['wall_time_h']):.2f})"]
    return ["not yet", ""]


def last_row(log: Path) -> dict | None:
    if not log.exists():
        return None
    rows = list(csv.DictReader(log.open()))
    return rows[-1] if rows else None


def evaluate(run: Path) -> None:
    """30 episodes of the run's latest policy (`imitate eval RUN --episodes 30 --checkpoint latest`), kept as EVAL
    with the samples it was trained on."""
    out = subprocess.run([imitate_exe(), "eval", str(run), "--episodes", "30", "--checkpoint", "latest", "--json"],
                         capture_output=True, text=True)  # fmt: skip
    if out.returncode == 0:
        result = json.loads(out.stdout)
        result["samples"] = int(float(last_row(run / "log.csv")["samples"]))
        (run / EVAL).write_text(json.dumps(result, indent=2) + "\n")
    else:
        print(f"eval of {run} failed: {out.stderr.strip().splitlines()[-1:]}", flush=True)


def current_eval(run: Path) -> dict | None:
    """The run's EVAL when it scored the policy the run holds now (trained on as many samples), else None."""
    last = last_row(run / "log.csv")
    if not (run / EVAL).exists() or last is None:
        return None
    ev = json.loads((run / EVAL).read_text())
    return ev if ev.get("samples") == int(float(last["samples"])) else None


def sweep(clips: list[str], root: Path, parallel: int) -> None:
    """Train the clips that have not finished, `parallel` at a time; score each one that ends."""
    pending = [c for c in clips if not (root / c / DONE).exists()]
    running: dict[str, subprocess.Popen] = {}
    while pending or running:
        while pending and len(running) < parallel:
            clip = pending.pop(0)
            run = root / clip
            run.mkdir(parents=True, exist_ok=True)
            cmd = train_command(clip, run)
            print("+", " ".join(cmd), flush=True)
            with (run / "library_train.log").open("a") as log:
                running[clip] = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT)
        time.sleep(5)
        for clip, proc in list(running.items()):
            if proc.poll() is None:
                continue
            del running[clip]
            run = root / clip
            if proc.returncode == 0:  # it stopped by itself, at the bar or its budget (130: interrupted)
                (run / DONE).write_text(json.dumps({"finished": time.strftime("%Y-%m-%d %H:%M")}) + "\n")
                evaluate(run)
                print(f"{clip}: done", flush=True)
            else:
                print(f"{clip}: training exited with {proc.returncode} (see {run / 'library_train.log'}); run the sweep again to resume",
                      flush=True)  # fmt: skip
    refresh_evals(clips, root)


def refresh_evals(clips: list[str], root: Path) -> None:
    """Score every trained run whose EVAL is missing or older than its latest policy."""
    for clip in clips:
        if last_row(root / clip / "log.csv") and current_eval(root / clip) is None:
            print(f"scoring {clip} on 30 episodes", flush=True)
            evaluate(root / clip)


def table(clips: list[str], root: Path) -> str:
    lines = [
        "| clip | bar | samples to the bar (where it stopped, confirmed; in parentheses an unconfirmed 8-episode test) | hours to the bar "
        "| 30 episodes of the latest policy: normalized return | success | falls | body error (m) "
        "| last test (8 episodes): return, success, episode length | trained so far | status | DeepMimic (recalled): samples, return |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for clip in clips:
        run = root / clip
        log = run / "log.csv"
        last, ev = last_row(log), current_eval(run)
        trained = f"{int(float(last['samples'])) / 1e6:.2f}M, {float(last['wall_time_h']):.2f} h" if last else "not started"
        if ev:
            s = ev
            met = s["normalized_return"] >= return_bar(clip) and s["success_rate"] >= SUCCESS_BAR
            cells = [f"{s['normalized_return']:.3f}", f"{s['success_rate']:.0%}", f"{s['fall_rate']:.0%}", f"{s['body_pos_err_m']:.3f}"]
            status = "meets the bar" if met else "below the bar"
        else:
            cells = ["", "", "", ""]
            status = "in progress" if last else "not started"
        to_bar = bar_cells(run, clip)
        test = (f"{float(last['test_normalized_return']):.3f}, {float(last['test_success_rate']):.0%}, "
                f"{float(last['test_episode_length']) / CONTROL_HZ:.1f} s") if last else ""  # fmt: skip
        dm_samples, dm_return = DEEPMIMIC[clip]
        lines.append(f"| {clip} | {return_bar(clip)} | {' | '.join(to_bar)} | {' | '.join(cells)} | {test} | {trained} | {status} "
                     f"| {dm_samples}M, {dm_return:.3f} |")
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--clips", nargs="+", default=list(CLIPS), choices=CLIPS, metavar="CLIP", help="clips (default: all 15)")
    ap.add_argument("--root", type=Path, default=Path("runs/library"), help="where the run folders go (default: runs/library)")
    ap.add_argument("--parallel", type=int, default=max(1, (os.cpu_count() or 2) // 2),
                    help="clips training at once (default: half the cores, so each training has one worker and one learner core)")
    ap.add_argument("--table-only", action="store_true", help="write the table from the run folders without training")
    args = ap.parse_args()
    if not args.table_only:
        sweep(args.clips, args.root, max(1, args.parallel))
    else:
        refresh_evals(args.clips, args.root)
    text = table(args.clips, args.root)
    print(text)
    (args.root).mkdir(parents=True, exist_ok=True)
    (args.root / "table.md").write_text(text + "\n")
    print(f"\nwritten: {args.root / 'table.md'}", file=sys.stderr)


if __name__ == "__main__":
    main()
