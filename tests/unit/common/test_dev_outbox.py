"""Reading the dev outbox: what the notifier wrote, never failing on a line being written."""

from pathlib import Path

from common.channels import dev_outbox


def test_a_missing_outbox_lists_nothing(tmp_path: Path) -> None:
    assert dev_outbox.read(tmp_path / "none.jsonl") == []
    assert dev_outbox.read(None) == []


def test_a_torn_line_is_skipped(tmp_path: Path) -> None:
    path = tmp_path / "outbox.jsonl"
    path.write_text('{"channel": "email"}\n{"chan\n\n')
    assert dev_outbox.read(path) == [{"channel": "email"}]


def test_a_line_that_is_not_an_object_is_skipped(tmp_path: Path) -> None:
    path = tmp_path / "outbox.jsonl"
    path.write_text('["email"]\n{"channel": "sms"}\n')
    assert dev_outbox.read(path) == [{"channel": "sms"}]


def test_only_the_last_lines_are_read_when_asked(tmp_path: Path) -> None:
    path = tmp_path / "outbox.jsonl"
    path.write_text("".join(f'{{"n": {n}}}\n' for n in range(5)))
    assert dev_outbox.read(path, last=2) == [{"n": 3}, {"n": 4}]
