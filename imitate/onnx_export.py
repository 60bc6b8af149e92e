"""Export a trained policy as an ONNX controller (opset 15): normalization, action scaling
and the action -> PD-target conversion are inside the graph."""

from __future__ import annotations

import io
import json
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn

from awr_core.numpy_policy import PolicyWeights
from characters.actions import ActionMap

OPSET = 15


def _quat_mul(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    ax, ay, az, aw = a.unbind(-1)
    bx, by, bz, bw = b.unbind(-1)
    return torch.stack(
        [aw * bx + ax * bw + ay * bz - az * by, aw * by - ax * bz + ay * bw + az * bx,
         aw * bz + ax * by - ay * bx + az * bw, aw * bw - ax * bx - ay * by - az * bz], dim=-1,
    )  # fmt: skip


class Controller(nn.Module):
    """raw obs [B,O] (+ ref_pose [B,D] for relative actions) -> (PD targets [B,D], env action [B,A])."""

    def __init__(self, w: PolicyWeights, actions: ActionMap) -> None:
        super().__init__()
        self.steered = False  # True: a `command` input follows ref_pose, appended to the observation
        self.register_buffer("obs_mean", torch.as_tensor(w.obs_mean, dtype=torch.float32))
        self.register_buffer("obs_std", torch.as_tensor(w.obs_std, dtype=torch.float32))
        self.obs_clip = float(w.obs_clip)
        self.normalize = bool(w.normalize_obs)
        layers = []
        for W, b in zip(w.weights, w.biases, strict=True):
            lin = nn.Linear(W.shape[0], W.shape[1])
            lin.weight.data = torch.as_tensor(W.T.copy(), dtype=torch.float32)
            lin.bias.data = torch.as_tensor(b, dtype=torch.float32)
            layers.append(lin)
        self.layers = nn.ModuleList(layers)
        self.register_buffer("center", torch.as_tensor(w.action_center, dtype=torch.float32))
        self.register_buffer("act_half", torch.as_tensor(w.action_half, dtype=torch.float32))
        self.relative = actions.mode == "relative"
        lay = actions.layout
        self.register_buffer("sph_in", torch.as_tensor(actions.sph_cols, dtype=torch.long))
        self.register_buffer("rev_in", torch.as_tensor(actions.rev_cols, dtype=torch.long))
        self.register_buffer("sph_out", torch.as_tensor(lay.sph_pose, dtype=torch.long))
        self.register_buffer("rev_out", torch.as_tensor(lay.rev_pose, dtype=torch.long))
        # targets are assembled as [all quaternions, all revolute angles], then permuted into joint order
        order = np.concatenate([lay.sph_pose.reshape(-1), lay.rev_pose])
        self.register_buffer("perm", torch.as_tensor(np.argsort(order), dtype=torch.long))

    def forward(self, obs: torch.Tensor, ref_pose: torch.Tensor | None = None, command: torch.Tensor | None = None
                ) -> tuple[torch.Tensor, torch.Tensor]:  # fmt: skip
        x = torch.cat([obs, command], dim=1) if self.steered else obs
        if self.normalize:
            x = torch.clamp((x - self.obs_mean) / self.obs_std, -self.obs_clip, self.obs_clip)
        for i, layer in enumerate(self.layers):
            x = layer(x)
            if i < len(self.layers) - 1:
                x = torch.relu(x)
        action = x * self.act_half + self.center
        sph = action[:, self.sph_in]  # [B,S,4] angle+axis, or [B,S,3] rotation vectors
        rev = action[:, self.rev_in]  # [B,R]
        if self.relative:
            angle = torch.linalg.vector_norm(sph, dim=-1, keepdim=True)
            k = torch.where(angle > 1e-8, torch.sin(0.5 * angle) / angle.clamp_min(1e-12), 0.5 - angle * angle / 48.0)
            delta = torch.cat([sph * k, torch.cos(0.5 * angle)], dim=-1)
            quats = _quat_mul(ref_pose[:, self.sph_out], delta)
            rev = ref_pose[:, self.rev_out] + rev
        else:
            axis = sph[..., 1:4]
            norm = torch.linalg.vector_norm(axis, dim=-1, keepdim=True)
            half = 0.5 * sph[..., 0:1]
            unit = axis / norm.clamp_min(1e-12)
            quats = torch.cat([unit * torch.sin(half), torch.cos(half)], dim=-1)
            identity = torch.zeros_like(quats)
            identity[..., 3] = 1.0
            quats = torch.where(norm > 1e-9, quats, identity)
        flat = torch.cat([quats.reshape(quats.shape[0], -1), rev], dim=1)
        return flat[:, self.perm], action


def export_onnx(weights: PolicyWeights, actions: ActionMap, contract: dict[str, Any], out: Path) -> Path:
    """Write `out` (.onnx) and its sidecar (.json). Returns the sidecar path."""
    import onnx

    model = Controller(weights, actions).eval()
    obs = torch.zeros(2, contract["observation_layout"][-1]["offset"] + contract["observation_layout"][-1]["size"])
    args: tuple = (obs,)
    names = ["obs"]
    if actions.mode == "relative":
        ref = torch.zeros(2, actions.pose_size)
        ref[:, actions.layout.sph_pose[:, 3]] = 1.0
        args = (obs, ref)
        names.append("ref_pose")
    command = next((i for i in contract["inputs"] if i["name"] == "command"), None)
    if command is not None:  # a steered controller (relative actions, `build_contract` checks)
        model.steered = True
        args = (*args, torch.zeros(2, command["shape"][1]))
        names.append("command")
    buf = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(model, args, buf, input_names=names, output_names=["actions", "env_action"], opset_version=OPSET,
                          dynamo=False, dynamic_axes={n: {0: "batch"} for n in [*names, "actions", "env_action"]})  # fmt: skip
    proto = onnx.load_from_string(buf.getvalue())
    for key, value in contract.items():
        entry = proto.metadata_props.add()
        entry.key = key
        entry.value = value if isinstance(value, str) else json.dumps(value)
    onnx.checker.check_model(proto)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(".onnx.tmp")
    onnx.save(proto, str(tmp))
    tmp.replace(out)
    sidecar = out.with_suffix(".json")
    sidecar.write_text(json.dumps(contract, indent=2) + "\n")
    return sidecar
