"""The planner's domain is pure: no I/O, no clock, no randomness, no id minting."""

import ast
from pathlib import Path

import pytest

DOMAIN = Path(__file__).resolve().parents[2] / "services" / "planner" / "domain"
FORBIDDEN = {
    "asyncio",
    "asyncpg",
    "litestar",
    "nats",
    "structlog",
    "time",
    "uuid_utils",
    "random",
    "secrets",
    "os",
}


def imported_roots(path: Path) -> set[str]:
    """The top-level package of every module ``path`` imports."""
    roots: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module.split(".")[0])
    return roots


def test_the_domain_has_modules_to_check() -> None:
    assert {"decide.py", "evolve.py", "recipients.py"} <= {p.name for p in DOMAIN.glob("*.py")}


@pytest.mark.parametrize("path", sorted(DOMAIN.glob("*.py")), ids=lambda p: p.name)
def test_domain_module_imports_no_io_clock_or_randomness(path: Path) -> None:
    assert imported_roots(path) & FORBIDDEN == set()


def test_the_import_check_sees_through_aliases_and_submodules(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text("import os.path as p\nfrom asyncio import sleep\nfrom . import state\n")
    assert imported_roots(module) == {"os", "asyncio"}
