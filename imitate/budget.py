"""Parse training budgets: samples (`5M`, `200k`, `1000000`) or wall time (`2h`, `30m`, `90s`)."""

from __future__ import annotations

import re

from awr_core.config import Budget
from imitate.errors import UserError

_SAMPLES = {"": 1, "k": 1_000, "m": 1_000_000, "g": 1_000_000_000}
_SECONDS = {"s": 1, "m": 60, "min": 60, "h": 3600}


def parse_budget(text: str) -> Budget:
    t = text.strip().lower().replace("_", "")
    m = re.fullmatch(r"(\d+(?:\.\d+)?)\s*(h|min|s)", t)
    if m:
        return Budget(seconds=float(m.group(1)) * _SECONDS[m.group(2)])
    m = re.fullmatch(r"(\d+(?:\.\d+)?)\s*([kmg]?)", t)
    if m:
        return Budget(samples=int(float(m.group(1)) * _SAMPLES[m.group(2)]))
    raise UserError(f"--budget {text!r}: expected samples like 5M or 200k, or wall time like 2h, 30min, 90s")


def describe(budget: Budget) -> str:
    parts = []
    if budget.samples is not None:
        parts.append(f"{budget.samples:,} samples")
    if budget.seconds is not None:
        parts.append(f"{budget.seconds / 3600:.2f} h" if budget.seconds >= 3600 else f"{budget.seconds / 60:.1f} min")
    return " or ".join(parts) if parts else "no limit"
