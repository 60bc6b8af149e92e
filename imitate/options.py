"""Command-line options generated from the frozen configs: one source of truth.

Every field of a config dataclass becomes `--field-name`; its help text is the
field's trailing comment in the source. Tuples are written `1024,512`,
booleans `--flag` / `--no-flag`.
"""

from __future__ import annotations

import argparse
import dataclasses
import inspect
import typing
from typing import Any


def field_comments(cls: type) -> dict[str, str]:
    """The trailing `# comment` of each field in a dataclass's source."""
    out: dict[str, str] = {}
    for line in inspect.getsource(cls).splitlines():
        code, _, comment = line.partition("  # ")
        name, sep, _ = code.strip().partition(":")
        if sep and comment and name.isidentifier():
            out[name] = comment.strip()
    return out


def _parse_tuple(text: str) -> tuple[int, ...]:
    try:
        return tuple(int(x) for x in text.split(",") if x.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected comma-separated integers like 1024,512, got {text!r}") from None


def _parse_names(text: str) -> tuple[str, ...]:
    return tuple(x.strip() for x in text.split(",") if x.strip())


def nested_dataclass(hint: Any) -> type | None:
    """The dataclass a field holds (`X` or `X | None`), or None for a plain field."""
    if dataclasses.is_dataclass(hint):
        return hint
    classes = [a for a in typing.get_args(hint) if dataclasses.is_dataclass(a)]
    return classes[0] if len(classes) == 1 and type(None) in typing.get_args(hint) else None


def add_config_options(parser: argparse.ArgumentParser, cls: type, defaults: Any, prefix: str = "", skip: tuple[str, ...] = ()) -> None:
    """Add one option per (non-nested) field of `cls`, defaulting to the values in `defaults`."""
    comments = field_comments(cls)
    hints = typing.get_type_hints(cls)
    group = parser.add_argument_group(f"{cls.__name__} ({cls.__module__})")
    for f in dataclasses.fields(cls):
        if f.name in skip or nested_dataclass(hints[f.name]) is not None:
            continue
        kind = hints[f.name]
        default = getattr(defaults, f.name)
        flag = "--" + (prefix + f.name).replace("_", "-")
        dest = prefix + f.name
        help_text = f"{comments.get(f.name, '')} (default: {_show(default)})".replace("%", "%%")
        if kind is bool:
            group.add_argument(flag, dest=dest, action=argparse.BooleanOptionalAction, default=None, help=help_text)
        elif typing.get_origin(kind) is tuple and typing.get_args(kind)[0] is str:
            group.add_argument(flag, dest=dest, type=_parse_names, default=None, metavar="NAME,NAME", help=help_text)
        elif typing.get_origin(kind) is tuple:
            group.add_argument(flag, dest=dest, type=_parse_tuple, default=None, metavar="N,N", help=help_text)
        else:
            group.add_argument(flag, dest=dest, type=kind, default=None, metavar=kind.__name__.upper(), help=help_text)


def config_from_args(cls: type, defaults: Any, args: argparse.Namespace, prefix: str = "", **nested: Any) -> Any:
    """`defaults` with every option the user gave replaced."""
    changes = {}
    for f in dataclasses.fields(cls):
        value = getattr(args, prefix + f.name, None)
        if value is not None:
            changes[f.name] = value
    changes.update(nested)
    return dataclasses.replace(defaults, **changes)


def to_jsonable(config: Any) -> dict[str, Any]:
    out = {}
    for f in dataclasses.fields(config):
        value = getattr(config, f.name)
        out[f.name] = to_jsonable(value) if dataclasses.is_dataclass(value) else (list(value) if isinstance(value, tuple) else value)
    return out


def from_jsonable(cls: type, data: dict[str, Any]) -> Any:
    hints = typing.get_type_hints(cls)
    kwargs = {}
    for f in dataclasses.fields(cls):
        if f.name not in data:
            continue
        value = data[f.name]
        nested = nested_dataclass(hints[f.name])
        if nested is not None and value is not None:
            value = from_jsonable(nested, value)
        elif typing.get_origin(hints[f.name]) is tuple:
            value = tuple(value)
        kwargs[f.name] = value
    return cls(**kwargs)


def _show(value: Any) -> str:
    if isinstance(value, tuple):
        return ",".join(str(v) for v in value)
    return str(value)
