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
