"""Per-iteration log: CSV with the official AWR columns (plus ours), TensorBoard when installed."""

from __future__ import annotations

import csv
import math
from pathlib import Path

# the official implementation's columns, then what this package adds
COLUMNS = [
    "iteration", "wall_time_h", "samples", "train_return", "test_return", "critic_loss", "actor_loss",
    "adv_mean", "adv_std", "weight_min", "weight_mean", "weight_max", "clip_fraction",
    "train_episode_length", "test_episode_length", "sample_seconds", "update_seconds", "samples_per_second",
    "action_std",
]  # fmt: skip


class IterationLog:
    """Appends one row per iteration to `path` (created with a header); extra columns are fixed at creation."""

    def __init__(self, path: str | Path, extra_columns: list[str] | None = None, tensorboard: bool = True) -> None:
        self.path = Path(path)
        self.columns = COLUMNS + [c for c in (extra_columns or []) if c not in COLUMNS]
        if self.path.exists() and self.path.stat().st_size > 0:
            with self.path.open() as f:
                header = next(csv.reader(f), None)
            if header:
                self.columns = header
        else:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self.path.open("w", newline="") as f:
                csv.writer(f).writerow(self.columns)
        self._tb = None
        if tensorboard:
            try:
                from torch.utils.tensorboard import SummaryWriter

                self._tb = SummaryWriter(str(self.path.parent / "tensorboard"))
            except Exception:  # tensorboard not installed: CSV only
                self._tb = None

    def write(self, row: dict[str, float]) -> None:
        with self.path.open("a", newline="") as f:
            csv.writer(f).writerow([_fmt(row.get(c)) for c in self.columns])
        if self._tb is not None:
            for key, value in row.items():
                if isinstance(value, (int, float)) and not math.isnan(value) and key != "iteration":
                    self._tb.add_scalar(key, value, int(row.get("samples", 0)))
            self._tb.flush()

    def truncate_after(self, iteration: int) -> None:
        """Drop rows past `iteration` (after resuming from an older checkpoint)."""
        if not self.path.exists():
            return
        with self.path.open() as f:
            rows = list(csv.reader(f))
        keep = [rows[0]] + [r for r in rows[1:] if r and int(float(r[0])) <= iteration]
        with self.path.open("w", newline="") as f:
            csv.writer(f).writerows(keep)


def read_log(path: str | Path) -> list[dict[str, float]]:
    with Path(path).open() as f:
        return [{k: (float(v) if v not in ("", None) else math.nan) for k, v in row.items()} for row in csv.DictReader(f)]


def _fmt(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return "" if math.isnan(value) else f"{value:.6g}"
    return str(value)
