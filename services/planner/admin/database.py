"""``tandem db url``: the database URL in use, for ``psql "$(tandem db url)"``."""

import typer

from planner.admin import common
from planner.runtime.embedded.postgres import EmbeddedPostgres, with_database
from planner.runtime.stack import DATABASE_NAME

db = typer.Typer(help="The database in use.", no_args_is_help=True)


@db.command("url")
def url() -> None:
    """Print the database URL (TANDEM_DATABASE_URL, or the running embedded server's)."""
    settings = common.settings()
    if settings.database_url:
        typer.echo(settings.database_url)
        return
    # Not started here: a URL of a server this command stops on exit would be useless.
    server = EmbeddedPostgres(settings.home.resolve() / "postgres")
    if not server.is_running():
        common.fail(
            f"the embedded PostgreSQL under {settings.home} is not running: "
            "start it with `make run` (or set TANDEM_DATABASE_URL)"
        )
    typer.echo(with_database(server.dsn(), DATABASE_NAME))
