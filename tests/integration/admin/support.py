"""Running `tandem` in-process against this test's database."""

from typer.testing import CliRunner

from planner.cli import app


def run_cli(db_url: str, *args: str) -> tuple[int, str, str]:
    """(exit code, stdout, stderr). Commands run their own event loop: call via to_thread."""
    result = CliRunner().invoke(app, list(args), env={"TANDEM_DATABASE_URL": db_url})
    return result.exit_code, result.stdout, result.stderr
