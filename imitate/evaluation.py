"""Scoring a controller: deterministic episodes of any policy source, one loop for every caller.

`imitate eval` (a run folder, a shipped controller, an ONNX file), the shipped-controller test and the
benchmarks all score through `run_episodes` and `summarize`: episodes start at random times of the clip
(seeded, so the same seed gives the same episodes) or at given times, actions are deterministic, and an
episode succeeds when it does not fall and its mean body-position error stays under 0.5 m.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

import numpy as np

from characters.env import ImitationEnv
from characters.steering import course_command
from imitate.defaults import (
    STEER_BAR_CHANGE_SECONDS,
    STEER_BAR_HEADING_DEG,
    STEER_BAR_NO_FALL,
    STEER_BAR_POSE_REWARD,
    STEER_BAR_SPEED_M_S,
    SUCCESS_BODY_ERROR_M,
)
from imitate.imitation import INFO_KEYS
from imitate.policy_source import Source
from imitate.shipped import CHECK_EPISODES, CHECK_SECONDS
from motions.loading import clip_summary

STEER_KEYS = ("heading_err_rad", "speed_err_m_s", "pose_reward")  # a steered controller's means (errors from 1.5 s after a change)
STEER_END_KEYS = ("command_speed_m_s", "since_change_s", "facing_off_command_rad")  # a steered episode's command as it ended


def run_episodes(source: Source, episodes: int, seed: int = 0, seconds: float | None = None,
                 start_times: Sequence[float] | None = None) -> list[dict]:  # fmt: skip
    """`episodes` deterministic episodes of source.policy on its clip and environment (episode i seeded with
    seed + i; starting at start_times[i] when given, else at a random time of the clip), each scored as a dict:
    normalized_return, steps, seconds, fell, success and the mean of each INFO_KEYS tracking error; a steered
    episode adds its means of STEER_KEYS and, from its last step, STEER_END_KEYS: the commanded speed, the
    seconds since the command last changed and how far the character faced from it (where a fall came)."""
    if source.policy is None:
        raise ValueError(f"{source.label}: no policy to score")
    config = source.env if seconds is None else replace(source.env, episode_seconds=seconds)  # no random pushes (`Source`)
    env = ImitationEnv(source.character, source.clip_path, config)
    keys = INFO_KEYS + (STEER_KEYS if config.steering is not None else ())
    out = []
    try:
        for i in range(episodes):
            options = None if start_times is None else {"start_time": float(start_times[i])}
            obs, _ = env.reset(seed=seed + i, options=options)
            total, steps, sums, counts = 0.0, 0, dict.fromkeys(keys, 0.0), dict.fromkeys(keys, 0)
            while True:
                obs, reward, terminated, truncated, info = env.step(source.policy(obs, env.action_base_pose()))
                total, steps = total + reward, steps + 1
                if "reward_terms" in info:
                    info = {**info, "pose_reward": info["reward_terms"]["pose"]}
                for key in keys:
                    if np.isfinite(info.get(key, np.nan)):  # a steering error is NaN until the character could turn
                        sums[key] += info[key]
                        counts[key] += 1
                if terminated or truncated:
                    break
            means = {k: sums[k] / counts[k] if counts[k] else float("nan") for k in keys}
            seconds_run = steps / config.control_hz
            out.append({"normalized_return": total / steps, "steps": steps, "seconds": seconds_run,
                        "fell": bool(terminated), "success": bool(not terminated and means["body_pos_err_m"] < SUCCESS_BODY_ERROR_M),
                        "ending": ending(info, terminated, seconds_run >= config.episode_seconds - 1e-6), "end_phase": info.get("phase"),
                        **{k: info[k] for k in ("fall_link", "drift_link", *STEER_END_KEYS) if k in info}, **means})  # fmt: skip
    finally:
        env.close()
    return out


def ending(info: dict, terminated: bool, timed_out: bool) -> str:
    """How an episode ended, from its last step's info: one of ENDINGS."""
    if info.get("blow_up"):
        return "physics blow-up"
    if terminated:
        return "fall" if info.get("fell") else "drift from the clip"
    return "time limit" if timed_out else "clip end"


# drift from the clip: a body farther than EnvConfig.pose_termination_m from its place in the clip
ENDINGS = ("time limit", "clip end", "fall", "drift from the clip", "physics blow-up")


def drive_course(source: Source, course: Sequence[tuple[float, float, float | None]], seconds: float) -> dict:
    """One deterministic episode of a steered controller from the clip's start, commanded by a scripted course
    ((time s, heading rad relative to the clip's own direction, speed or None) rows, as `imitate render
    --steer-script` reads them), scored as the steering bar scores it: whether it fell, and the mean heading
    and speed errors from 1.5 s after each change of command."""
    env = ImitationEnv(source.character, source.clip_path, replace(for_steering_bar(source).env, episode_seconds=seconds))
    sums, counts = {"heading_err_rad": 0.0, "speed_err_m_s": 0.0}, {"heading_err_rad": 0, "speed_err_m_s": 0}
    try:
        obs, _ = env.reset(seed=0, options={"start_time": 0.0})
        step = 0
        while True:
            due = course_command(course, step, env.config.control_hz)
            if due is not None:
                env.steer_to(env.task.travel_heading + due[0], due[1])
            obs, _, terminated, truncated, info = env.step(source.policy(obs, env.action_base_pose()))
            step += 1
            for key in sums:
                if np.isfinite(info.get(key, np.nan)):
                    sums[key] += info[key]
                    counts[key] += 1
            if terminated or truncated:
                break
    finally:
        env.close()
    return {"fell": bool(terminated), "seconds": step / env.config.control_hz,
            **{k: sums[k] / counts[k] if counts[k] else float("nan") for k in sums},  # NaN: no command held 1.5 s
            "measured_steps": counts["heading_err_rad"]}  # fmt: skip


def for_steering_bar(source: Source) -> Source:
    """A steered controller as the steering bar scores it: a fall is contact the clip does not make, the 1-m drift
    rule off (the clip is turned and moved along under the character, so there is no place in the world to drift
    from; a character that lags its clip shows in the heading error and the pose reward term instead); the command
    changes every 3-7 s to a heading drawn uniformly on the circle and, with a gait family, to a new speed."""
    steering = source.env.steering
    if steering is not None:
        steering = replace(steering, change_seconds=STEER_BAR_CHANGE_SECONDS, sharp_turn_share=1.0, speed_change_share=1.0)
    return replace(source, env=replace(source.env, pose_termination_m=0.0, steering=steering))


def summarize(per_episode: list[dict]) -> dict:
    """Means over episodes: normalized_return, episode_seconds_mean, fall_rate, success_rate, the tracking errors
    and, for a steered controller, the heading and speed errors and the pose reward term (STEER_KEYS); and
    counts: endings (how many episodes ended each way of ENDINGS), fall_links (the links that went down) and
    drift_links (the link farthest from the clip when an episode drifted)."""
    mean = lambda key: float(np.nanmean([e[key] for e in per_episode]))  # noqa: E731
    steer = STEER_KEYS if per_episode and STEER_KEYS[0] in per_episode[0] else ()
    endings = Counter(e["ending"] for e in per_episode)
    links = Counter(e["fall_link"] for e in per_episode if "fall_link" in e)
    drifts = Counter(e["drift_link"] for e in per_episode if "drift_link" in e)
    return {"episodes": len(per_episode), "normalized_return": mean("normalized_return"), "episode_seconds_mean": mean("seconds"),
            "fall_rate": mean("fell"), "success_rate": mean("success"), **{k: mean(k) for k in INFO_KEYS + steer},
            "endings": {k: endings[k] for k in ENDINGS if endings[k]}, "fall_links": dict(links.most_common()),
            "drift_links": dict(drifts.most_common())}  # fmt: skip


def endings_line(summary: dict) -> str:
    """The endings of a `summarize` result in words: '7 time limit, 3 fall (right_knee 2, chest 1)'."""
    parts = []
    for kind, count in summary["endings"].items():
        links = {"fall": summary["fall_links"], "drift from the clip": summary.get("drift_links", {})}.get(kind, {})
        detail = ", ".join(f"{k} {v}" for k, v in links.items())
        parts.append(f"{count} {kind}" + (f" ({detail})" if detail else ""))
    return ", ".join(parts)


def steering_bar(summary: dict) -> tuple[bool, str]:
    """Whether a steered controller's `summarize` result meets the steering bar (imitate.defaults), and one line
    with each figure against its threshold."""
    no_fall, heading = 1.0 - summary["fall_rate"], float(np.degrees(summary["heading_err_rad"]))
    speed, pose = summary["speed_err_m_s"], summary["pose_reward"]
    checks = [(no_fall >= STEER_BAR_NO_FALL, f"no fall {no_fall:.0%} (>= {STEER_BAR_NO_FALL:.0%})"),
              (heading <= STEER_BAR_HEADING_DEG, f"heading error {heading:.1f} deg (<= {STEER_BAR_HEADING_DEG:g})"),
              (speed <= STEER_BAR_SPEED_M_S, f"speed error {speed:.2f} m/s (<= {STEER_BAR_SPEED_M_S:g})"),
              (pose >= STEER_BAR_POSE_REWARD, f"pose reward {pose:.2f} (>= {STEER_BAR_POSE_REWARD:g})")]  # fmt: skip
    return all(ok for ok, _ in checks), ", ".join(text for _, text in checks)


def check_shipped(folder) -> dict[str, float]:
    """The shipped controller's short deterministic check (tests/test_shipped_controllers.py repeats it):
    CHECK_EPISODES episodes of up to CHECK_SECONDS from evenly spaced times of the clip, driven by its ONNX
    controller alone. Returns mean normalized return, mean episode seconds and fall rate."""
    from imitate.policy_source import from_onnx

    source = from_onnx(folder / "controller.onnx", None, None)
    duration, _, _ = clip_summary(Path(source.clip_path))
    starts = [i * duration / CHECK_EPISODES for i in range(CHECK_EPISODES)]
    s = summarize(run_episodes(source, CHECK_EPISODES, seed=0, seconds=CHECK_SECONDS, start_times=starts))
    return {"normalized_return": s["normalized_return"], "episode_seconds": s["episode_seconds_mean"], "fall_rate": s["fall_rate"]}


def one_shot_from_start(folder) -> dict | None:
    """For a shipped controller of a clip that does not loop (a get-up, a kick): one deterministic episode from
    the clip's start, as `imitate play` and `imitate render` begin, driven by its ONNX controller. Returns the
    episode as `run_episodes` scores it (its `ending` "clip end" when it performed the whole clip); None for
    a looping or steered clip."""
    from imitate.policy_source import from_onnx

    source = from_onnx(folder / "controller.onnx", None, None)
    _, _, loops = clip_summary(Path(source.clip_path))
    if loops or source.env.steering is not None:
        return None
    return run_episodes(source, 1, seed=0, start_times=[0.0])[0]
