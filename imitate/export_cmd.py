"""`imitate export RUN_DIR -o walk.onnx`: an ONNX controller and its JSON contract."""

from __future__ import annotations

import argparse
from pathlib import Path


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("export", help="export a trained run as an ONNX controller (opset 15) plus a JSON contract",
                       description="Write an ONNX model (opset 15, dynamic batch, deterministic actions) with observation "
                       "normalization and action scaling inside the graph: feed the raw observation, read PD targets "
                       "in joint order. A sidecar .json (also in the model's metadata) describes the contract.")  # fmt: skip
    p.add_argument("run_dir", type=Path, help="run folder written by `imitate train`")
    p.add_argument("-o", "--output", type=Path, required=True, help="the .onnx file to write (the .json goes beside it)")
    p.add_argument("--checkpoint", choices=("best", "latest"), default="best", help="which checkpoint (default: best)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from characters.registry import get_character
    from imitate.contract import build_contract
    from imitate.imitation import make_agent_for_spaces, open_env
    from imitate.onnx_export import OPSET, export_onnx
    from imitate.run_folder import checkpoint_path, load_run_checkpoint, read_config

    config = read_config(args.run_dir)
    ck = checkpoint_path(args.run_dir, args.checkpoint)
    env = open_env(config.character, config.clip_path, config.env)
    obs_size, act_size = int(env.observation_space.shape[0]), int(env.action_space.shape[0])
    data = load_run_checkpoint(ck, config.character, obs_size, act_size)
    agent = make_agent_for_spaces(env.observation_space, env.action_space, config.awr)
    agent.load_state_dict(data["agent"])
    spec = get_character(config.character)
    contract = build_contract(spec, config.env, env.observed_link_names(), config.clip_name, obs_size, act_size)
    out = args.output if args.output.suffix == ".onnx" else args.output.with_suffix(".onnx")
    sidecar = export_onnx(agent.policy_weights(), env.actions, contract, out)
    env.close()
    print(f"wrote {out} (ONNX opset {OPSET}, inputs: {', '.join(i['name'] for i in contract['inputs'])}; outputs: actions, env_action)")
    print(f"wrote {sidecar} (the controller contract: observation/action layout, joint order, PD gains, rates)")
    steering = config.env.steering
    for clip in steering.speed_clips if steering is not None else ():  # the faster gait the reference blends in
        beside = out.parent / Path(clip).name
        if not beside.exists():
            beside.write_bytes(Path(clip).read_bytes())
            print(f"wrote {beside} (the faster gait the steered controller blends with its clip)")
    return 0
