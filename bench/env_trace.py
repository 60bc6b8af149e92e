"""Record what the environment returns over a fixed run, and compare two records: a check that a
change made to speed the environment up left its numbers alone.

The run: a batch of 8 humanoids on the run clip stepped 400 times with the throughput benchmark's
actions (noisy actions around the reference, auto-reset inside the batch); the same with the training
configuration (relative actions, the clip's root ahead in the observation: `imitate.defaults.IMITATION_ENV`),
300 times; then three episodes of one ImitationEnv on the walk clip with absolute actions. Everything is seeded. The record holds every
observation, reward, termination flag and number in the infos, one array per info key.

  python bench/env_trace.py record FILE.npz
  python bench/env_trace.py compare OLD.npz NEW.npz

To compare against an older commit: `git worktree add /tmp/old <commit>`, then
`PYTHONPATH=/tmp/old python bench/env_trace.py record /tmp/old.npz` (this script, the old `characters`).
"""

from __future__ import annotations

import argparse
import sys
from collections import defaultdict
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from env_throughput import ReferenceActions, make_batch  # noqa: E402

from characters.config import EnvConfig  # noqa: E402
from characters.env import ImitationEnv  # noqa: E402
from characters.vector_env import ImitationVectorEnv  # noqa: E402
from imitate.defaults import IMITATION_ENV  # noqa: E402


def _flatten(info: dict, prefix: str, out: dict[str, list[float]]) -> None:
    for key, value in info.items():
        if isinstance(value, dict):
            _flatten(value, f"{prefix}{key}.", out)
        else:
            out[f"info.{prefix}{key}"].extend(np.asarray(value, dtype=float).ravel().tolist())


def record() -> dict[str, np.ndarray]:
    rec: dict[str, list[float]] = defaultdict(list)

    def add(obs, rewards=None, terminated=None, truncated=None, infos=()) -> None:
        rec["obs"].extend(np.asarray(obs, dtype=float).ravel().tolist())
        for name, value in (("reward", rewards), ("terminated", terminated), ("truncated", truncated)):
            if value is not None:
                rec[name].extend(np.asarray(value, dtype=float).ravel().tolist())
        for info in infos:
            _flatten(info, "", rec)

    venv = make_batch(8)
    acts = ReferenceActions(venv.envs[0])
    rng = np.random.default_rng(0)
    obs, infos = venv.reset(seed=1)
    add(obs, infos=infos)
    for _ in range(400):
        add(*venv.step(acts.sample_batch(np.array([e.time for e in venv.envs]), rng)))
    train = ImitationVectorEnv([ImitationEnv("humanoid", "run.txt", IMITATION_ENV) for _ in range(8)])
    obs, infos = train.reset(seed=2)
    add(obs, infos=infos)
    for _ in range(300):  # relative actions: noise around zero is noise around the clip
        add(*train.step(rng.normal(0.0, 0.1, (train.num_envs, train.action_space.shape[0]))))
    env = ImitationEnv("humanoid", "walk.txt", EnvConfig(action_mode="absolute"))
    env.action_space.seed(0)
    for seed in range(3):
        obs, info = env.reset(seed=seed)
        add(obs, infos=[info])
        for _ in range(60):
            obs, reward, terminated, truncated, info = env.step(0.1 * env.action_space.sample())
            add(obs, reward, terminated, truncated, [info])
            if terminated or truncated:
                break
    return {key: np.array(values) for key, values in rec.items()}


def compare(old: dict[str, np.ndarray], new: dict[str, np.ndarray]) -> int:
    """Print the largest difference per array; 0 if every array has the same shape (1 otherwise)."""
    status = 0
    for key in sorted(set(old) | set(new)):
        if key not in old or key not in new or old[key].shape != new[key].shape:
            print(f"{key}: in one record only, or of another length")
            status = 1
            continue
        diff = np.abs(old[key] - new[key])
        same = np.array_equal(old[key], new[key], equal_nan=True)
        print(f"{key}: {'bit for bit' if same else f'largest difference {np.nanmax(diff):.3g}'}")
    return status


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("record").add_argument("file")
    cmp = sub.add_parser("compare")
    cmp.add_argument("old")
    cmp.add_argument("new")
    args = parser.parse_args()
    if args.command == "record":
        np.savez(args.file, **record())
        print(f"recorded {args.file}")
    else:
        with np.load(args.old) as old, np.load(args.new) as new:
            sys.exit(compare(dict(old), dict(new)))


if __name__ == "__main__":
    main()
