"""The imitation environment: API, physics set-up, observation, actions, reward, failures."""

import math
from dataclasses import replace

import numpy as np
import pytest
from gymnasium.utils.env_checker import check_env

from characters.config import DEEPMIMIC_ENV, EnvConfig, RewardConfig
from characters.env import ImitationEnv, ReferenceMismatchError, pb
from characters.layout import joint_layout
from characters.observation import build_observation, observation_layout, reference_features
from characters.registry import get_character
from characters.rewards import (
    TERMS,
    batch_rewards,
    end_effector_positions,
    errors_and_metrics,
    imitation_errors,
    joint_angle_errors,
    reward_terms,
    total_reward,
    tracking_metrics,
)
from motions.rotations import quat_angle, quat_conj, quat_mul, rotvec_to_quat, yaw_quat


@pytest.fixture(scope="module")
def env():
    e = ImitationEnv("humanoid", "run.txt", DEEPMIMIC_ENV)  # DeepMimic's task: its 197 observations, absolute actions
    yield e
    e.close()


def reference_action(env):
    """The action whose PD targets are the pose relative actions are added to (the clip one step ahead)."""
    base = env.action_base_pose()
    return env.actions.action_for(base, base)


def test_gymnasium_checker_passes():
    e = ImitationEnv("humanoid", "walk.txt")
    check_env(e, skip_render_check=True)
    e.close()


def test_spaces_have_deepmimic_sizes(env):
    assert env.observation_space.shape == (197,)
    assert env.action_space.shape == (36,)
    rel = ImitationEnv("humanoid", "run.txt", replace(DEEPMIMIC_ENV, action_mode="relative"))
    assert rel.action_space.shape == (28,)
    rel.close()


def test_physics_settings(env):
    params = pb.getPhysicsEngineParameters(physicsClientId=env.client)
    assert params["fixedTimeStep"] == pytest.approx(1 / 240)
    assert params["numSolverIterations"] == 10
    assert params["gravityAccelerationY"] == pytest.approx(-9.8)
    assert pb.getDynamicsInfo(env.plane, -1, physicsClientId=env.client)[1] == pytest.approx(0.9)
    assert env.config.substeps == 8


def test_same_seed_same_episode():
    def rollout(seed):
        e = ImitationEnv("humanoid", "run.txt", DEEPMIMIC_ENV)
        obs, _ = e.reset(seed=seed)
        rng = np.random.default_rng(seed)
        out = [obs]
        for _ in range(20):
            obs, r, term, trunc, _ = e.step(reference_action(e) + rng.normal(0, 0.05, 36))
            out.append(np.append(obs, r))
            if term or trunc:
                break
        e.close()
        return out

    a, b, c = rollout(3), rollout(3), rollout(4)
    assert len(a) == len(b) and all(np.array_equal(x, y) for x, y in zip(a, b, strict=True))
    assert not np.array_equal(a[0], c[0])


def test_reset_matches_reference_and_random_start(env):
    starts = set()
    lifts = []
    for seed in range(12):
        _, info = env.reset(seed=seed)
        starts.add(round(info["start_time"], 6))
        sim, _ = env.sim_state()
        ref = env.reference.state_at(env.time)
        lifts.append(info["lift_m"])
        # the pose is the clip's; the body is only lifted out of the ground where the clip's feet dip into it
        assert np.max(np.linalg.norm(sim.link_pos - (ref.link_pos + [0.0, info["lift_m"], 0.0]), axis=1)) < 1e-3
        closest = pb.getClosestPoints(env.body.body, env.plane, 0.01, physicsClientId=env.client)
        assert min((c[8] for c in closest), default=1.0) >= 1e-3 - 1e-6
    assert len(starts) == 12
    assert 0.0 <= min(lifts) and max(lifts) > 0.01  # the run clip's feet reach ~6 cm below the ground
    fixed = ImitationEnv("humanoid", "run.txt", replace(DEEPMIMIC_ENV, random_start=False))
    assert fixed.reset(seed=1)[1]["start_time"] == 0.0
    fixed.close()


def test_fall_is_a_non_foot_contact_closer_than_1mm(env, monkeypatch):
    """DeepMimic counts manifold points within 1 mm; PyBullet also reports points inside its wider margin."""
    env.reset(seed=0)
    knee, ankle = env.body.link_index["chest"], env.body.link_index["right_ankle"]  # the run's clip never puts its chest down

    def contacts(link: int, distance: float):
        point = (0, env.body.body, env.plane, link, -1, (0, 0, 0), (0, 0, 0), (0, 1, 0), distance, 10.0)
        return lambda **_: [point]

    for link, distance, fell in [(knee, 0.003, False), (knee, 0.0005, True), (knee, -0.01, True), (ankle, -0.01, False)]:
        monkeypatch.setattr(pb, "getContactPoints", contacts(link, distance))
        assert env._fell() is fell, (link, distance)
    monkeypatch.setattr(pb, "getContactPoints", contacts(knee, -0.01))
    _, reward, terminated, _, info = env.step(np.zeros(env.action_space.shape))
    assert terminated and reward == 0.0 and info["fell"] and info["fall_link"] == "chest"  # the step names what went down


def test_links_allowed_on_the_ground_come_from_the_clip():
    """A link may touch the ground when the clip brings it within the tolerance: the hands of a cartwheel,
    the knees of a crawl, never the chest of a walk."""
    from characters.clip_contacts import allowed_ground_links

    clearance = np.array([[0.0, 0.30, 0.05, 0.50], [0.02, 0.039, 0.30, 0.50]])  # [T=2, K=4]
    always = np.array([False, False, False, True])
    assert allowed_ground_links(clearance, always, 0.04).tolist() == [True, True, False, True]
    # a lying pose: the clip sinks link 0 3 cm into the ground, so at that time link 2, 6 cm up, may touch too;
    # a foot (link 3, always allowed) sunk 5 cm widens nothing
    lying = np.array([[-0.03, 0.30, 0.06, 0.50], [0.10, 0.30, 0.30, -0.05]])
    assert allowed_ground_links(lying, always, 0.04).tolist() == [True, False, True, True]
    assert allowed_ground_links(lying[1:], always, 0.04).tolist() == [False, False, False, True]
    # a limb sunk deeper than the tolerance (a crawl's knee, 8.7 cm at its seam) widens it by the tolerance only
    deep = np.array([[-0.09, 0.30, 0.09, 0.50], [0.10, 0.30, 0.075, 0.50]])
    assert allowed_ground_links(deep, always, 0.04).tolist() == [True, False, False, True]
    expected = {"walk.txt": set(), "cartwheel.txt": {"right_wrist", "left_wrist"}, "crawl.txt": {"right_knee", "left_knee", "right_elbow"}}
    for clip, must in expected.items():
        e = ImitationEnv("humanoid", clip, DEEPMIMIC_ENV)
        links = set(e.ground_contact_links())
        e.close()
        assert {"right_ankle", "left_ankle"} | must <= links, (clip, links)
        assert "chest" not in links and "neck" not in links, (clip, links)
        if clip == "walk.txt":
            assert links == {"right_ankle", "left_ankle"}


def test_reset_self_check_names_character_and_clip(env, monkeypatch):
    from dataclasses import replace

    lookup = env.reference.states_at

    def bent(times, blends=None):  # the clip's joints with the right knee bent: the body no longer takes the pose whose links the clip has
        state = lookup(times)
        joints = state.pose.joints.copy()
        joints[:, 12] -= 1.0
        return replace(state, pose=replace(state.pose, joints=joints))

    monkeypatch.setattr(env.reference, "states_at", bent)
    with pytest.raises(ReferenceMismatchError, match=r"character 'humanoid' .*humanoid3d_run\.txt"):
        env.reset(seed=0)


def test_absolute_and_relative_actions_agree_on_the_reference():
    a = ImitationEnv("humanoid", "walk.txt", replace(DEEPMIMIC_ENV, action_mode="absolute"))
    r = ImitationEnv("humanoid", "walk.txt", replace(DEEPMIMIC_ENV, action_mode="relative"))
    a.reset(seed=5)
    r.reset(seed=5)
    for _ in range(5):
        oa, ra, *_ = a.step(reference_action(a))
        orel, rr, *_ = r.step(np.zeros(28))
        assert np.allclose(oa, orel, atol=1e-5) and ra == pytest.approx(rr, abs=1e-6)
    a.close()
    r.close()


def test_action_maps_invert():
    rng = np.random.default_rng(0)
    e = ImitationEnv("humanoid", "run.txt", replace(DEEPMIMIC_ENV, action_mode="relative"))
    ref = e.reference.state_at(0.3).pose.joints
    act = rng.uniform(-0.5, 0.5, 28)
    targets = e.actions.targets(act, ref)
    assert np.allclose(e.actions.action_for(targets, ref), act)
    # a relative rotation vector is applied after the reference rotation
    chest = quat_mul(ref[0:4], rotvec_to_quat(act[0:3]))
    assert np.allclose(np.abs(np.sum(targets[0:4] * chest)), 1.0)
    e.close()
    e = ImitationEnv("humanoid", "run.txt", replace(DEEPMIMIC_ENV, action_mode="absolute"))
    # DeepMimic normalization: the box centre is -offset, the half range 1/scale
    spec = get_character("humanoid")
    knee = spec.joints[3]
    assert e.action_space.low[12] == pytest.approx(-knee.action_offset[0] - 1 / knee.action_scale[0])
    assert e.action_space.high[0] == pytest.approx(1 / spec.joints[0].action_scale[0])  # chest angle +4.8
    e.close()


def test_reward_in_unit_interval_and_terms_reported(env):
    env.reset(seed=0)
    rng = np.random.default_rng(0)
    for _ in range(30):
        obs, r, term, trunc, info = env.step(reference_action(env) + rng.normal(0, 0.1, 36))
        assert 0.0 <= r <= 1.0
        assert set(info["reward_terms"]) == set(TERMS)
        for key in ("joint_rot_err_rad", "end_effector_err_m", "body_pos_err_m"):
            assert info[key] >= 0.0
        if term or trunc:
            env.reset()


def test_each_reward_term_moves_with_its_error(env):
    from dataclasses import replace

    env.reset(seed=0)
    sim, _ = env.sim_state()
    cfg = RewardConfig()
    layout = joint_layout(env.spec_)
    ee = env._ee
    base = reward_terms(imitation_errors(sim, sim, layout, ee, cfg), cfg)
    assert all(v == pytest.approx(1.0) for v in base.values())
    joints = sim.pose.joints.copy()
    joints[0:4] = quat_mul(joints[0:4], rotvec_to_quat(np.array([0.3, 0.0, 0.0])))
    jvel = sim.velocity.joints.copy()
    jvel[0] += 2.0
    jpos = sim.joint_pos.copy()
    jpos[ee[0]] += [0.1, 0.0, 0.0]
    perturbed = {
        "pose": replace(sim, pose=replace(sim.pose, joints=joints)),
        "velocity": replace(sim, velocity=replace(sim.velocity, joints=jvel)),
        "end_effector": replace(sim, joint_pos=jpos),
        # move the whole body sideways: only the root (world position) term sees it
        "root": replace(
            sim, pose=replace(sim.pose, root_pos=sim.pose.root_pos + [0.2, 0.0, 0.0]), joint_pos=sim.joint_pos + [0.2, 0.0, 0.0]
        ),
        "com": replace(sim, com_vel=sim.com_vel + [1.0, 0.0, 0.0]),
    }
    for term, other in perturbed.items():
        terms = reward_terms(imitation_errors(other, sim, layout, ee, cfg), cfg)
        assert terms[term] < 0.999, term
        assert all(terms[k] == pytest.approx(1.0) for k in TERMS if k != term), term
    # hand-checked numbers: chest 0.3 rad -> pose err = w_chest * 0.09, w_chest = 0.5/4.8
    pose_terms = reward_terms(imitation_errors(perturbed["pose"], sim, layout, ee, cfg), cfg)
    assert pose_terms["pose"] == pytest.approx(math.exp(-2.0 * (0.5 / 4.8) * 0.09))
    com_terms = reward_terms(imitation_errors(perturbed["com"], sim, layout, ee, cfg), cfg)
    assert com_terms["com"] == pytest.approx(math.exp(-10.0 * 0.1 * 1.0))
    assert total_reward(base, cfg) == pytest.approx(1.0)


def test_fast_error_pass_matches_the_readable_formulas(env):
    """errors_and_metrics (few numpy calls) against the DeepMimic formulas written out joint by joint."""
    rng = np.random.default_rng(3)
    cfg, layout, ee = RewardConfig(), joint_layout(env.spec_), env._ee
    env.reset(seed=4)
    for _ in range(3):
        env.step(rng.normal(0, 0.3, env.action_space.shape))
    sim, _ = env.sim_state()
    ref = env.reference.state_at(env.time + 0.37)
    errors, metrics = errors_and_metrics(sim, ref, layout, ee, cfg)
    sph, rev = joint_angle_errors(sim, ref, layout)
    root_rot = quat_angle(quat_mul(quat_conj(ref.pose.root_quat), sim.pose.root_quat))
    pose = layout.root_weight * root_rot**2
    pose += sum(w * e**2 for w, e in zip(layout.sph_weight, sph, strict=True))
    pose += sum(w * e**2 for w, e in zip(layout.rev_weight, rev, strict=True))
    dv = sim.velocity.joints - ref.velocity.joints
    root_dw = np.sum((sim.velocity.root_ang - ref.velocity.root_ang) ** 2)
    vel = layout.root_weight * root_dw + sum(w * np.sum(dv[c] ** 2) for w, c in zip(layout.sph_weight, layout.sph_vel, strict=True))
    vel += sum(w * dv[c] ** 2 for w, c in zip(layout.rev_weight, layout.rev_vel, strict=True))
    ee_err = np.sum((end_effector_positions(sim, ee) - end_effector_positions(ref, ee)) ** 2)
    root = (np.sum((sim.pose.root_pos - ref.pose.root_pos) ** 2) + 0.1 * root_rot**2
            + 0.01 * np.sum((sim.velocity.root_lin - ref.velocity.root_lin) ** 2) + 0.001 * root_dw)  # fmt: skip
    com = 0.1 * np.sum((sim.com_vel - ref.com_vel) ** 2)
    expected = {"pose": pose, "velocity": vel, "end_effector": ee_err, "root": root, "com": com}
    for k, v in expected.items():
        assert errors[k] == pytest.approx(v, rel=1e-9, abs=1e-12), k
    assert min(expected.values()) > 1e-4  # the comparison is not between zeros
    readable = tracking_metrics(sim, ref, layout, ee)
    for k, v in readable.items():
        assert metrics[k] == pytest.approx(v, rel=1e-9), k
    assert metrics["body_pos_err_max_m"] == pytest.approx(np.max(np.linalg.norm(sim.link_pos - ref.link_pos, axis=1)))
    assert metrics["body_pos_err_max_link"] == np.argmax(np.linalg.norm(sim.link_pos - ref.link_pos, axis=1))


def test_batch_rewards_match_the_terms_one_by_one():
    """The two-product reward of a batch against `reward_terms` and `total_reward` per character."""
    rng = np.random.default_rng(5)
    cfg = RewardConfig(pose_weight=0.4, com_scale=7.0)
    errors = {k: rng.uniform(0.0, 2.0, 6) for k in TERMS}
    terms, totals = batch_rewards(errors, cfg)
    for i in range(6):
        one = reward_terms({k: float(v[i]) for k, v in errors.items()}, cfg)
        assert terms[:, i] == pytest.approx([one[k] for k in TERMS], rel=1e-12)
        assert totals[i] == pytest.approx(total_reward(one, cfg), rel=1e-12)
    assert np.all((totals > 0.0) & (totals <= 1.0))


def test_simulated_centre_of_mass_velocity_is_the_mass_weighted_mean(env):
    env.reset(seed=6)
    env.step(np.zeros(env.action_space.shape))
    sim, links = env.sim_state()
    masses = [pb.getDynamicsInfo(env.body.body, j, physicsClientId=env.client)[0] for j in range(-1, env.body.num_links)]
    weighted = masses[0] * sim.velocity.root_lin + sum(m * row[7:10] for m, row in zip(masses[1:], links, strict=True))
    assert np.abs(weighted).max() > 0.1  # a moving body, not a trivial zero
    assert sim.com_vel == pytest.approx(weighted / sum(masses), abs=1e-12)


def test_observation_is_heading_and_position_invariant(env):
    env.reset(seed=2)
    sim, links = env.sim_state()
    obs = build_observation(0.3, sim.pose.root_pos, sim.pose.root_quat, links)
    turn = yaw_quat(1.1)
    from motions.rotations import quat_rotate

    moved = links.copy()
    shift = np.array([3.0, 0.0, -2.0])
    moved[:, 0:3] = quat_rotate(turn, links[:, 0:3] - sim.pose.root_pos) + sim.pose.root_pos + shift
    moved[:, 3:7] = quat_mul(turn, links[:, 3:7])
    moved[:, 7:10] = quat_rotate(turn, links[:, 7:10])
    moved[:, 10:13] = quat_rotate(turn, links[:, 10:13])
    obs2 = build_observation(0.3, sim.pose.root_pos + shift, quat_mul(turn, sim.pose.root_quat), moved)
    assert np.allclose(obs, obs2, atol=1e-5)
    layout = observation_layout([f"link{i}" for i in range(15)])
    assert sum(size for _, _, size, _, _ in layout) == 197
    ref_pos, ref_quat = links[None, :, 0:3] + 0.1, links[None, :, 3:7]
    feats = reference_features(sim.pose.root_pos, sim.pose.root_quat, ref_pos, ref_quat)
    moved_ref = quat_rotate(turn, ref_pos[0] - sim.pose.root_pos) + sim.pose.root_pos + shift
    feats2 = reference_features(sim.pose.root_pos + shift, quat_mul(turn, sim.pose.root_quat), moved_ref[None], moved[None, :, 3:7])
    assert np.allclose(feats, feats2, atol=1e-5)


def test_upcoming_clip_poses_in_the_observation():
    """clip+0 is the reference now: right after reset (character = clip) it repeats the pose block; clip+3 is ahead."""
    e = ImitationEnv("humanoid", "walk.txt", replace(DEEPMIMIC_ENV, action_mode="relative", reference_obs_steps=(0, 3)))
    obs, _ = e.reset(seed=4)
    n = 15
    assert obs.shape == (197 + 2 * 7 * n,) == e.observation_space.shape
    blocks = {name: (o, s) for name, o, s, _, _ in observation_layout([f"l{i}" for i in range(n)], (0, 3))}
    assert blocks["clip+0.l0.position"] == (197, 3) and blocks["clip+3.l14.rotation_wxyz"] == (197 + 14 * 7 + 105 + 3, 4)
    now, ahead = obs[197 : 197 + 7 * n], obs[197 + 7 * n :]
    assert np.abs(now - obs[2 : 2 + 7 * n]).max() < 1e-4
    # 0.1 s later the clip has moved on: the walk's root covers ~0.1 m, the feet more
    assert np.abs(ahead - now).max() > 0.05
    obs2, *_ = e.step(np.zeros(e.action_space.shape, dtype=np.float32))
    ref = e.reference.state_at(e.time + 3 / 30)
    sim, _ = e.sim_state()
    expected = reference_features(sim.pose.root_pos, sim.pose.root_quat, ref.link_pos[None], ref.link_quat[None])
    assert np.allclose(obs2[197 + 7 * n :], expected, atol=1e-6)
    e.close()


def test_upcoming_clip_poses_of_chosen_links_are_the_full_blocks_rows():
    """reference_obs_links keeps the named links' rows of every upcoming-pose block, in link order; unknown names fail."""
    full = ImitationEnv("humanoid", "walk.txt", replace(DEEPMIMIC_ENV, action_mode="relative", reference_obs_steps=(1, 4)))
    some = ImitationEnv("humanoid", "walk.txt", replace(DEEPMIMIC_ENV, action_mode="relative", reference_obs_steps=(1, 4),
                                                          reference_obs_links=("right_ankle", "root")))  # fmt: skip
    assert some.observation_space.shape == (197 + 2 * 2 * 7,)
    names = ["root", "chest", "neck", "right_hip", "right_knee", "right_ankle"] + [f"x{i}" for i in range(9)]
    layout = [name for name, *_ in observation_layout(names, (1, 4), ("right_ankle", "root"))]
    assert layout[-4:] == ["clip+4.root.position", "clip+4.root.rotation_wxyz",
                           "clip+4.right_ankle.position", "clip+4.right_ankle.rotation_wxyz"]  # fmt: skip
    action = np.full(full.action_space.shape, 0.05, dtype=np.float32)
    for step in range(3):
        a, _ = full.reset(seed=2) if step == 0 else full.step(action)[:2]
        b, _ = some.reset(seed=2) if step == 0 else some.step(action)[:2]
        assert np.array_equal(a[:197], b[:197])
        for j in range(2):  # block j: root (link 0) then right_ankle (link 5)
            block = a[197 + 105 * j : 197 + 105 * (j + 1)].reshape(15, 7)
            assert np.array_equal(b[197 + 14 * j : 197 + 14 * (j + 1)].reshape(2, 7), block[[0, 5]])
    full.close()
    some.close()
    with pytest.raises(ValueError, match="hand"):
        ImitationEnv("humanoid", "walk.txt", replace(DEEPMIMIC_ENV, reference_obs_steps=(1,), reference_obs_links=("hand",)))


def test_time_limit_truncates_and_one_shot_clip_ends():
    e = ImitationEnv("humanoid", "run.txt", replace(DEEPMIMIC_ENV, episode_seconds=0.2, pose_termination_m=0.0))
    e.reset(seed=0)
    steps = 0
    while True:
        _, _, term, trunc, _ = e.step(reference_action(e))
        steps += 1
        if term or trunc:
            break
    assert trunc and not term and steps == 6
    e.close()
    kick = ImitationEnv("humanoid", "kick.txt", replace(DEEPMIMIC_ENV, random_start=False))
    kick.reset(seed=0, options={"start_time": kick.clip.duration - 0.05})
    _, _, term, trunc, _ = kick.step(reference_action(kick))
    _, _, term2, trunc2, _ = kick.step(reference_action(kick))
    assert (trunc and not term) or (trunc2 and not term2)
    kick.close()


def test_falling_terminates_with_zero_reward():
    e = ImitationEnv("humanoid", "run.txt", DEEPMIMIC_ENV)
    e.reset(seed=0)
    limp = np.zeros(36)  # absolute zero action: knees and elbows half bent, the character collapses
    for _ in range(200):
        _, r, term, trunc, info = e.step(limp)
        if term:
            break
    assert term and r == 0.0 and (info["fell"] or info["drifted"])
    e.close()


def test_physics_blow_up_terminates_without_nan(env, caplog):
    env.reset(seed=0)
    pb.resetBaseVelocity(env.body.body, [float("nan"), 0, 0], [0, 0, 0], physicsClientId=env.client)
    with caplog.at_level("WARNING"):
        obs, r, term, trunc, info = env.step(reference_action(env))
    assert term and info.get("blow_up") and np.all(np.isfinite(obs)) and r == 0.0
    assert "blow-up" in caplog.text
    obs, _ = env.reset(seed=1)  # the next episode starts clean
    assert np.all(np.isfinite(obs))


def test_huge_speed_counts_as_blow_up():
    e = ImitationEnv("humanoid", "run.txt", replace(DEEPMIMIC_ENV, max_body_speed=5.0))
    e.reset(seed=0)
    pb.resetBaseVelocity(e.body.body, [50.0, 0, 0], [0, 0, 0], physicsClientId=e.client)
    _, r, term, _, info = e.step(reference_action(e))
    assert term and info.get("blow_up") and r == 0.0
    e.close()


@pytest.mark.parametrize("lookahead", [1, 2])
@pytest.mark.parametrize("target_velocity", ["clip", "zero"])
def test_relative_actions_are_added_to_the_clip_pose_lookahead_steps_ahead(lookahead, target_velocity):
    config = replace(EnvConfig(), relative_lookahead_steps=lookahead, pd_target_velocity=target_velocity)
    e = ImitationEnv("humanoid", "walk.txt", config)
    e.reset(seed=2)
    sent = []
    send = e.body.set_pd_targets
    e.body.set_pd_targets = lambda targets, velocities=None: (sent.append((np.array(targets), velocities)), send(targets, velocities))
    for _ in range(3):
        expected = e.reference.state_at(e.time + lookahead / 30.0)
        assert np.allclose(e.action_base_pose(), expected.pose.joints, atol=1e-12)
        e.step(np.zeros(e.action_space.shape))
        targets, velocities = sent[-1]
        assert np.allclose(targets, expected.pose.joints, atol=1e-12)  # a zero action tracks exactly that pose
        if target_velocity == "clip":  # ... and the clip's joint velocities at that time
            assert np.allclose(velocities, expected.velocity.joints, atol=1e-9) and np.abs(velocities).max() > 1.0
        else:
            assert velocities is None
    e.close()


def test_an_unknown_pd_target_velocity_is_refused():
    with pytest.raises(ValueError, match="pd_target_velocity"):
        EnvConfig(pd_target_velocity="reference")
