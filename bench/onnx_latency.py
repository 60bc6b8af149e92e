"""Per-call latency of an exported controller: onnxruntime vs torch eager, batch 1 and 64.

Network sizes: the imitation default (1024-512) and the smaller sizes the learning
benchmark tries. Observation 197, action 36 (humanoid). Interleaved repeats, median.

  python -m bench.onnx_latency [--calls 2000] [--repeats 5]
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np
import torch

from awr_core.agent import AWRAgent
from awr_core.config import AWRConfig
from characters.config import EnvConfig
from characters.env import ImitationEnv
from characters.registry import get_character
from imitate.contract import build_contract
from imitate.onnx_export import Controller, export_onnx
from imitate.onnx_policy import OnnxController


def per_call_us(fn, calls: int) -> float:
    fn()
    start = time.perf_counter()
    for _ in range(calls):
        fn()
    return (time.perf_counter() - start) / calls * 1e6


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--calls", type=int, default=2000)
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--sizes", default="1024,512;512,256;256,128")
    args = ap.parse_args()
    torch.set_num_threads(1)
    env = ImitationEnv("humanoid", "walk.txt", EnvConfig())
    spec = get_character("humanoid")
    contract = build_contract(spec, env.config, env.observed_link_names(), "humanoid3d_walk.txt", 197, 36)
    print(
        f"# {time.strftime('%Y-%m-%d %H:%M')} · {platform.machine()} · {os.cpu_count()} cores · 1 thread each · torch {torch.__version__}"
    )
    print("| network | batch | onnxruntime (µs/call) | torch eager (µs/call) | ratio |")
    print("|---|---|---|---|---|")
    rng = np.random.default_rng(0)
    for text in args.sizes.split(";"):
        layers = tuple(int(x) for x in text.split(","))
        agent = AWRAgent(env.observation_space, env.action_space, AWRConfig(actor_layers=layers, critic_layers=(8,)))
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "c.onnx"
            export_onnx(agent.policy_weights(), env.actions, contract, path)
            ort = OnnxController(path)
            module = Controller(agent.policy_weights(), env.actions).eval()
            for batch in (1, 64):
                obs = rng.normal(size=(batch, 197)).astype(np.float32)
                tobs = torch.as_tensor(obs)
                feed = {"obs": obs}

                def run_ort(feed=feed, session=ort.session):
                    return session.run(["actions"], feed)

                def run_torch(tobs=tobs, module=module):
                    with torch.inference_mode():
                        return module(tobs)

                o, t = [], []
                for _ in range(args.repeats):
                    o.append(per_call_us(run_ort, args.calls))
                    t.append(per_call_us(run_torch, args.calls))
                mo, mt = statistics.median(o), statistics.median(t)
                print(f"| {'-'.join(map(str, layers))} | {batch} | {mo:.1f} | {mt:.1f} | torch/ort {mt / mo:.1f}x |")
    env.close()


if __name__ == "__main__":
    main()
