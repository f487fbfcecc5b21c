"""Progress bars for long operator commands: done/total, events per second, time left."""

from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    Task,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.text import Text

from planner.admin import common


class RateColumn(ProgressColumn):
    """Events per second, as rich measures them over the last seconds."""

    def render(self, task: Task) -> Text:
        speed = task.speed
        return Text("   -- ev/s" if speed is None else f"{speed:>9,.0f} ev/s")


def bar(verb: str, *, disable: bool = False) -> Progress:
    """A bar on stderr (stdout stays data for scripts)."""
    return Progress(
        TextColumn(verb),
        BarColumn(),
        MofNCompleteColumn(),
        RateColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=common.console,
        disable=disable,
    )
