"""How far ahead of the character a steered clip may turn: one steered controller scored on the steering bar
with the clip's lead over the character's heading capped at each angle given (180 degrees: no cap), the same
episodes for each (60 s, the command changing every 3-7 s, falls only, seeds from --seed).

  python -m bench.steer_lead RUN --checkpoint latest --episodes 120 --caps 180 45

The default cap (`characters.steering.SteeringConfig.lead_cap_rad`) is the one this measures.
"""

from __future__ import annotations

import argparse
import math
import time
from dataclasses import replace
from pathlib import Path

from imitate.defaults import STEER_BAR_SECONDS
from imitate.evaluation import endings_line, for_steering_bar, run_episodes, steering_bar, summarize
from imitate.policy_source import from_run


def with_cap(source, cap_deg: float):
    """The steered source with its clip's lead capped at cap_deg degrees."""
    steering = replace(source.env.steering, lead_cap_rad=math.radians(cap_deg))
    return replace(source, env=replace(source.env, steering=steering))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("run_dir", type=Path)
    ap.add_argument("--checkpoint", choices=("best", "latest"), default="best")
    ap.add_argument("--episodes", type=int, default=120)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--caps", type=float, nargs="+", default=[180.0, 45.0], help="lead caps in degrees")
    args = ap.parse_args()
    base = for_steering_bar(from_run(args.run_dir, args.checkpoint))
    if base.env.steering is None:
        raise SystemExit(f"{args.run_dir}: not a steered run")
    print(f"{args.run_dir} ({args.checkpoint}.pt), {args.episodes} episodes of {STEER_BAR_SECONDS:g} s from seed {args.seed}")
    print("| lead cap | no fall | heading error | speed error | pose reward | endings |")
    print("|---|---|---|---|---|---|")
    for cap in args.caps:
        start = time.perf_counter()
        s = summarize(run_episodes(with_cap(base, cap), args.episodes, seed=args.seed, seconds=STEER_BAR_SECONDS))
        met, _ = steering_bar(s)
        verdict = f"{'meets' if met else 'misses'} the bar; {time.perf_counter() - start:.0f} s"
        print(f"| {cap:g}° | {1 - s['fall_rate']:.0%} | {math.degrees(s['heading_err_rad']):.1f}° | {s['speed_err_m_s']:.2f} m/s | "
              f"{s['pose_reward']:.2f} | {endings_line(s)} |  ({verdict})", flush=True)  # fmt: skip


if __name__ == "__main__":
    main()
