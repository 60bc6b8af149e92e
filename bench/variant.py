"""Train with the defaults but for a few environment settings the command line does not reach (nested configs
such as the steering command's sampling or the training pushes), to measure a candidate default side by side.

  python -m bench.variant --set pushes.max_speed_m_s=2.5 --set pushes.every_seconds=2,5 -- \\
      --motion walk.txt --character humanoid --steer --no-until-bar --budget 2.4M --out runs/steer-pushes

Everything after `--` is `imitate train`'s own options. The changed settings go into the run's config.json, so
`imitate --resume RUN`, `imitate eval RUN` and the benchmarks see the variant as it trained.
"""

from __future__ import annotations

import argparse
import ast
import dataclasses
import sys
from typing import Any

from characters.config import EnvConfig


def parse_setting(text: str) -> tuple[tuple[str, ...], Any]:
    """`a.b=value` -> (("a", "b"), value); value a Python literal, `1.5,4` a tuple."""
    path, sep, value = text.partition("=")
    if not sep or not path:
        raise ValueError(f"expected NAME.FIELD=VALUE, got {text!r}")
    try:
        parsed = ast.literal_eval(value)
    except (ValueError, SyntaxError):
        raise ValueError(f"{text!r}: the value is not a number, tuple, boolean or quoted string") from None
    return tuple(path.split(".")), parsed


def changed(config: Any, path: tuple[str, ...], value: Any) -> Any:
    """The frozen dataclass `config` with the field at `path` (nested dataclass fields by name) set to `value`,
    cast to the type of the value it replaces (a tuple of floats stays one)."""
    name, rest = path[0], path[1:]
    names = [f.name for f in dataclasses.fields(config)]
    if name not in names:
        raise ValueError(f"{type(config).__name__} has no field {name!r} (fields: {', '.join(names)})")
    old = getattr(config, name)
    if rest:
        if not dataclasses.is_dataclass(old):
            raise ValueError(f"{type(config).__name__}.{name} is {old!r}, not a config with fields")
        return dataclasses.replace(config, **{name: changed(old, rest, value)})
    if isinstance(old, tuple):
        new = tuple(type(o)(v) for o, v in zip(old, value, strict=True)) if old else tuple(value)
    elif isinstance(old, bool) or old is None:
        new = value
    else:
        new = type(old)(value)
    return dataclasses.replace(config, **{name: new})


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    ours, imitate_args = (argv[: argv.index("--")], argv[argv.index("--") + 1 :]) if "--" in argv else (argv, [])
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--set", action="append", default=[], metavar="NAME.FIELD=VALUE",
                    help="an EnvConfig setting, e.g. pushes.max_speed_m_s=2.5 (repeatable)")  # fmt: skip
    try:
        settings = [parse_setting(s) for s in ap.parse_args(ours).set]
        for path, value in settings:  # refuse a misspelt setting before anything starts
            if path[0] not in ("pushes", "steering"):  # None until --steer sets them: checked as the run is made
                changed(EnvConfig(), path, value)
    except ValueError as exc:
        print(f"bench.variant: error: {exc}", file=sys.stderr)
        return 2

    from imitate import cli, train_cmd
    from imitate.errors import UserError

    new_run = train_cmd._new_run

    def variant_run(args: argparse.Namespace):
        run_dir, config = new_run(args)
        env = config.env
        try:
            for path, value in settings:
                env = changed(env, path, value)
        except ValueError as exc:
            raise UserError(str(exc)) from None
        print("bench.variant: " + ", ".join(f"{'.'.join(p)}={v!r}" for p, v in settings))
        return run_dir, dataclasses.replace(config, env=env)

    train_cmd._new_run = variant_run
    try:
        return cli.main(["train", *imitate_args])
    finally:
        train_cmd._new_run = new_run


if __name__ == "__main__":
    raise SystemExit(main())
