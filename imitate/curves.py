"""curve.png: normalized return and tracking error against samples and wall time."""

from __future__ import annotations

import math
from pathlib import Path

from awr_core.log import read_log


def plot_curve(log_csv: Path, out_png: Path, title: str = "", step_seconds: float = 1.0 / 30.0) -> None:
    """A 3x2 figure from a run's log.csv against samples and wall time, written atomically (temp file + rename):
    normalized return; episode length in seconds (step_seconds per control step) with the test success rate,
    which move while the return per step barely does; tracking errors."""
    import matplotlib

    matplotlib.use("Agg")  # files only, no screen
    import matplotlib.pyplot as plt

    rows = read_log(log_csv)
    if not rows:
        return
    samples = [r["samples"] / 1e6 for r in rows]
    hours = [r["wall_time_h"] for r in rows]

    def series(key):
        pts = [(i, r.get(key, math.nan)) for i, r in enumerate(rows)]
        return [(i, v) for i, v in pts if not math.isnan(v)]

    fig, axes = plt.subplots(3, 2, figsize=(10, 9.5), sharey="row")
    for col, (xs, xlabel) in enumerate(((samples, "samples (millions)"), (hours, "wall time (h)"))):
        ax = axes[0, col]
        for key, label, style in (
            ("train_normalized_return", "train (stochastic)", "-"),
            ("test_normalized_return", "test (deterministic)", "o-"),
        ):
            pts = series(key)
            ax.plot([xs[i] for i, _ in pts], [v for _, v in pts], style, ms=3, label=label)
        ax.set_ylim(0, 1)
        ax.set_ylabel("normalized return")
        ax.grid(alpha=0.3)
        ax.legend(loc="lower right", fontsize=8)
        ax = axes[1, col]
        for key, label, style in (("train_episode_length", "train episodes (s)", "-"), ("test_episode_length", "test episodes (s)", "o-")):
            pts = series(key)
            ax.plot([xs[i] for i, _ in pts], [v * step_seconds for _, v in pts], style, ms=3, label=label)
        ax.set_ylabel("episode length (s)")
        ax.set_ylim(bottom=0)
        ax.grid(alpha=0.3)
        rate = ax.twinx()
        pts = series("test_success_rate")
        rate.plot([xs[i] for i, _ in pts], [100 * v for _, v in pts], "s--", ms=3, color="tab:green", label="test success (%)")
        rate.set_ylim(0, 105)
        if col == 1:
            rate.set_ylabel("test success (%)")
        lines = ax.get_legend_handles_labels()
        more = rate.get_legend_handles_labels()
        ax.legend(lines[0] + more[0], lines[1] + more[1], loc="upper left", fontsize=8)
        ax = axes[2, col]
        for key, label in (
            ("test_body_pos_err_m", "test body position error (m)"),
            ("test_end_effector_err_m", "test end-effector error (m)"),
        ):
            pts = series(key)
            ax.plot([xs[i] for i, _ in pts], [v for _, v in pts], "o-", ms=3, label=label)
        ax.set_xlabel(xlabel)
        ax.set_ylabel("tracking error (m)")
        ax.grid(alpha=0.3)
        ax.legend(loc="upper right", fontsize=8)
    fig.suptitle(title)
    fig.tight_layout()
    tmp = out_png.with_suffix(".tmp.png")
    fig.savefig(tmp, dpi=90)
    plt.close(fig)
    tmp.replace(out_png)
