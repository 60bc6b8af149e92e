"""Dependencies run one way: motions <- characters; awr_core and viewer stay independent."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
OURS = {"motions", "characters", "awr_core", "viewer", "imitate"}

# package -> top-level modules it must never import
FORBIDDEN = {
    "motions": {"pybullet", "pybullet_data", "torch", "gymnasium", "pyglet", "characters", "awr_core", "viewer", "imitate"},
    "characters": {"torch", "pyglet", "awr_core", "viewer", "imitate"},
    "awr_core": {"pybullet", "pybullet_data", "pyglet", "characters", "motions", "viewer", "imitate"},
    "viewer": {"torch", "awr_core", "imitate"},
}
ALLOWED_THIRD_PARTY = {"motions": {"numpy", "scipy"}}


def imported_modules(package: str) -> dict[str, set[str]]:
    found = {}
    for path in sorted((ROOT / package).rglob("*.py")):
        names = set()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                names |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names.add(node.module.split(".")[0])
        found[str(path.relative_to(ROOT))] = names
    return found


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_package_respects_the_dependency_rule(package):
    for file, names in imported_modules(package).items():
        bad = names & FORBIDDEN[package]
        assert not bad, f"{file} imports {sorted(bad)}, which {package} must not depend on"


def test_motions_uses_numpy_and_scipy_only():
    import sys

    stdlib = set(sys.stdlib_module_names)
    for file, names in imported_modules("motions").items():
        third_party = names - stdlib - OURS
        assert third_party <= ALLOWED_THIRD_PARTY["motions"], f"{file} imports {sorted(third_party)}"


def test_the_rule_checker_catches_a_violation(tmp_path, monkeypatch):
    fake = tmp_path / "awr_core"
    fake.mkdir()
    (fake / "bad.py").write_text("import pybullet\nfrom characters.body import SimCharacter\n")
    monkeypatch.setattr(__import__(__name__), "ROOT", tmp_path)
    found = imported_modules("awr_core")
    assert found["awr_core/bad.py"] & FORBIDDEN["awr_core"] == {"pybullet", "characters"}


def private_reaches(package: str) -> list[str]:
    """`obj._name` attribute reads or writes in a package's files on anything but `self` / `cls`:
    a private part of another object, usually another package's."""
    found = []
    for path in sorted((ROOT / package).rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Attribute) and node.attr.startswith("_") and not node.attr.startswith("__"):
                owner = node.value
                if not (isinstance(owner, ast.Name) and owner.id in ("self", "cls", "argparse")):  # argparse: its documented types
                    found.append(f"{path.relative_to(ROOT)}:{node.lineno} .{node.attr}")
    return found


@pytest.mark.parametrize("package", ["viewer", "imitate"])
def test_the_viewer_and_the_cli_use_public_interfaces(package):
    assert private_reaches(package) == []


def module_graph(package: str) -> dict[str, set[str]]:
    """Each module of a package -> the modules of the same package it imports (anywhere in the file)."""
    graph = {}
    for path in sorted((ROOT / package).glob("*.py")):
        name = f"{package}.{path.stem}" if path.stem != "__init__" else package
        deps = set()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module and node.module.split(".")[0] == package:
                if node.module == package:
                    deps |= {f"{package}.{a.name}" for a in node.names if (ROOT / package / f"{a.name}.py").exists()} or {package}
                else:
                    deps.add(node.module)
        graph[name] = deps - {name}
    return graph


@pytest.mark.parametrize("package", sorted(OURS))
def test_no_import_cycles_inside_a_package(package):
    graph = module_graph(package)

    def reaches(start: str, goal: str) -> bool:
        seen, todo = set(), [start]
        while todo:
            for nxt in graph.get(todo.pop(), ()):
                if nxt == goal:
                    return True
                if nxt not in seen:
                    seen.add(nxt)
                    todo.append(nxt)
        return False

    cycles = [f"{a} -> {b}" for a, deps in graph.items() for b in deps if reaches(b, a)]
    assert cycles == []
