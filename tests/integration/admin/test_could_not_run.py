"""A command that cannot run says why in one line and exits 2: no traceback, no hanging.

Run as the operator runs them: the ``tandem`` program, in a process of its own, against
servers that are not there (a loopback port nobody listens on).
"""

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration

TANDEM = str(Path(sys.executable).with_name("tandem"))
SECRET = "0123456789abcdef0123456789abcdef"
GIVE_UP_SECONDS = 15.0  # dlq states 5 s; the rest is the program starting


def closed_port() -> int:
    """A loopback port that was free a moment ago: connecting to it is refused."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def tandem(tmp_path: Path, *args: str) -> tuple[int, str, float]:
    """(exit code, stderr, seconds taken) of ``tandem args`` with no server reachable."""
    env = {
        **os.environ,
        "TANDEM_HOME": str(tmp_path),
        "TANDEM_DATABASE_URL": f"postgresql://tandem@127.0.0.1:{closed_port()}/tandem",
        "TANDEM_NATS_URL": f"nats://127.0.0.1:{closed_port()}",
        "TANDEM_SECRET_KEY": SECRET,
    }
    started = time.monotonic()
    done = subprocess.run(  # noqa: S603 - our own program, our own arguments
        [TANDEM, *args],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=GIVE_UP_SECONDS * 4,
        check=False,
    )
    return done.returncode, done.stderr, time.monotonic() - started


def assert_one_line(stderr: str, *words: str) -> None:
    assert "Traceback" not in stderr, stderr
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1, stderr
    assert lines[0].startswith("error:"), stderr
    for word in words:
        assert word in lines[0], stderr


@pytest.mark.parametrize("command", [["events", "verify"], ["events", "export"]])
def test_a_command_with_the_database_down_exits_2_in_one_line(
    tmp_path: Path, command: list[str]
) -> None:
    code, stderr, _ = tandem(tmp_path, *command)
    assert code == 2, stderr
    assert_one_line(stderr, "could not run")


def test_importing_a_missing_file_exits_2_in_one_line(tmp_path: Path) -> None:
    missing = tmp_path / "no-such-export.ndjson"
    code, stderr, _ = tandem(tmp_path, "events", "import", str(missing))
    assert code == 2, stderr
    assert_one_line(stderr, "no-such-export.ndjson")


def test_dlq_list_with_nats_down_gives_up_after_the_time_it_states(tmp_path: Path) -> None:
    code, stderr, seconds = tandem(tmp_path, "dlq", "list")
    assert code == 2, stderr
    assert_one_line(stderr, "cannot reach NATS", "gave up within 5 s")
    assert seconds < GIVE_UP_SECONDS
