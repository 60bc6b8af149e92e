"""Control steps per second: our environment vs PyBullet's DeepMimic port vs bare stepping.

All run one character on one clip (the humanoid on the run clip unless --character/--motion say
otherwise; PyBullet's DeepMimic port exists for the humanoid only) at 30 Hz control / 240 Hz physics with
random actions around the reference pose (Gaussian, std 0.05 of the action
half-range) and reset when an episode ends. "ours" is what a rollout worker runs
when training: a batch of K environments stepped as one
(`characters.vector_env.ImitationVectorEnv`, K = --batch, one row per K given); "one env" is a single
`ImitationEnv` behind the Gymnasium API. Bare stepping (stable PD + stepSimulation,
no Python work) is measured twice: one pose held until the root drops (the first
floor), and ours' own physical workload: the same kind of noisy PD targets (drawn
from a table computed before timing) and, after each of the episode lengths ours
had in that round, only the physics of a reset (the saved world restored, a clip
pose set). A character that stumbles and falls every ~12 steps is not the same
work for the solver as one standing still. All are measured in interleaved rounds
in one process, so machine noise hits them alike; the report gives the median of
the rounds and the ratios (ours = the batch). Then, as the verdict, ours (each batch size)
and the floors once more, in turns of a fraction of a second (--slices): the host's noise
changes within seconds, and turns this short meet it alike. The floors in turns are bare
stepping of one world (the first floor), of K worlds in turn (one control step each, as ours
steps its K simulators: a process that holds K simulators pays for it in the CPU's caches even
with no Python work at all), and ours' own physical workload on K worlds in turn (K = the first
batch size): the floor closest to ours. Last, that workload once more with PyBullet's answers to
the queries ours makes every step (state reads, ground contacts), left unused: the most an
environment reading its state through PyBullet's Python API can reach.

  python -m bench.env_throughput [--seconds 4] [--rounds 5] [--batch K [K2 ...]] [--procs 1 2]
  python -m bench.env_throughput --character laikago --motion laikago_walk.txt
"""

from __future__ import annotations

import argparse
import contextlib
import io
import multiprocessing as mp
import os
import platform
import statistics
import time
from collections.abc import Iterator

import numpy as np

from characters.config import EnvConfig
from characters.env import ImitationEnv, pb
from characters.vector_env import ImitationVectorEnv
from imitate.defaults import DEFAULT_ENVS_PER_WORKER


class ReferenceActions:
    """Absolute actions that reproduce the reference pose, tabulated at 240 Hz so that
    generating the benchmark's actions costs next to nothing in every loop."""

    def __init__(self, env: ImitationEnv) -> None:
        self.period = env.clip.duration
        times = np.arange(0.0, self.period, 1.0 / 240)
        self.poses = np.stack([env.reference.state_at(t).pose.joints for t in times])  # [rows, D] the clip's joints
        self.table = np.stack([env.actions.action_for(pose, pose) for pose in self.poses])
        self.half = 0.5 * (env.action_space.high - env.action_space.low)

    def sample(self, t: float, rng) -> np.ndarray:
        i = int((t % self.period) * 240) % len(self.table)
        return self.table[i] + rng.normal(0.0, 0.05, self.half.shape) * self.half

    def sample_batch(self, times: np.ndarray, rng) -> np.ndarray:
        """Actions [K,A] for K environments at their times, in one draw (as a policy acts for a batch)."""
        i = ((times % self.period) * 240).astype(int) % len(self.table)
        return self.table[i] + rng.normal(0.0, 0.05, (len(times), self.half.size)) * self.half

    def target_table(self, env: ImitationEnv, rng, draws: int = 8) -> np.ndarray:
        """PD targets [rows, draws, D] of such actions, computed before a bare loop times anything."""
        noisy = self.table[:, None, :] + rng.normal(0.0, 0.05, (len(self.table), draws, self.half.size)) * self.half
        return env.actions.targets(noisy, np.repeat(self.poses[:, None, :], draws, axis=1))  # relative actions: about the clip


def run_batch(venv: ImitationVectorEnv, acts: ReferenceActions, seconds: float, rng, lengths: list[int] | None = None) -> float:
    """Control steps per second, all K environments counted (auto-reset inside the batch); the
    lengths of the episodes that ended are appended to `lengths`."""
    venv.reset(seed=int(rng.integers(1 << 30)))
    steps, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        _, _, _, _, infos = venv.step(acts.sample_batch(np.array([env.time for env in venv.envs]), rng))
        steps += venv.num_envs
        if lengths is not None:
            lengths.extend(info["episode_steps"] for info in infos if "episode_steps" in info)
    return steps / (time.perf_counter() - start)


def run_one(env: ImitationEnv, acts: ReferenceActions, seconds: float, rng) -> float:
    env.reset(seed=int(rng.integers(1 << 30)))
    steps, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        _, _, term, trunc, _ = env.step(acts.sample(env.time, rng))
        steps += 1
        if term or trunc:
            env.reset()
    return steps / (time.perf_counter() - start)


def run_port(port, acts: ReferenceActions, seconds: float, rng) -> float:
    from bench.deepmimic_port import port_control_step

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


def physics_step(env: ImitationEnv, targets: np.ndarray) -> None:
    """One control step of bare physics: PD targets [D], then stable PD + stepSimulation at each substep."""
    env.body.set_pd_targets(targets)
    for _ in range(env.config.substeps):
        env.body.apply_pd()
        pb.stepSimulation(physicsClientId=env.client)


def dropped(env: ImitationEnv) -> bool:
    """The bare loops' reset rule: the root below 58% of the clip's mean root height (the humanoid: about 0.5 m)."""
    height = pb.getBasePositionAndOrientation(env.body.body, physicsClientId=env.client)[0][1]
    return height < 0.58 * float(np.mean(env.clip.root_pos[:, 1]))


def run_bare(env: ImitationEnv, seconds: float, rng) -> float:
    """Stable PD toward the reference + stepSimulation, nothing else (reset when the root drops)."""
    env.reset(seed=int(rng.integers(1 << 30)))
    targets = env.reference.state_at(env.time).pose.joints
    steps, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        physics_step(env, targets)
        steps += 1
        if dropped(env):
            env.reset()
    return steps / (time.perf_counter() - start)


def batch_stepper(venv: ImitationVectorEnv, acts: ReferenceActions, rng) -> Iterator[int]:
    """`run_batch`'s loop as a generator: one batch step per `next`, which returns the environment steps done."""
    venv.reset(seed=int(rng.integers(1 << 30)))
    while True:
        venv.step(acts.sample_batch(np.array([env.time for env in venv.envs]), rng))
        yield venv.num_envs


def bare_stepper(envs: list[ImitationEnv], rng) -> Iterator[int]:
    """`run_bare`'s loop as a generator, over one world or several in turn (one control step of each per `next`)."""
    targets = []
    for env in envs:
        env.reset(seed=int(rng.integers(1 << 30)))
        targets.append(env.reference.state_at(env.time).pose.joints)
    while True:
        for env, tg in zip(envs, targets, strict=True):
            physics_step(env, tg)
            if dropped(env):
                env.reset()
        yield len(envs)


def interleaved(loops: list[Iterator[int]], seconds: float, slices: int) -> list[float]:
    """Steps per second of loops run in turn, in slices (seconds each in all): all of them meet the
    host's noise alike, which changes within seconds on a shared machine."""
    steps, spent = [0] * len(loops), [0.0] * len(loops)
    for _ in range(slices):
        for i, loop in enumerate(loops):
            start = time.perf_counter()
            while time.perf_counter() - start < seconds / slices:
                steps[i] += next(loop)
            spent[i] += time.perf_counter() - start
    return [n / t for n, t in zip(steps, spent, strict=True)]


def matched_stepper(envs: list[ImitationEnv], targets: np.ndarray, period: float, lengths: list[int], rng,
                    read: bool = False) -> Iterator[int]:  # fmt: skip
    """Bare stepping of ours' physical workload, over one world or several in turn (one control step of each per
    `next`): stable PD toward the same kind of noisy targets (drawn from a table computed beforehand) +
    stepSimulation, and after each of the episode lengths ours had, the physics part of a reset only (the saved
    world restored, a clip pose and velocity tabulated beforehand set). read: after each control step, also the
    PyBullet queries ours makes (the state reads and the ground contacts), their answers left unused."""
    start_times = rng.uniform(0.0, period, 64)
    starts = [envs[0].reference.state_at(float(t)) for t in start_times]
    lengths = lengths or [10**9]
    rows, draws = targets.shape[0], targets.shape[1]
    state = []  # per world: clip time, steps in its episode, episodes ended, steps in all
    for i, env in enumerate(envs):
        env.reset(seed=int(rng.integers(1 << 30)))
        state.append([env.time, 0, i, 0])
    while True:
        for env, st in zip(envs, state, strict=True):
            t, episode, j, steps = st
            physics_step(env, targets[int((t % period) * 240) % rows, steps % draws])
            if read:
                env.body.append_state([])
                env._fell()
            steps, episode, t = steps + 1, episode + 1, t + 1.0 / env.config.control_hz
            if episode >= lengths[j % len(lengths)]:
                j += 1
                k = j % len(starts)  # the clip's pose and the targets that follow it belong to one start time
                pb.restoreState(env._world_state, physicsClientId=env.client)
                env.body.set_pose(starts[k].pose, starts[k].velocity)
                t, episode = float(start_times[k]), 0
            st[:] = t, episode, j, steps
        yield len(envs)


def run_bare_matched(env: ImitationEnv, targets: np.ndarray, period: float, lengths: list[int], seconds: float, rng) -> float:
    """`matched_stepper` of one world for `seconds`: control steps per second."""
    loop = matched_stepper([env], targets, period, lengths, rng)
    steps, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        steps += next(loop)
    return steps / (time.perf_counter() - start)


TASK = {"character": "humanoid", "motion": "run.txt"}  # what every loop steps (main sets it from the command line)


def make_env() -> ImitationEnv:
    return ImitationEnv(TASK["character"], TASK["motion"], EnvConfig())


def make_batch(k: int) -> ImitationVectorEnv:
    return ImitationVectorEnv([make_env() for _ in range(k)])


def compare(seconds: float, rounds: int, batches: list[int], slices: int) -> dict[str, list[float]]:
    """Per round, each loop once: "ours" is the first batch size, "ours K" every other."""
    from bench.deepmimic_port import load_port_env

    rng = np.random.default_rng(0)
    venvs = [make_batch(k) for k in batches]
    worlds = [make_batch(k) for k in batches]  # bare stepping of K worlds in turn, apart from ours' own
    matched_worlds = make_batch(batches[0])  # and of ours' workload on K worlds, apart from both
    read_worlds = make_batch(batches[0])  # and that with PyBullet's answers to ours' queries
    one = make_env()
    acts = ReferenceActions(one)
    port = None
    if TASK["character"] == "humanoid" and TASK["motion"] == "run.txt":  # the port runs its own humanoid on the run
        with contextlib.redirect_stdout(io.StringIO()):
            port = load_port_env()
    results: dict[str, list[float]] = {"ours": [], "one": [], "port": [], "bare": [], "matched": []}
    for _ in range(rounds):
        lengths: list[int] = []
        # ours and the floor back to back: the host's noise changes within seconds
        results["ours"].append(run_batch(venvs[0], acts, seconds, rng, lengths))
        results["bare"].append(run_bare(one, seconds, rng))
        for k, venv in zip(batches[1:], venvs[1:], strict=True):
            results.setdefault(f"ours {k}", []).append(run_batch(venv, acts, seconds, rng))
        results["one"].append(run_one(one, acts, seconds, rng))
        results["port"].append(run_port(port, acts, seconds, rng) if port is not None else float("nan"))
        table = acts.target_table(one, rng)
        results["matched"].append(run_bare_matched(one, table, acts.period, lengths, seconds, rng))
        results.setdefault("episode", []).append(float(np.mean(lengths)) if lengths else float("nan"))
        # the floors: bare stepping of one world, and of as many worlds as ours steps in turn (a worker holds K simulators)
        # and ours' own physical workload on as many worlds as ours (the first batch size)
        loops = [*(batch_stepper(v, acts, rng) for v in venvs), bare_stepper([one], rng), *(bare_stepper(w.envs, rng) for w in worlds),
                 matched_stepper(matched_worlds.envs, table, acts.period, lengths, rng),
                 matched_stepper(read_worlds.envs, table, acts.period, lengths, rng, read=True)]  # fmt: skip
        rates = interleaved(loops, 2 * seconds, slices)
        ours, bare, bare_k = rates[: len(batches)], rates[len(batches)], rates[len(batches) + 1 : -2]
        results.setdefault("bare sliced", []).append(bare)
        results.setdefault("matched worlds sliced", []).append(rates[-2])
        results.setdefault("reads worlds sliced", []).append(rates[-1])
        for k, rate, floor in zip(batches, ours, bare_k, strict=True):
            results.setdefault(f"ours {k} sliced", []).append(rate)
            results.setdefault(f"bare {k} worlds sliced", []).append(floor)
    return results


def _scaling_worker(seconds: float, seed: int, batch: int, task: dict, out) -> None:
    TASK.update(task)  # a fresh process: the command line's task again
    venv = make_batch(batch)
    out.put(run_batch(venv, ReferenceActions(venv.envs[0]), seconds, np.random.default_rng(seed)))


def scaling(procs: int, seconds: float, batch: int) -> float:
    ctx = mp.get_context("forkserver")
    queue = ctx.Queue()
    workers = [ctx.Process(target=_scaling_worker, args=(seconds, i, batch, dict(TASK), queue)) for i in range(procs)]
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
    parser.add_argument("--batch", type=int, nargs="+", default=[DEFAULT_ENVS_PER_WORKER],
                        help="environments in our batch (a rollout worker's --envs-per-worker, default imitate's: "
                        f"{DEFAULT_ENVS_PER_WORKER}); more than one: a row each, the first is 'ours' in the ratios and the scaling table")
    parser.add_argument("--slices", type=int, default=20,
                        help="once more per round, ours (each batch size) and bare in turns: this many slices of 2*seconds in all")
    parser.add_argument("--procs", type=int, nargs="*", default=[1, 2], help="process counts for the scaling table")
    parser.add_argument("--character", default="humanoid", help="character (default: humanoid)")
    parser.add_argument("--motion", default=None, help="clip (default: run.txt for the humanoid, the character's walk otherwise)")
    args = parser.parse_args()
    TASK.update(character=args.character, motion=args.motion or ("run.txt" if args.character == "humanoid" else "walk.txt"))
    cpu = platform.processor() or platform.machine()
    print(f"# {time.strftime('%Y-%m-%d %H:%M')} · {cpu} · {os.cpu_count()} cores · python {platform.python_version()}")
    print(f"environment: EnvConfig(), what imitate trains ({TASK['character']} on {TASK['motion']}, relative actions, "
          "the clip's root ahead in the observation)")
    res = compare(args.seconds, args.rounds, args.batch, args.slices)
    batch = args.batch[0]
    med = {k: statistics.median(v) for k, v in res.items()}
    print("\n| loop | control steps/s, one core (median of rounds) | rounds |")
    print("|---|---|---|")
    extra = tuple((f"ours {k}", f"ours (a batch of {k})") for k in args.batch[1:])
    port = () if np.isnan(res["port"]).any() else (("port", "PyBullet deep_mimic port"),)
    for key, label in (("ours", f"ours (a batch of {batch} ImitationEnvs, as a rollout worker steps them)"), *extra,
                       ("one", "ours (one ImitationEnv, Gymnasium API)"), *port,
                       ("bare", "bare stable PD + stepSimulation, one pose held (reset when the root drops)"),
                       ("matched", "bare, ours' workload: the same noisy targets, reset after ours' episode lengths")):  # fmt: skip
        print(f"| {label} | {med[key]:.0f} | {', '.join(f'{x:.0f}' for x in res[key])} |")
    episodes = ", ".join(f"{x:.1f}" for x in res["episode"])
    print(f"\nours' mean episode: {statistics.median(res['episode']):.1f} steps (per round: {episodes})")
    ratios_port = [o / p for o, p in zip(res["ours"], res["port"], strict=True)]
    ratios_bare = [o / b for o, b in zip(res["ours"], res["bare"], strict=True)]
    if not np.isnan(ratios_port).any():
        print(f"\nours / port: {statistics.median(ratios_port):.2f}x (per round: {', '.join(f'{r:.2f}' for r in ratios_port)})")
    print(f"ours / bare: {statistics.median(ratios_bare):.0%} (per round: {', '.join(f'{r:.0%}' for r in ratios_bare)})")
    ratios_matched = [o / b for o, b in zip(res["ours"], res["matched"], strict=True)]
    per_round = ", ".join(f"{r:.0%}" for r in ratios_matched)
    print(f"ours / bare with ours' workload: {statistics.median(ratios_matched):.0%} (per round: {per_round})")
    for k in args.batch[1:]:
        r = [o / b for o, b in zip(res[f"ours {k}"], res["bare"], strict=True)]
        print(f"ours (a batch of {k}) / bare: {statistics.median(r):.0%} (per round: {', '.join(f'{x:.0%}' for x in r)})")
    for k in args.batch:
        sliced = [o / b for o, b in zip(res[f"ours {k} sliced"], res["bare sliced"], strict=True)]
        print(f"ours (a batch of {k}) / bare, in turns of {2 * args.seconds / args.slices:.2g} s, {2 * args.seconds:g} s each per round: "
              f"{statistics.median(sliced):.0%} (per round: {', '.join(f'{r:.0%}' for r in sliced)}; steps/s "
              f"{statistics.median(res[f'ours {k} sliced']):.0f} against {statistics.median(res['bare sliced']):.0f})")
    for k in args.batch:
        floor = res[f"bare {k} worlds sliced"]
        sliced = [o / b for o, b in zip(res[f"ours {k} sliced"], floor, strict=True)]
        print(f"ours (a batch of {k}) / bare stepping of {k} worlds in turn, in the same turns: {statistics.median(sliced):.0%} "
              f"(per round: {', '.join(f'{r:.0%}' for r in sliced)}; steps/s {statistics.median(res[f'ours {k} sliced']):.0f} "
              f"against {statistics.median(floor):.0f}; one world against {k}: "
              f"{statistics.median([a / b for a, b in zip(res['bare sliced'], floor, strict=True)]):.2f}x)")
    k, floor = batch, res["matched worlds sliced"]
    sliced = [o / b for o, b in zip(res[f"ours {k} sliced"], floor, strict=True)]
    print(f"ours (a batch of {k}) / bare stepping of ours' workload on {k} worlds in turn, in the same turns: "
          f"{statistics.median(sliced):.0%} (per round: {', '.join(f'{r:.0%}' for r in sliced)}; steps/s against "
          f"{statistics.median(floor):.0f})")
    reads = res["reads worlds sliced"]
    share = [r / b for r, b in zip(reads, floor, strict=True)]
    print(f"  that workload with PyBullet's answers to ours' queries (state reads, ground contacts), nothing else: "
          f"{statistics.median(reads):.0f} steps/s, {statistics.median(share):.0%} of it "
          f"(per round: {', '.join(f'{r:.0%}' for r in share)}): "
          f"the most any environment that reads its state through PyBullet's Python API can reach")
    one_bare = [o / b for o, b in zip(res["one"], res["bare"], strict=True)]
    print(f"one env / bare: {statistics.median(one_bare):.0%} (per round: {', '.join(f'{r:.0%}' for r in one_bare)})")
    if args.procs:
        print(f"\n| processes (a batch of {batch} each) | total control steps/s | per process |")
        print("|---|---|---|")
        for n in args.procs:
            total = scaling(n, args.seconds, batch)
            print(f"| {n} | {total:.0f} | {total / n:.0f} |")


if __name__ == "__main__":
    main()
