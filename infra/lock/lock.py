"""Write or check the lock: every package the project installs, pinned with hashes.

    python infra/lock/lock.py write UV [--upgrade]   # `make lock` / `make upgrade`
    python infra/lock/lock.py check                  # part of `make lint` and of every install

The lock is a requirements file made by ``uv pip compile`` (universal, hashed, no index
addresses). Its header records a digest of the dependency tables of ``pyproject.toml``,
so a range changed in one and not the other is caught offline, before anything installs.
Only the standard library is used: this runs before the virtual environment exists.
"""

import hashlib
import json
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PYPROJECT = ROOT / "pyproject.toml"
LOCK = ROOT / "infra" / "lock" / "requirements.txt"
BUILD_LOCK = ROOT / "infra" / "lock" / "build.txt"
DIGEST_PREFIX = "# pyproject-dependencies-sha256: "
HEADER = """\
# Every package that `make run`, `make test`, `make lint` and `make bench` install, pinned with
# hashes. Made by `make lock` from pyproject.toml; never edit by hand.
"""


def manifest_digest() -> str:
    """Digest of what the lock is resolved from: Python range, dependencies, extras, build."""
    project = tomllib.loads(PYPROJECT.read_text())
    manifest = {
        "requires-python": project["project"]["requires-python"],
        "dependencies": project["project"]["dependencies"],
        "optional-dependencies": project["project"].get("optional-dependencies", {}),
        "build-system": project["build-system"]["requires"],
        "build-constraints": project["tool"]["uv"]["build-constraint-dependencies"],
    }
    return hashlib.sha256(json.dumps(manifest, sort_keys=True).encode()).hexdigest()


def recorded_digest() -> str | None:
    if not LOCK.exists():
        return None
    for line in LOCK.read_text().splitlines():
        if line.startswith(DIGEST_PREFIX):
            return line.removeprefix(DIGEST_PREFIX).strip()
    return None


def check() -> int:
    if recorded_digest() != manifest_digest():
        sys.stderr.write(
            f"{LOCK.relative_to(ROOT)} does not match the dependencies in pyproject.toml: "
            "run `make lock` and commit the result.\n"
        )
        return 1
    return 0


def _compile(uv: str, source: str, output: Path, *extra: str) -> None:
    command = [
        uv, "pip", "compile", source, "--universal", "--python-version", "3.11",
        "--generate-hashes", "--no-header", "--quiet", "-o", str(output), *extra,
    ]  # fmt: skip
    subprocess.run(command, check=True, cwd=ROOT)  # noqa: S603 (our own uv, our own arguments)


def write(uv: str, *, upgrade: bool) -> int:
    extra = ["--upgrade"] if upgrade else []
    _compile(uv, "pyproject.toml", LOCK, "--all-extras", *extra)
    LOCK.write_text(f"{HEADER}{DIGEST_PREFIX}{manifest_digest()}\n{LOCK.read_text()}")
    build = tomllib.loads(PYPROJECT.read_text())["tool"]["uv"]["build-constraint-dependencies"]
    build_in = BUILD_LOCK.with_suffix(".in")
    build_in.write_text("".join(f"{requirement}\n" for requirement in build))
    try:
        _compile(uv, str(build_in.relative_to(ROOT)), BUILD_LOCK, *extra)
    finally:
        build_in.unlink()
    return 0


def main(argv: list[str]) -> int:
    match argv:
        case ["check"]:
            return check()
        case ["write", uv, *flags] if set(flags) <= {"--upgrade"}:
            return write(uv, upgrade="--upgrade" in flags)
        case _:
            sys.stderr.write(__doc__ or "")
            return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
