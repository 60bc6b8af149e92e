"""Control steps per second: our ImitationEnv vs PyBullet's DeepMimic port vs bare stepping.

All three run the humanoid on the run clip at 30 Hz control / 240 Hz physics
with random actions around the reference pose (Gaussian, std 0.05 of the
action half-range) and reset when an episode ends. They are measured in
interleaved rounds in one process, so machine noise hits all of them alike;
the report gives the median of the rounds and the ratios.

  python bench/env_throughput.py [--seconds 4] [--rounds 5] [--procs 1 2]
"""

from __future__ import annotations

import argparse
import contextlib
import io
import multiprocessing as mp
import os
import platform
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from characters.config import EnvConfig  # noqa: E402
from characters.env import ImitationEnv, pb  # noqa: E402


class ReferenceActions:
    """Absolute actions that reproduce the reference pose, tabulated at 240 Hz so that
    generating the benchmark's actions costs next to nothing in every loop."""

    def __init__(self, env: ImitationEnv) -> None:
        self.period = env.clip.duration
        times = np.arange(0.0, self.period, 1.0 / 240)
        self.table = np.stack(
            [env.actions.action_for(env.reference.state_at(t).pose.joints, env.reference.state_at(t).pose.joints) for t in times]
        )
        self.half = 0.5 * (env.action_space.high - env.action_space.low)

    def sample(self, t: float, rng) -> np.ndarray:
        i = int((t % self.period) * 240) % len(self.table)
        return self.table[i] + rng.normal(0.0, 0.05, self.half.shape) * self.half


def run_ours(env: ImitationEnv, acts: ReferenceActions, seconds: float, rng) -> float:
    env.reset(seed=int(rng.integers(1 << 30)))
    steps, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        _, _, term, trunc, _ = env.step(acts.sample(env.time, rng))
        steps += 1
        if term or trunc:
            env.reset()
    return steps / (time.perf_counter() - start)


def run_port(port, acts: ReferenceActions, seconds: float, rng) -> float:
    from deepmimic_port import port_control_step

    with contextlib.redirect_stdout(io.StringIO()):
        port.reset()
    steps, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        _, _, done = port_control_step(port, acts.sample(port.t, rng).tolist())
        steps += 1
        if done:
            with contextlib.redirect_stdout(io.StringIO()):
                port.reset()
    return steps / (time.perf_counter() - start)


def run_bare(env: ImitationEnv, seconds: float, rng) -> float:
    """Stable PD toward the reference + stepSimulation, nothing else (reset when the root drops)."""
    body, client = env.body, env.client
    env.reset(seed=int(rng.integers(1 << 30)))
    targets = env.reference.state_at(env.time).pose.joints
    steps, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        body.set_pd_targets(targets)
        for _ in range(8):
            body.apply_pd()
            pb.stepSimulation(physicsClientId=client)
        steps += 1
        if pb.getBasePositionAndOrientation(body.body, physicsClientId=client)[0][1] < 0.5:
            env.reset()
    return steps / (time.perf_counter() - start)


def compare(seconds: float, rounds: int) -> dict[str, list[float]]:
    from deepmimic_port import load_port_env

    rng = np.random.default_rng(0)
    ours = ImitationEnv("humanoid", "run.txt", EnvConfig())
    acts = ReferenceActions(ours)
    with contextlib.redirect_stdout(io.StringIO()):
        port = load_port_env()
    results: dict[str, list[float]] = {"ours": [], "port": [], "bare": []}
    for _ in range(rounds):
        results["ours"].append(run_ours(ours, acts, seconds, rng))
        results["port"].append(run_port(port, acts, seconds, rng))
        results["bare"].append(run_bare(ours, seconds, rng))
    return results


def _scaling_worker(seconds: float, seed: int, out) -> None:
    env = ImitationEnv("humanoid", "run.txt", EnvConfig())
    out.put(run_ours(env, ReferenceActions(env), seconds, np.random.default_rng(seed)))


def scaling(procs: int, seconds: float) -> float:
    ctx = mp.get_context("forkserver")
    queue = ctx.Queue()
    workers = [ctx.Process(target=_scaling_worker, args=(seconds, i, queue)) for i in range(procs)]
    for w in workers:
        w.start()
    total = sum(queue.get() for _ in workers)
    for w in workers:
        w.join()
    return total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=4.0, help="seconds per measurement")
    parser.add_argument("--rounds", type=int, default=5, help="interleaved rounds")
    parser.add_argument("--procs", type=int, nargs="*", default=[1, 2], help="process counts for the scaling table")
    args = parser.parse_args()
    cpu = platform.processor() or platform.machine()
    print(f"# {time.strftime('%Y-%m-%d %H:%M')} · {cpu} · {os.cpu_count()} cores · python {platform.python_version()}")
    res = compare(args.seconds, args.rounds)
    med = {k: statistics.median(v) for k, v in res.items()}
    print("\n| loop | control steps/s, one core (median of rounds) | rounds |")
    print("|---|---|---|")
    for key, label in (("ours", "ours (ImitationEnv)"), ("port", "PyBullet deep_mimic port"), ("bare", "bare stable PD + stepSimulation")):
        print(f"| {label} | {med[key]:.0f} | {', '.join(f'{x:.0f}' for x in res[key])} |")
    ratios_port = [o / p for o, p in zip(res["ours"], res["port"], strict=True)]
    ratios_bare = [o / b for o, b in zip(res["ours"], res["bare"], strict=True)]
    print(f"\nours / port: {statistics.median(ratios_port):.2f}x (per round: {', '.join(f'{r:.2f}' for r in ratios_port)})")
    print(f"ours / bare: {statistics.median(ratios_bare):.0%} (per round: {', '.join(f'{r:.0%}' for r in ratios_bare)})")
    if args.procs:
        print("\n| processes | total control steps/s | per process |")
        print("|---|---|---|")
        for n in args.procs:
            total = scaling(n, args.seconds)
            print(f"| {n} | {total:.0f} | {total / n:.0f} |")


if __name__ == "__main__":
    main()
