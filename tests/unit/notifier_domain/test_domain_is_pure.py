"""The notifier's domain is pure: no I/O, no clock, no randomness, no id minting."""

import ast
from pathlib import Path

import pytest

DOMAIN = Path(__file__).resolve().parents[3] / "services" / "notifier" / "domain"
FORBIDDEN = {
    "asyncio",
    "asyncpg",
    "aiohttp",
    "httpx",
    "aiosmtplib",
    "litestar",
    "nats",
    "structlog",
    "logging",
    "time",
    "uuid_utils",
    "random",
    "secrets",
    "os",
    "socket",
    "planner",  # the services share nothing but contracts
}
ALLOWED_ROOTS = {"collections", "datetime", "enum", "typing", "uuid", "msgspec", "contracts"}
# Shared words both services show (the notice to supports): pure text, checked below.
PURE_COMMON = {"common.notice"}
COMMON = DOMAIN.parents[1] / "common"
MINTING = {"uuid1", "uuid4", "uuid7", "now", "utcnow", "today"}


def imported_modules(path: Path) -> set[str]:
    """Every module ``path`` imports, by its full name."""
    modules: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            modules.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            modules.add(node.module)
    return modules


def imported_roots(path: Path) -> set[str]:
    """The top-level package of every module ``path`` imports."""
    return {module.split(".")[0] for module in imported_modules(path)}


def called_names(path: Path) -> set[str]:
    """The names of every function ``path`` calls, bare or as an attribute."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Name):
                names.add(func.id)
            elif isinstance(func, ast.Attribute):
                names.add(func.attr)
    return names


MODULES = sorted(DOMAIN.glob("*.py"))


def test_the_domain_has_modules_to_check() -> None:
    expected = {"deliveries.py", "escalation.py", "alert_text.py", "payloads.py"}
    assert expected <= {p.name for p in MODULES}


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.name)
def test_domain_module_imports_no_io_clock_or_randomness(path: Path) -> None:
    assert imported_roots(path) & FORBIDDEN == set()


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.name)
def test_domain_module_imports_only_the_stdlib_basics_contracts_and_itself(path: Path) -> None:
    assert imported_roots(path) - ALLOWED_ROOTS <= {"notifier", "common"}
    common = {m for m in imported_modules(path) if m.split(".")[0] == "common"}
    assert common <= PURE_COMMON


@pytest.mark.parametrize("name", sorted(PURE_COMMON))
def test_the_shared_words_the_domain_uses_are_pure_too(name: str) -> None:
    path = COMMON / f"{name.split('.', 1)[1]}.py"
    assert imported_roots(path) <= ALLOWED_ROOTS
    assert called_names(path) & MINTING == set()


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.name)
def test_domain_module_never_reads_the_clock_or_mints_ids(path: Path) -> None:
    assert called_names(path) & MINTING == set()


def test_the_checks_see_through_aliases_submodules_and_calls(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text(
        "import os.path as p\nfrom asyncio import sleep\nfrom . import state\n"
        "import datetime\nx = datetime.datetime.now()\n"
    )
    assert imported_roots(module) == {"os", "asyncio", "datetime"}
    assert "now" in called_names(module)
