"""What `--motion` names: a clip file, a shipped clip, or a BVH file converted for the character on the way in."""

from __future__ import annotations

import hashlib
import tempfile
from pathlib import Path

from characters.spec import CharacterSpec
from motions import resolve_clip

BVH_CACHE = Path(tempfile.gettempdir()) / "imitate-bvh"  # converted clips, named by the BVH's content


def is_bvh(motion: str | Path) -> bool:
    return str(motion).lower().endswith(".bvh")


def resolve_motion(motion: str, spec: CharacterSpec, map_path: str | Path | None = None, verbose: bool = True) -> Path:
    """The clip file for `motion`: a BVH file is converted for the character (`motions.bvh_convert`), its
    report printed, and the clip written to a cache file named by the BVH's content; anything else is
    `motions.resolve_clip`."""
    if not is_bvh(motion):
        return resolve_clip(motion, spec.clip_prefix)
    from characters.rig import character_rig
    from motions.bvh_convert import clip_to_json, convert_bvh, write_report
    from motions.skeletons import read_map

    path = Path(motion)
    mapping = read_map(map_path) if map_path else None
    key = hashlib.sha256(path.read_bytes() if path.is_file() else b"").hexdigest()[:12]  # read_bvh names a missing file
    conversion = convert_bvh(path, character_rig(spec.name), mapping)
    folder = BVH_CACHE / f"{spec.name}-{key}"
    folder.mkdir(parents=True, exist_ok=True)
    out = folder / f"{path.stem}.txt"
    out.write_text(clip_to_json(conversion.clip))
    write_report(conversion.report, out.with_suffix(".json"))
    if verbose:
        print(describe_conversion(conversion.report))
    return out


def describe_conversion(r: dict) -> str:
    """The conversion report as a few lines for the terminal."""
    limbs = ", ".join(f"{k} {v:.1f}°" for k, v in r["limb_direction_error_deg"].items())
    hinges = ", ".join(f"{k} {v:.1f}°" for k, v in r["hinge_residual_deg"].items())
    clamped = sum(r["hinge_frames_clamped"].values())
    lines = [
        f"imitate: converted {r['file']}: {r['skeleton']} skeleton, {len(r['roles'])} joints recognised",
        f"  scale {r['scale_m_per_unit']:.4g} m per file unit, up axis {r['up_axis']}, "
        f"{r['source_fps']:.0f} fps -> {r['clip_fps']:.0f} fps, {r['seconds']:.2f} s, loop: {r['loop']}"
        + (", calibration frame dropped" if r["calibration_frame_dropped"] else "")
        + (f", floor levelled by {r['floor_levelled_deg']:.1f}°" if r["floor_levelled_deg"] > 0.05 else ""),
        f"  feet: lowest {100 * r['penetration_m']:.1f} cm, median lowest {100 * r['floating_m']:.1f} cm, "
        f"skating {r['skating_m_s']:.2f} m/s (source {r['source_skating_m_s']:.2f}); limbs off the source by {limbs}",
        f"  hinges: off their plane by {hinges} (moved into the limb's twist); {clamped} frames clamped to limits; "
        f"fastest joint {r['max_joint_speed_rad_s']:.1f} rad/s; {r['quaternion_sign_flips']} quaternion sign flips",
    ]
    return "\n".join(lines)
