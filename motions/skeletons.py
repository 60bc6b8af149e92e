"""Which joint of a motion-capture skeleton plays which part: recognised from joint names.

Roles are the body points retargeting needs: hips, chest, neck, head and, per side,
hip, knee, ankle, toe, shoulder, elbow, wrist (`left_knee`, ...). Names are compared
without case, separators or a namespace prefix (`mixamorig:LeftLeg` is `leftleg`).
The families known: CMU (cgspeed), Mixamo, LaFAN1 / Ubisoft, Biovision, and this
package's own BVH export (the role names themselves). Any other skeleton needs a map,
a JSON object from role to joint name.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

ROLES = ("hips", "chest", "neck", "head", *(f"{s}_{p}" for s in ("left", "right")
         for p in ("hip", "knee", "ankle", "toe", "shoulder", "elbow", "wrist")))  # fmt: skip
REQUIRED = tuple(r for r in ROLES if not r.endswith(("_toe", "head", "_wrist")))  # the others fall back to End Sites

# role -> accepted normalized names; {s}: "left" / "l" / "right" / "r" as the family writes it
_SIDE = {"left": ("left", "l"), "right": ("right", "r")}
_NAMES = {
    "hips": ("hips", "hip", "pelvis", "root"),
    "chest": ("spine2", "chest", "spine1", "upperchest", "chest2", "spine"),  # the first one present, in this order of preference
    "neck": ("neck", "neck1"),
    "head": ("head",),
    "hip": ("{s}upleg", "{s}thigh", "{s}upperleg", "{s}femur", "{s}hip"),
    "knee": ("{s}leg", "{s}lowleg", "{s}shin", "{s}lowerleg", "{s}knee", "{s}calf"),
    "ankle": ("{s}foot", "{s}ankle"),
    "toe": ("{s}toebase", "{s}toe", "{s}toes", "{s}toe0"),
    "shoulder": ("{s}arm", "{s}uparm", "{s}upperarm", "{s}shoulder", "{s}humerus"),
    "elbow": ("{s}forearm", "{s}lowarm", "{s}lowerarm", "{s}elbow"),
    "wrist": ("{s}hand", "{s}wrist"),
}
_CLAVICLES = ("{s}shoulder", "{s}collar", "{s}clavicle")  # "LeftShoulder" is the clavicle where "LeftArm" exists


def normalize(name: str) -> str:
    """Lower case, without a namespace prefix (`mixamorig:`) or separators."""
    return re.sub(r"[^a-z0-9]", "", name.split(":")[-1].lower())


class SkeletonError(ValueError):
    """A skeleton whose roles cannot be found. `str()` is one line naming the file."""

    def __init__(self, source: str, problem: str) -> None:
        super().__init__(f"{source}: {problem}")


def recognise(names: tuple[str, ...], parents, source: str, mapping: dict[str, str] | None = None) -> tuple[dict[str, int], str]:
    """Role -> joint index for a skeleton's joint names (End Sites named `<joint>_end` included), and the
    family recognised. `mapping` (role -> joint name) overrides the recognition for the roles it names.
    Missing head/toe/wrist fall back to the End Site below the neck/ankle/elbow's child."""
    index = {n: i for i, n in enumerate(names)}
    roles: dict[str, int] = {}
    if mapping:
        unknown = [r for r in mapping if r not in ROLES]
        if unknown:
            raise SkeletonError(source, f"the map names unknown roles {unknown}; roles are {', '.join(ROLES)}")
        missing = [f"{r}={j!r}" for r, j in mapping.items() if j not in index]
        if missing:
            raise SkeletonError(source, f"the map names joints the file lacks: {', '.join(missing)}")
        roles.update({r: index[j] for r, j in mapping.items()})
    norm = {}
    for i, n in enumerate(names):
        if not n.endswith("_end"):
            norm.setdefault(normalize(n), i)
    has_upper_arm = any(normalize(f"{s}{p}") in norm for s in ("left", "l") for p in ("arm", "uparm", "upperarm"))
    for role in ROLES:
        if role in roles:
            continue
        side, part = (role.split("_", 1) if "_" in role else (None, role))
        candidates = []
        for pattern in _NAMES[part]:
            if side is None:
                candidates.append(pattern)
            else:
                if part == "shoulder" and pattern == "{s}shoulder" and has_upper_arm:
                    continue  # there it is the clavicle
                candidates += [pattern.format(s=s) for s in _SIDE[side]]
        hit = next((norm[c] for c in candidates if c in norm), None)
        if hit is not None:
            roles[role] = hit
    _end_site_fallbacks(roles, names, parents)
    missing = [r for r in REQUIRED if r not in roles]
    if missing:
        raise SkeletonError(source, f"skeleton not recognised (no joint for {', '.join(missing)}); give --map FILE.json "
                                    f"mapping roles to joint names, e.g. {{\"left_knee\": \"LeftLeg\"}}")  # fmt: skip
    return roles, _family(names)


def _end_site_fallbacks(roles: dict[str, int], names: tuple[str, ...], parents) -> None:
    """head/toe/wrist from the first child (or End Site) of neck/ankle/elbow where the names did not give them."""
    children: dict[int, list[int]] = {}
    for j, p in enumerate(parents):
        children.setdefault(int(p), []).append(j)
    for role, base in (("head", "neck"), *((f"{s}_toe", f"{s}_ankle") for s in ("left", "right")),
                       *((f"{s}_wrist", f"{s}_elbow") for s in ("left", "right"))):  # fmt: skip
        if role not in roles and base in roles and children.get(roles[base]):
            roles[role] = children[roles[base]][0]
    if "head" in roles and roles["head"] == roles.get("neck"):
        del roles["head"]


def _family(names: tuple[str, ...]) -> str:
    lowered = {normalize(n) for n in names}
    if any(n.startswith("mixamorig") for n in (x.lower() for x in names)):
        return "Mixamo"
    if "lhipjoint" in lowered:
        return "CMU"
    if "leftuparm" in lowered or "leftlowleg" in lowered:
        return "Biovision"
    if "lefttoe" in lowered and "spine2" in lowered:
        return "LaFAN1"
    if "lefthip" in lowered and "leftknee" in lowered:
        return "imitate"
    return "generic (recognised by name)"


def read_map(path: str | Path) -> dict[str, str]:
    """A --map file: a JSON object from role to joint name."""
    try:
        data = json.loads(Path(path).read_text())
    except (OSError, json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise SkeletonError(str(path), f"unreadable map ({exc})") from None
    if not isinstance(data, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in data.items()):
        raise SkeletonError(str(path), 'a map is a JSON object from role to joint name, e.g. {"left_knee": "LeftLeg"}')
    return data
