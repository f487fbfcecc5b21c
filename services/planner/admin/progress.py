"""Progress bars for long operator commands: done/total, events per second, time left."""

from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeRemainingColumn,
)

from planner.admin import common


def bar(verb: str, *, disable: bool = False) -> Progress:
    """A bar on stderr (stdout stays data); add tasks with ``rate="-"``."""
    return Progress(
        TextColumn(verb),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("events, {task.fields[rate]}/s"),
        TimeRemainingColumn(),
        console=common.console,
        disable=disable,
    )


def advance(progress: Progress, task: TaskID, count: int) -> None:
    progress.advance(task, count)
    speed = progress.tasks[0].speed
    progress.update(task, rate=f"{speed:,.0f}" if speed else "-")
