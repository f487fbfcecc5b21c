"""``tandem events``: the event store as an operator sees it."""

import typer

events = typer.Typer(help="The event store: tail, export, import, verify.", no_args_is_help=True)
