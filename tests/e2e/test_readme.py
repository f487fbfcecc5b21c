"""The README runs: its walk-through, run as a reader runs it against `make run`, prints what
the README shows; `make run` prints the banner the README shows; and all the while nothing
it prints or logs holds a name, an address, a note or a token the walk-through sent.
"""

import re
from pathlib import Path

import msgspec
import pytest

from common.channels import dev_outbox
from tests.support import readme
from tests.support.dev_stack import Dev, stop_servers_left_behind, until

pytestmark = pytest.mark.integration

README = Path(__file__).resolve().parents[2] / "README.md"
# What a reader types that is about people: the plan's content and how to reach them.
PERSONAL_KEYS = frozenset(
    {
        "display_name",
        "address",
        "title",
        "category",
        "description",
        "relationship",
        "note",
        "reflection",
    }
)
# Twice, as a reader may: a second run must not pick up the first run's messages.
RUNS = 2
# Each run sends a consent request to Jo, a question to Sam about Jo (may Jo learn about Sam
# too?), an alert to Sam and to Jo, and an all-clear to each.
MESSAGES_PER_RUN = 6
ALL_CLEARS_PER_RUN = 2
SETTLE_SECONDS = 30.0
STARTED_SECONDS = 60.0


class Walked(msgspec.Struct, kw_only=True):
    dev: Dev
    steps: list[readme.Step]
    runs: list[readme.Outcome]
    printed: str  # everything the stack printed and logged, read after it stopped


@pytest.fixture(scope="module")
def walked(tmp_path_factory: pytest.TempPathFactory) -> Walked:
    """`make run` on free ports, the README's walk-through against it, then Ctrl-C."""
    folder = tmp_path_factory.mktemp("readme")
    home = folder / "home"
    home.mkdir()
    steps = readme.walkthrough(README)
    dev = Dev(home, env={"TANDEM_WEBHOOK_ALLOW_PRIVATE": "1"})  # as `make run` sets it
    runs: list[readme.Outcome] = []
    try:
        dev.start()
        # As a reader would, once make run is up: the notifier too, or no e-mail comes.
        until(dev.notifier_ready, STARTED_SECONDS, f"the notifier is ready:\n{dev.output()}")
        env = {**dev.env, "TANDEM": dev.base_url}
        while len(runs) < RUNS and all(run.exit_code == 0 for run in runs):
            runs.append(readme.run(steps, folder / f"run-{len(runs) + 1}", env))
        if all(run.exit_code == 0 for run in runs):
            until(
                lambda: _all_clears(home) >= ALL_CLEARS_PER_RUN * RUNS,
                SETTLE_SECONDS,
                f"the all-clears are in the dev outbox; output:\n{dev.output()}",
            )
    finally:
        if not dev.interrupt():
            stop_servers_left_behind(home)
    return Walked(dev=dev, steps=steps, runs=runs, printed=_everything_printed(dev))


def _all_clears(home: Path) -> int:
    messages = dev_outbox.read(home / "dev-outbox.jsonl")
    return sum(message["payload"].get("type") == "tandem.all_clear" for message in messages)


def _everything_printed(dev: Dev) -> str:
    """`tandem dev`'s stdout and stderr (the notifier's included), and the servers' logs."""
    logs = [
        p for p in dev.home.rglob("*") if p.is_file() and (p.name == "log" or p.suffix == ".log")
    ]
    assert logs, "the embedded servers' logs were not found"
    return "\n".join(path.read_text(errors="replace") for path in [dev.output_path, *logs])


def test_every_step_of_the_walkthrough_runs_and_prints_what_the_readme_shows(
    walked: Walked,
) -> None:
    assert len(walked.steps) >= 10, "the README's runnable blocks were not found"
    for number, run in enumerate(walked.runs, 1):
        if run.exit_code != 0:
            where = _describe(run.ran[-1]) if run.ran else "before the first step"
            pytest.fail(
                f"run {number} of the walk-through stopped with exit code {run.exit_code} at "
                f"{where}\nbash: {run.errors}"
            )
        assert len(run.ran) == len(walked.steps)
        for ran in run.ran:
            assert readme.matches(ran.step.shown, ran.printed), f"run {number}: {_describe(ran)}"
            assert ran.errors == "", f"run {number}: {_describe(ran)}"
    assert len(walked.runs) == RUNS


def _describe(ran: readme.Ran) -> str:
    code = "\n".join(f"    {line}" for line in ran.step.code.splitlines())
    shown = "\n".join(f"    #> {line}" for line in ran.step.shown) or "    (nothing)"
    printed = "\n".join(f"    {line}" for line in ran.printed) or "    (nothing)"
    return (
        f"README line {ran.step.line}:\n{code}\n  shows:\n{shown}\n  printed:\n{printed}"
        f"\n  stderr: {ran.errors.strip() or '(nothing)'}"
    )


def test_the_readme_shows_the_banner_make_run_prints(walked: Walked) -> None:
    [(_, shown)] = readme.blocks(README.read_text(encoding="utf-8"), readme.BANNER)
    printed = [
        line
        for line in walked.printed.splitlines()
        if not line.startswith(("{", "applied migrations: "))
    ]
    assert _as_default(printed[: len(shown)], walked.dev) == _as_default(shown, walked.dev)


def _as_default(lines: list[str], dev: Dev) -> list[str]:
    """The lines as on a machine where the defaults were free; its data folder and NATS port
    are the machine's own."""
    default = [
        line.replace(f"127.0.0.1:{dev.port}/", "127.0.0.1:8000/").replace(
            f"127.0.0.1:{dev.notifier_port}/", "127.0.0.1:8001/"
        )
        for line in lines
    ]
    default = [re.sub(r"nats://127\.0\.0\.1:\d+", "nats://127.0.0.1:PORT", x) for x in default]
    return [re.sub(r"^Tandem: data under .+$", "Tandem: data under HOME", x) for x in default]


def test_the_dev_outbox_lines_say_only_where_to_read_the_messages(walked: Walked) -> None:
    lines = [line for line in walked.printed.splitlines() if line.startswith("[dev outbox]")]
    queued = f"[dev outbox] an e-mail was queued, not sent: read it at {walked.dev.base_url}"
    assert lines == [f"{queued}/dev/outbox"] * (MESSAGES_PER_RUN * RUNS)


def test_make_run_prints_no_name_address_note_or_token_the_walkthrough_sent(
    walked: Walked,
) -> None:
    assert [run.exit_code for run in walked.runs] == [0] * RUNS, "the walk-through failed"
    personal = readme.personal_values(walked.steps, PERSONAL_KEYS)
    assert {"Alex", "Sam", "Jo", "jo@example.org", "Rough evening"} <= personal
    secrets = set()
    for run in walked.runs:
        found = readme.secrets_in(run.variables)
        assert len(found) >= 5, found  # two bearer tokens, an invite code, two link tokens
        secrets |= found
    leaked = {value for value in personal if re.search(rf"\b{re.escape(value)}\b", walked.printed)}
    leaked |= {secret for secret in secrets if secret in walked.printed}
    assert not leaked, f"make run printed {sorted(leaked)}"
