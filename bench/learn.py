"""Learning benchmark: AWR (`imitate`, the defaults) and PPO (stable-baselines3) on the same imitation task.

For each clip, both train at the same time on this machine (each gets about half the cores) for the same
wall-time budget: AWR is `imitate --motion CLIP --character humanoid --no-until-bar`, PPO trains on that
run's own environment, field for field from its config.json (observation, actions, rewards, termination,
episode length: `bench.ppo_imitation`, DeepMimic's PPO settings as far as SB3 allows). Both curves' tests
are 8 deterministic episodes from random start times scored by the same loop (`imitate.evaluation`), and
the final policies are scored on the 30 episodes of `imitate eval --episodes 30`.

Resumable: run the same command again. AWR resumes exactly (`imitate --resume`), PPO from its last save;
a clip whose two runs ended is not trained again.

  python -m bench.learn --clips walk spinkick jump --budget 1h --seed 0
  python -m bench.learn --clips walk spinkick jump --table-only
"""

from __future__ import annotations

import argparse
import json
import math
import os
import pickle
import platform
import subprocess
import sys
import time
from pathlib import Path

from awr_core.log import read_log
from bench.ppo_imitation import DONE as PPO_DONE
from imitate.budget import parse_budget

AWR_DONE = "awr_done.json"  # written when the AWR run ended by itself (its budget)
FINAL = "final30.json"  # the 30-episode evaluation of the final policy
FINAL_EPISODES = 30
ALGOS = ("AWR", "PPO")


def awr_command(clip: str, run: Path, budget: str, seed: int) -> list[str]:
    """A new AWR run with the defaults, or the run resumed with what is left of its budget."""
    exe = str(Path(sys.executable).with_name("imitate"))
    rows = read_log(run / "log.csv") if (run / "log.csv").exists() else []
    if rows and (run / "checkpoints" / "latest.pt").exists():
        left_s = max(60.0, parse_budget(budget).seconds - rows[-1]["wall_time_h"] * 3600)
        return [exe, "--resume", str(run), "--budget", f"{left_s / 60:.0f}min"]
    return [exe, "--motion", f"{clip}.txt", "--character", "humanoid", "--seed", str(seed), "--out", str(run), "--no-until-bar",
            "--budget", budget]  # fmt: skip


def train_pair(clip: str, out: Path, budget: str, seed: int) -> None:
    """AWR and PPO on `clip` at the same time, each to `budget` of wall time; then each final policy's 30 episodes."""
    awr, ppo = out / clip / "awr", out / clip / "ppo"
    procs = []
    if not (awr / AWR_DONE).exists():
        cmd = awr_command(clip, awr, budget, seed)
        print("+", " ".join(cmd), flush=True)
        procs.append(("AWR", awr, subprocess.Popen(cmd, stdout=open(out / clip / "awr.log", "a"), stderr=subprocess.STDOUT)))
        while not (awr / "config.json").exists():  # PPO trains on the AWR run's own environment
            if procs[-1][2].poll() is not None:
                raise SystemExit(f"{clip}: the AWR run stopped before writing its config (see {out / clip / 'awr.log'})")
            time.sleep(1)
    if not (ppo / PPO_DONE).exists():
        cmd = [sys.executable, "-m", "bench.ppo_imitation", str(awr), str(ppo), "--budget", budget, "--seed", str(seed)]
        print("+", " ".join(cmd), flush=True)
        procs.append(("PPO", ppo, subprocess.Popen(cmd, stdout=open(out / clip / "ppo.log", "a"), stderr=subprocess.STDOUT)))
    for name, run, proc in procs:
        code = proc.wait()
        if code != 0:
            raise SystemExit(f"{clip}: {name} stopped with exit code {code}; run the same command again to continue")
        if name == "AWR":
            (run / AWR_DONE).write_text(json.dumps({"finished": time.strftime("%Y-%m-%d %H:%M")}) + "\n")
    for name, run in (("AWR", awr), ("PPO", ppo)):
        if not (run / FINAL).exists():
            (run / FINAL).write_text(json.dumps(final_eval(name, run, awr)) + "\n")


def final_eval(name: str, run: Path, awr_run: Path) -> dict:
    """The final policy on the 30 episodes of `imitate eval --episodes 30`."""
    from imitate.eval_cmd import evaluate

    if name == "AWR":
        s = evaluate(run, None, None, None, FINAL_EPISODES, checkpoint="latest")
    else:
        s = ppo_eval(run, awr_run)
    return {k: s[k] for k in ("normalized_return", "success_rate", "fall_rate", "body_pos_err_m", "episode_seconds_mean")}


def ppo_eval(run: Path, awr_run: Path) -> dict:
    from stable_baselines3 import PPO

    from bench.ppo_imitation import ppo_source
    from imitate.defaults import EVAL_SEED
    from imitate.evaluation import run_episodes, summarize
    from imitate.run_folder import read_config

    model = PPO.load(run / "model.zip", device="cpu")
    with open(run / "obs_norm.pkl", "rb") as f:
        norm = pickle.load(f)  # the VecNormalize saved beside the model (its statistics; no environments)
    return summarize(run_episodes(ppo_source(model, norm, read_config(awr_run)), FINAL_EPISODES, seed=EVAL_SEED))


def tested(run: Path) -> list[dict]:
    """The rows of a run's log.csv that carry a test."""
    if not (run / "log.csv").exists():
        return []
    return [r for r in read_log(run / "log.csv") if not math.isnan(r.get("test_normalized_return", math.nan))]


def at_samples(rows: list[dict], samples: float) -> dict | None:
    """The last tested row at or below `samples`: a run's test at equal samples."""
    below = [r for r in rows if r["samples"] <= samples]
    return below[-1] if below else None


def table(clips: list[str], out: Path) -> str:
    """One row per clip and algorithm: where each ended (samples, hours, last test, final 30 episodes) and each
    one's test at the samples the slower of the two reached (equal samples)."""
    head = ("| clip | algorithm | samples | hours | first test at the bar (0.8, 90%; 8 episodes): samples, hours | "
            "last test (8 episodes): return, success | final policy, 30 episodes: return, success, falls | "
            "at equal samples (the fewer of the two): test return, success |")
    lines = [head, "|---|---|---|---|---|---|---|---|"]
    for clip in clips:
        runs = {"AWR": out / clip / "awr", "PPO": out / clip / "ppo"}
        rows = {name: tested(run) for name, run in runs.items()}
        ends = [r[-1]["samples"] for r in rows.values() if r]
        equal = min(ends) if len(ends) == 2 else math.nan
        for name, run in runs.items():
            if not rows[name]:
                lines.append(f"| {clip} | {name} | not started |  |  |  |  |  |")
                continue
            last = rows[name][-1]
            final = json.loads((run / FINAL).read_text()) if (run / FINAL).exists() else None
            final_s = (f"{final['normalized_return']:.3f}, {final['success_rate']:.0%}, {final['fall_rate']:.0%}" if final
                       else "still training")  # fmt: skip
            eq = at_samples(rows[name], equal) if not math.isnan(equal) else None
            eq_s = f"{eq['test_normalized_return']:.3f}, {eq['test_success_rate']:.0%} (at {equal / 1e6:.2f}M)" if eq else ""
            bar = next((r for r in rows[name] if r["test_normalized_return"] >= 0.8 and r["test_success_rate"] >= 0.9), None)
            bar_s = f"{bar['samples'] / 1e6:.2f}M, {bar['wall_time_h']:.2f} h" if bar else "not reached"
            lines.append(f"| {clip} | {name} | {last['samples'] / 1e6:.2f}M | {last['wall_time_h']:.2f} | {bar_s} | "
                         f"{last['test_normalized_return']:.3f}, {last['test_success_rate']:.0%} | {final_s} | {eq_s} |")  # fmt: skip
    return "\n".join(lines)


def plot(clip: str, out: Path) -> None:
    """curves.png: both algorithms' test return and success against samples and against wall time."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(2, 2, figsize=(10, 7), sharey="row")
    for name, style in (("AWR", "o-"), ("PPO", "s-")):
        rows = tested(out / clip / name.lower())
        for col, (key, scale, label) in enumerate((("samples", 1e-6, "samples (millions)"), ("wall_time_h", 1.0, "wall time (h)"))):
            xs = [r[key] * scale for r in rows]
            axes[0, col].plot(xs, [r["test_normalized_return"] for r in rows], style, ms=3, label=name)
            axes[1, col].plot(xs, [r["test_success_rate"] for r in rows], style, ms=3, label=name)
            axes[1, col].set_xlabel(label)
    axes[0, 0].set_ylabel("test normalized return")
    axes[1, 0].set_ylabel("test success rate")
    for ax in axes.flat:
        ax.set_ylim(0, 1.02)
        ax.grid(alpha=0.3)
    axes[0, 0].legend()
    fig.suptitle(f"AWR (imitate) and PPO (stable-baselines3) · {clip} · side by side on one machine")
    fig.tight_layout()
    fig.savefig(out / clip / "curves.png", dpi=80)
    plt.close(fig)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--clips", nargs="+", default=["walk", "spinkick", "jump"])
    ap.add_argument("--budget", default="1h", help="wall time per algorithm and clip (both train at once)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", type=Path, default=Path("runs/learn"))
    ap.add_argument("--table-only", action="store_true", help="write the table and figures from the run folders as they are")
    args = ap.parse_args()
    if parse_budget(args.budget).seconds is None:
        raise SystemExit("--budget: give wall time (1h): both algorithms train at once for the same time")
    print(f"# {time.strftime('%Y-%m-%d %H:%M')} · {platform.machine()} · {os.cpu_count()} cores · budget {args.budget} each")
    for clip in args.clips:
        (args.out / clip).mkdir(parents=True, exist_ok=True)
        if not args.table_only:
            train_pair(clip, args.out, args.budget, args.seed)
        plot(clip, args.out)
    text = table(args.clips, args.out)
    (args.out / "table.md").write_text(text + "\n")
    print(text)


if __name__ == "__main__":
    main()
