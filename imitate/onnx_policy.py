"""Run an exported ONNX controller with onnxruntime alone (no torch import anywhere on this path)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

from imitate.contract import FORMAT
from imitate.errors import UserError


class OnnxController:
    """act(obs [B,O], ref_pose [B,D] | None) -> (PD targets [B,D], env action [B,A])."""

    def __init__(self, path: str | Path) -> None:
        import onnxruntime as ort

        self.path = Path(path)
        if not self.path.is_file():
            raise UserError(f"{path}: no such ONNX file")
        try:
            options = ort.SessionOptions()
            options.intra_op_num_threads = 1
            self.session = ort.InferenceSession(str(self.path), options, providers=["CPUExecutionProvider"])
        except Exception as exc:  # onnxruntime raises its own exception types for bad files
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise UserError(f"{path}: not a loadable ONNX model ({first[:160]})") from None
        meta = self.session.get_modelmeta().custom_metadata_map
        if meta.get("format") != FORMAT:
            raise UserError(f"{path}: ONNX model is not an imitate controller (no '{FORMAT}' metadata)")
        self.contract: dict[str, Any] = {k: _parse(v) for k, v in meta.items()}
        self.inputs = [i.name for i in self.session.get_inputs()]
        self.relative = "ref_pose" in self.inputs
        self.steered = "command" in self.inputs  # the environment's observation ends with the command

    @property
    def character(self) -> str:
        return str(self.contract["character"])

    def act(self, obs: np.ndarray, ref_pose: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """obs: the environment's observation (for a steered controller, the command at its end)."""
        size = self.session.get_inputs()[0].shape[1]
        obs = np.asarray(obs, dtype=np.float32)
        obs = obs.reshape(-1, obs.shape[-1])
        feed = {"obs": obs[:, :size]}
        if self.steered:
            feed["command"] = obs[:, size:]
        if self.relative:
            if ref_pose is None:
                raise ValueError("this controller's actions are relative to the reference pose: pass ref_pose")
            feed["ref_pose"] = np.asarray(ref_pose, dtype=np.float32).reshape(len(feed["obs"]), -1)
        targets, env_action = self.session.run(["actions", "env_action"], feed)
        return targets, env_action


def _parse(value: str) -> Any:
    try:
        return json.loads(value)
    except json.JSONDecodeError:
        return value
