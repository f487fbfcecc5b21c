"""``tandem plan show``: one plan as it is (or was), with who was told at each activation."""

import asyncio
from datetime import datetime
from typing import Annotated
from uuid import UUID

import asyncpg
import typer
from rich.console import Console

from contracts.envelope import Envelope
from contracts.events import PlanActivated, PlanCreated
from contracts.vocabulary import Level
from planner.admin import common
from planner.admin.plan_report import PlanReport, plan_report
from planner.domain.delivery_log import joined
from planner.domain.evolve import fold
from planner.runtime.stack import database_only
from planner.store import event_store

plan = typer.Typer(help="Plans, as an operator reads them.", no_args_is_help=True)
out = Console(highlight=False, markup=False)  # stdout; markup off: the text is the users'


@plan.command("show")
def show(
    plan_id: Annotated[UUID, typer.Argument(help="the plan's id")],
    as_of: Annotated[
        datetime | None,
        typer.Option(
            "--as-of",
            formats=["%Y-%m-%dT%H:%M:%S%z", "%Y-%m-%d %H:%M:%S%z", "%Y-%m-%dT%H:%M:%S.%f%z"],
            help="the plan as it was then, with a zone: 2026-11-23T10:00:00+00:00",
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="one JSON document on stdout")] = False,
) -> None:
    """Show a plan: partners, signs, steps, supports and consent, tiers, activations."""
    with database_only(common.settings()) as url:
        try:
            envelopes = asyncio.run(_read(url, plan_id, as_of))
        except (OSError, asyncpg.PostgresError, event_store.EventStoreError) as exc:
            common.fail(f"cannot read the event store: {exc}")
    plan_events = [e.event for e in envelopes if e.stream_id == plan_id]
    is_plan = bool(plan_events) and isinstance(plan_events[0], PlanCreated)
    state = fold(plan_events) if is_plan else None  # not an activation's delivery stream
    if state is None:
        when = "" if as_of is None else f" at {as_of.isoformat()}"
        common.fail(f"no plan {plan_id}{when}", common.EXIT_FOUND_PROBLEM)
    state = joined(state, (e.event for e in envelopes if e.stream_id != plan_id))
    report = plan_report(state, envelopes, as_of)
    if as_json:
        common.print_json(report)
    else:
        render(report)


async def _read(url: str, plan_id: UUID, as_of: datetime | None) -> list[Envelope]:
    """The plan's stream and its activations' delivery streams, in the order stored."""
    conn = await asyncpg.connect(url)
    try:
        envelopes = await event_store.read_stream(conn, plan_id, until=as_of)
        activations = {
            e.event.activation_id for e in envelopes if isinstance(e.event, PlanActivated)
        }
        reports = await event_store.read_streams(conn, list(activations), until=as_of)
    finally:
        await conn.close()
    return sorted([*envelopes, *reports], key=lambda e: e.position)


def render(report: PlanReport) -> None:
    names = {p.participant_id: p.display_name for p in report.partners}
    names.update({s.contact_id: s.display_name for s in report.supports})
    when = "now" if report.as_of is None else f"as of {report.as_of.isoformat()}"
    out.print(
        f"{report.title}  plan {report.plan_id}  version {report.version} ({when})", style="bold"
    )
    out.print("partners: " + ", ".join(p.display_name for p in report.partners))
    out.print("warning signs", style="bold")
    for sign in report.warning_signs:
        retired = " (retired)" if sign.retired else ""
        owner = names.get(sign.owner_id, str(sign.owner_id))
        out.print(f"  - {sign.category}: {sign.description} [{owner}]{retired}")
    out.print("response steps", style="bold")
    for level in Level:
        for step in (s for s in report.response_steps if s.level == level):
            out.print(f"  {level.value:<8} {step.description}")
    out.print("support contacts", style="bold")
    for support in report.supports:
        removed = " (removed)" if support.removed else ""
        out.print(
            f"  - {support.display_name} ({support.relationship}): consent {support.consent}, "
            f"channels {', '.join(support.channels) or 'none'}{removed}"
        )
    out.print("escalation", style="bold")
    for level, tiers in report.escalation.items():
        for number, tier in enumerate(tiers, start=1):
            who = ", ".join(names.get(c, str(c)) for c in tier.contact_ids)
            out.print(f"  {level.value:<8} tier {number}: {who} ({tier.ack_timeout_seconds}s)")
    _render_activations(report, names)


def _render_activations(report: PlanReport, names: dict[UUID, str]) -> None:
    out.print("activations" + ("" if report.activations else ": none"), style="bold")
    for activation in report.activations:
        by = names.get(activation.activated_by, str(activation.activated_by))
        out.print(
            f"  {activation.activation_id} {activation.level.value} by {by} "
            f"at {activation.activated_at.isoformat()}: {activation.status}"
        )
        for recipient in activation.recipients:
            answered = (
                f", acknowledged {recipient.acknowledged_at.isoformat()}"
                if recipient.acknowledged_at
                else ""
            )
            out.print(
                f"    tier {recipient.tier} {recipient.kind} {recipient.display_name}: "
                f"{len(recipient.deliveries)} delivery(ies){answered}"
            )
        for entry in (e for e in report.timeline if e.activation_id == activation.activation_id):
            out.print(f"    {entry.at.isoformat()}  v{entry.stream_version:<4} {entry.what}")
