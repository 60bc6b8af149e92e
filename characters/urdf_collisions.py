"""A character's URDF with some links' collision geometry replaced (`CharacterSpec.collisions`).

The asset still comes from `pybullet_data` at run time: its text is read, the named links' `<collision>`
elements are replaced, and PyBullet loads the result from a file in the system's temporary folder, named
by a hash of its text so every process and run reuses one copy.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from collections.abc import Iterable, Sequence

from characters.spec import CharacterSpec, CollisionShape, LinkCollision

_LINK = r'(<link\s+name\s*=\s*"{name}"\s*>)(.*?)(</link>)'
_COLLISION = re.compile(r"[ \t]*<collision\b[^>]*>.*?</collision>[ \t]*\n?", re.S)  # named or not


def collision_xml(shape: CollisionShape, indent: str = "\t\t") -> str:
    """One `<collision>` element for `shape`."""
    x, y, z = shape.center
    if shape.kind == "box":
        geometry = '<box size="{:.6f} {:.6f} {:.6f}" />'.format(*shape.size)
    elif shape.kind == "sphere":
        geometry = f'<sphere radius="{shape.size[0]:.6f}" />'
    else:
        raise ValueError(f"collision shape kind {shape.kind!r}: expected 'box' or 'sphere'")
    return (f'{indent}<collision>\n{indent}\t<origin rpy="0 0 0" xyz="{x:.6f} {y:.6f} {z:.6f}" />\n'
            f"{indent}\t<geometry>\n{indent}\t\t{geometry}\n{indent}\t</geometry>\n{indent}</collision>\n")  # fmt: skip


def replace_collisions(urdf_text: str, collisions: Iterable[LinkCollision]) -> str:
    """`urdf_text` with each named link's `<collision>` elements replaced by its shapes (in order, before
    the link's end). Raises ValueError naming a link that is missing or has no collision element."""
    for override in collisions:
        pattern = re.compile(_LINK.format(name=re.escape(override.link)), re.S)
        match = pattern.search(urdf_text)
        if match is None:
            raise ValueError(f"link {override.link!r} is not in the URDF")
        head, body, tail = match.groups()
        if not _COLLISION.search(body):
            raise ValueError(f"link {override.link!r} has no <collision> element to replace")
        body = _COLLISION.sub("", body)
        new = head + body.rstrip() + "\n" + "".join(collision_xml(s) for s in override.shapes) + "\t" + tail
        urdf_text = urdf_text[: match.start()] + new + urdf_text[match.end() :]
    return urdf_text


def collisions_from_json(entries: Sequence[dict]) -> tuple[LinkCollision, ...]:
    """`CharacterSpec.collisions` from its JSON form (a controller contract's "collisions")."""
    return tuple(
        LinkCollision(e["link"], tuple(CollisionShape(s["kind"], tuple(s["center"]), tuple(s["size"])) for s in e["shapes"]))
        for e in entries
    )


def loadable_urdf(path: str, collisions: Sequence[LinkCollision]) -> str:
    """The file PyBullet should load: `path` itself without collisions to replace, else the rewritten copy."""
    if not collisions:
        return path
    with open(path, encoding="utf-8", errors="surrogateescape") as f:
        text = replace_collisions(f.read(), collisions)
    digest = hashlib.sha1(text.encode("utf-8", errors="surrogateescape")).hexdigest()[:16]
    folder = os.path.join(tempfile.gettempdir(), "imitate-urdf")
    out = os.path.join(folder, f"{os.path.splitext(os.path.basename(path))[0]}-{digest}.urdf")
    if not os.path.exists(out):
        os.makedirs(folder, exist_ok=True)
        partial = f"{out}.{os.getpid()}.tmp"
        with open(partial, "w", encoding="utf-8", errors="surrogateescape") as f:
            f.write(text)
        os.replace(partial, out)  # atomic: a process loading it never sees half a file
    return out


def character_urdf(spec: CharacterSpec, data_path: str) -> str:
    """The URDF file that builds `spec`: its asset in `data_path` (pybullet_data) or at its absolute path,
    with its collision replacements applied."""
    path = spec.urdf if os.path.isabs(spec.urdf) else os.path.join(data_path, spec.urdf)
    return loadable_urdf(path, spec.collisions)
