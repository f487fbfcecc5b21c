"""The README's tested blocks, and running its shell walk-through the way a reader would.

A fenced block right after the line ``<!-- readme-test: run -->`` is shell that the tests
run with bash (``set -euo pipefail``), every marked block in order in one shell. Inside it,
a *step* is the commands up to a blank line or up to the ``#>`` lines below them; those lines
are what the step prints, ``…`` standing for any text (ids, codes). A step shown with no
``#>`` line prints nothing. ``<!-- readme-test: banner -->`` marks what `make run` prints.

Both markers are HTML comments, so GitHub shows the blocks as plain code.
"""

import json
import re
import subprocess
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path

import msgspec

RUN = "<!-- readme-test: run -->"
BANNER = "<!-- readme-test: banner -->"
SHOWN = "#>"
ANY = "…"
FENCE = "```"

SCRIPT_SECONDS = 180.0
_SHELL_VARIABLES = frozenset({"_", "PWD", "OLDPWD", "SHLVL"})  # bash's own, not the steps'


class Step(msgspec.Struct, frozen=True, kw_only=True):
    line: int  # in the README, of the step's first line
    code: str
    shown: tuple[str, ...]


class Ran(msgspec.Struct, frozen=True, kw_only=True):
    step: Step
    printed: tuple[str, ...]
    errors: str  # what it wrote on stderr


class Outcome(msgspec.Struct, frozen=True, kw_only=True):
    ran: list[Ran]  # the steps that ran, in order: the last one failed unless all did
    exit_code: int
    errors: str  # what bash itself wrote on stderr
    variables: dict[str, str]  # what the steps set


def blocks(text: str, marker: str) -> list[tuple[int, list[str]]]:
    """Each fenced block right after ``marker``: its first line's number (from 1), its lines."""
    lines = text.splitlines()
    found = []
    for index, line in enumerate(lines):
        if line.strip() != marker:
            continue
        fence = index + 1
        if fence >= len(lines) or not lines[fence].startswith(FENCE):
            raise ValueError(f"README line {index + 1}: {marker} is not right above a ``` block")
        end = next(i for i in range(fence + 1, len(lines)) if lines[i].startswith(FENCE))
        found.append((fence + 2, lines[fence + 1 : end]))
    return found


def steps(first_line: int, lines: Sequence[str]) -> Iterator[Step]:
    """The steps of one block whose first line is the README's line ``first_line``."""
    code: list[str] = []
    shown: list[str] = []
    start = first_line
    for number, line in enumerate([*lines, ""], first_line):
        is_shown = line.startswith(SHOWN)
        ends_step = not line.strip() or (shown and not is_shown)
        if ends_step and code:
            yield Step(line=start, code="\n".join(code), shown=tuple(shown))
        if ends_step:
            code, shown, start = [], [], number if line.strip() else number + 1
        if is_shown and not code:
            raise ValueError(f"README line {number}: output shown below no command")
        if is_shown:
            shown.append(line.removeprefix(SHOWN).removeprefix(" "))
        elif line.strip():
            code.append(line)


def walkthrough(readme: Path) -> list[Step]:
    """Every step of every runnable block, in the order a reader meets them."""
    return [
        step
        for first_line, lines in blocks(readme.read_text(encoding="utf-8"), RUN)
        for step in steps(first_line, lines)
    ]


def matches(shown: Sequence[str], printed: Sequence[str]) -> bool:
    """Whether ``printed`` is what is shown, line for line, ``…`` matching any text."""
    if len(shown) != len(printed):
        return False
    for expected, line in zip(shown, printed, strict=True):
        pattern = ".*".join(re.escape(part) for part in expected.split(ANY))
        if re.fullmatch(pattern, line) is None:
            return False
    return True


def run(walk: Sequence[Step], folder: Path, env: Mapping[str, str]) -> Outcome:
    """Run the steps in one bash in ``folder`` (created), each one's output to its own files.

    Every assignment is exported (``set -a``), so the variables are listed at the end.
    """
    out = folder / "steps"
    out.mkdir(parents=True)
    parts = ["set -euo pipefail", "set -a"]
    for number, step in enumerate(walk):
        parts.append(f'{{\n{step.code}\n}} >"$STEPS/{number}.out" 2>"$STEPS/{number}.err"')
    parts.append('env -0 >"$STEPS/env"')
    script = folder / "walkthrough.sh"
    script.write_text("\n".join(parts) + "\n", encoding="utf-8")
    given = {**env, "STEPS": str(out)}
    process = subprocess.run(  # noqa: S603
        ["bash", str(script)],  # noqa: S607 - the reader's bash, from PATH
        env=given,
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=SCRIPT_SECONDS,
        check=False,
    )
    ran = [
        Ran(
            step=step,
            printed=tuple((out / f"{number}.out").read_text().splitlines()),
            errors=(out / f"{number}.err").read_text(),
        )
        for number, step in enumerate(walk)
        if (out / f"{number}.out").exists()
    ]
    variables = {}
    if (out / "env").exists():
        pairs = (entry.split("=", 1) for entry in (out / "env").read_text().split("\0") if entry)
        variables = {
            name: value
            for name, value in pairs
            if given.get(name) != value and name not in _SHELL_VARIABLES
        }
    return Outcome(
        ran=ran, exit_code=process.returncode, errors=process.stderr, variables=variables
    )


def personal_values(walk: Sequence[Step], keys: frozenset[str]) -> set[str]:
    """The values under ``keys`` in the JSON bodies the steps send (``-d '{…}'``)."""
    values: set[str] = set()
    for step in walk:
        for body in re.findall(r"-d '(\{.*?\})'", step.code):
            values |= _strings_under(json.loads(body), keys)
    return values


def _strings_under(value: object, keys: frozenset[str]) -> set[str]:
    if isinstance(value, dict):
        found: set[str] = set()
        for key, item in value.items():
            if key in keys and isinstance(item, str):
                found.add(item)
            found |= _strings_under(item, keys)
        return found
    if isinstance(value, list):
        return {text for item in value for text in _strings_under(item, keys)}
    return set()


# A word of a value the walk-through computed that looks like a secret: bearer tokens,
# invite codes, the tokens in consent and acknowledge links. Ids and times are not secrets.
_WORD = re.compile(r"[A-Za-z0-9_.-]{12,}")
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def secrets_in(variables: Mapping[str, str]) -> set[str]:
    """The token-like words in the values of the walk-through's own variables."""
    return {
        word
        for value in variables.values()
        for word in re.split(r"[\s/]+", value)
        if _WORD.fullmatch(word) and not _UUID.fullmatch(word)
    }
