"""Reading a user's text file (a clip, a BVH file) with one-line errors that name it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path


def read_text(path: str | Path, error: Callable[[str, str], Exception], kind: str) -> str:
    """The file's text; an unreadable or non-UTF-8 file raises error(file, problem) (kind: what the file should be)."""
    source = str(path)
    try:
        return Path(path).read_text()
    except OSError as exc:
        raise error(source, f"cannot read file ({exc.strerror})") from None
    except UnicodeDecodeError as exc:
        raise error(source, f"not a text file (byte {exc.start} is not UTF-8): {kind}") from None
