"""The README's gallery: every shipped skill beside its clip, rendered by `imitate render`.

For each controller shipped in the package (not the steerable ones, whose course has its own figure) this
runs `imitate render --motion CLIP --character CHARACTER --side-by-side --gif docs/gallery/<folder>.gif`
at a small size (GIFs stay light in the repository), two cycles of the clip long (2.5 to 5 s), and prints the markdown
table the README shows, each GIF with the command that made it.

  python -m tools.gallery            # render every shipped skill, print the table
  python -m tools.gallery --table    # the table only, from the GIFs already rendered
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

from characters.registry import get_character
from imitate.shipped import list_shipped
from motions.library import resolve_clip, short_name
from motions.loading import read_frames

OUT = Path("docs/gallery")
SIZE = "256x144"
COLUMNS = 3


def skills() -> list[tuple[str, str, Path]]:
    """(character, clip name as `imitate motions` lists it, GIF path) for each shipped controller that follows
    its clip (not the steerable ones)."""
    out = []
    for folder in list_shipped():
        contract = json.loads((folder / "controller.json").read_text())
        if contract["env_config"].get("steering") is None:
            clip = short_name(Path(contract["clip"]), get_character(contract["character"]).clip_prefix)
            out.append((contract["character"], clip, OUT / f"{folder.name}.gif"))
    return out


def seconds_for(clip_name: str, prefix: str) -> float:
    """Two passes of the clip, at least 2.5 s and at most 5 s, to a tenth of a second."""
    return round(min(5.0, max(2.5, 2.0 * float(read_frames(resolve_clip(clip_name, prefix)).frames[:-1, 0].sum()))), 1)


def render_command(character: str, clip: str, gif: Path) -> list[str]:
    return ["imitate", "render", "--motion", clip, "--character", character, "--side-by-side", "--gif", str(gif), "--size", SIZE,
            "--seconds", f"{seconds_for(clip, get_character(character).clip_prefix):.1f}"]  # fmt: skip


def table(rows: list[tuple[str, str, Path]]) -> str:
    """Markdown: COLUMNS skills per row, each GIF over its name and the command that rendered it."""
    cells = [f"![{Path(clip).stem}]({gif})<br>{Path(clip).stem}{'' if ch == 'humanoid' else f' ({ch})'}: "
             f"`{' '.join(render_command(ch, clip, gif))}`" for ch, clip, gif in rows]  # fmt: skip
    lines = []
    for i in range(0, len(cells), COLUMNS):
        row = cells[i : i + COLUMNS] + [""] * (COLUMNS - len(cells[i : i + COLUMNS]))
        lines.append("| " + " | ".join(row) + " |")
        if i == 0:
            lines.append("|" + "---|" * COLUMNS)
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--table", action="store_true", help="print the table without rendering")
    args = ap.parse_args()
    rows = skills()
    if not args.table:
        OUT.mkdir(parents=True, exist_ok=True)
        exe = str(Path(sys.executable).with_name("imitate"))
        for character, clip, gif in rows:
            cmd = [exe, *render_command(character, clip, gif)[1:]]
            print("+", " ".join(cmd[1:]), file=sys.stderr, flush=True)
            subprocess.run(cmd, check=True)
    print(table(rows))


if __name__ == "__main__":
    main()
