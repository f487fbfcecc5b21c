"""The notifier's peak memory with 10,000 alerts pending.

"Pending", for this notifier, is an alert claimed in its delivery ledger and not yet sent:
the consumer has turned the activation into claims (status ``claimed``) and the sender
has not finished them. To hold 10,000 there at once, the loopback receiver holds its
answers: the notifier's sends (at most 32 in flight) cannot finish, while its consumer
keeps claiming. Once every alert is claimed, the receiver answers again and the notifier
works the backlog off. The figure is the notifier's VmHWM over that whole stretch (its
high-water mark is reset first, so the earlier runs do not count).

Setup stays small through the public API: in each plan the other partner has five webhook
channels and three support contacts have five each, so one activation alerts 20 webhooks,
and a plan takes three open activations at once (one per level): 500 activations over
167 plans give the 10,000 alerts. A held request the notifier gives up on (its 5 s
timeout) is sent again under the same webhook id: the receiver counts each alert once,
by that id, and reports the repeats.
"""

import asyncio
import functools
import itertools
import math
import sys
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit

import asyncpg
import httpx

from bench.activations import LEVELS
from bench.figures import Figure, figure
from bench.memory import notifier_pid, peak_rss_mb, rss_mb
from bench.receiver import Receiver
from bench.stack import Service, database_url

CHANNELS = 5  # the API's limit per recipient
SUPPORTS = 3
ALERTS_PER_ACTIVATION = CHANNELS * (1 + SUPPORTS)
CONCURRENCY = 16
POLL_SECONDS = 0.25
TIMEOUT_SECONDS = 180.0
T = TypeVar("T")

LEDGER = """
SELECT count(*) FILTER (WHERE status = 'claimed') AS pending,
       count(*) FILTER (WHERE status = 'sent') AS sent,
       count(*) AS claimed
FROM notifier.deliveries
WHERE message = 'alert' AND activation_id = ANY($1::uuid[])
"""


@dataclass(frozen=True)
class Ledger:
    """The notifier's alerts for some activations: claimed and not yet finished, sent, all."""

    pending: int
    sent: int
    claimed: int


@dataclass(frozen=True)
class WidePlan:
    plan_id: str
    auth: dict[str, str]


@dataclass
class Tally:
    """What the receiver got from some point on, read incrementally: consent requests, and
    the alerts of some activations, each counted once by its webhook id."""

    receiver: Receiver
    activation_ids: set[str] = field(default_factory=set)
    consent_requests: int = 0
    alerts: set[str] = field(default_factory=set)  # webhook ids
    repeats: int = 0
    seen: int = 0  # arrivals looked at already

    def __post_init__(self) -> None:
        self.seen = len(self.receiver.arrivals)  # from now on

    def update(self) -> "Tally":
        for arrival in self.receiver.arrivals[self.seen :]:
            body = arrival.json()
            if body.get("type") == "tandem.consent_request":
                self.consent_requests += 1
            elif (
                body.get("type") == "tandem.alert" and body["activation_id"] in self.activation_ids
            ):
                webhook_id = arrival.headers["webhook-id"]
                self.repeats += webhook_id in self.alerts
                self.alerts.add(webhook_id)
        self.seen = len(self.receiver.arrivals)
        return self


def reset_peak_rss(pid: int) -> None:
    """Restart the kernel's high-water mark (VmHWM) from the current resident size."""
    Path(f"/proc/{pid}/clear_refs").write_text("5")


async def pending_figure(
    client: httpx.AsyncClient, receiver: Receiver, service: Service, alerts: int = 10_000
) -> Figure:
    """``peak RSS notifier ({alerts:,} alerts pending)``, in MiB."""
    activations = math.ceil(alerts / ALERTS_PER_ACTIVATION)
    expected = activations * ALERTS_PER_ACTIVATION
    marks = [time.monotonic()]
    plans = await _wide_plans(client, receiver, math.ceil(activations / len(LEVELS)))
    pid = notifier_pid(service)
    reset_peak_rss(pid)
    marks.append(time.monotonic())
    tally = Tally(receiver)
    receiver.hold()
    try:
        slots = [(plan, level) for level in LEVELS for plan in plans][:activations]
        ids = await _bounded([functools.partial(_activate, client, *slot) for slot in slots])
        await _ledger_until(service, ids, lambda ledger: ledger.pending >= expected)
        held_mb = rss_mb(pid)
    finally:
        receiver.release()
    marks.append(time.monotonic())
    tally.activation_ids.update(ids)
    await _until(lambda: len(tally.update().alerts) >= expected, "alerts")
    marks.append(time.monotonic())
    peak = peak_rss_mb(pid)
    ledger = await _ledger_until(service, ids, lambda ledger: ledger.sent >= expected)
    setup, held, drained = (b - a for a, b in itertools.pairwise(marks))
    sys.stderr.write(
        f"  pending: {len(plans)} plans set up in {setup:.1f} s; {activations} activations "
        f"accepted and {expected} alerts claimed in {held:.1f} s while the receiver held its "
        f"answers (RSS {held_mb:.1f} MiB); then received in {drained:.1f} s "
        f"({expected / drained:.0f}/s)\n  pending: {len(tally.alerts)} alerts received "
        f"(each counted once by webhook id; {tally.repeats} repeats of a held request), "
        f"ledger sent {ledger.sent}, lost {expected - len(tally.alerts)}, peak {peak:.1f} MiB"
        f"{'' if pid == notifier_pid(service) else ' (THE NOTIFIER RESTARTED)'}\n"
    )
    return figure(f"peak RSS notifier ({alerts:,} alerts pending)", "MiB", [peak])


async def _wide_plans(client: httpx.AsyncClient, receiver: Receiver, count: int) -> list[WidePlan]:
    """``count`` wide plans, once every consent request reached the receiver."""
    tally = Tally(receiver)
    work = [functools.partial(wide_plan, client, receiver, i) for i in range(count)]
    plans = await _bounded(work)
    consents = count * SUPPORTS * CHANNELS
    await _until(lambda: tally.update().consent_requests >= consents, "consent requests")
    return plans


async def wide_plan(client: httpx.AsyncClient, receiver: Receiver, index: int) -> WidePlan:
    """A plan whose other partner and three supports each have five webhooks, consented."""
    webhook_url = receiver.url
    alex, sam = await _participant(client, "Alex"), await _participant(client, "Sam")
    plan = await _post(client, "/v1/plans", 201, json={"title": "wide"}, headers=alex)
    plan_id = str(plan["plan_id"])
    invite = await _post(client, f"/v1/plans/{plan_id}/partner-invites", 201, headers=alex)
    accept = f"/v1/partner-invites/{invite['invite_code']}/accept"
    await _post(client, accept, 200, headers=sam)
    mine = {"channels": _webhooks(webhook_url, f"{index}/sam")}
    await _ok(await client.put("/v1/participants/me/channels", json=mine, headers=sam), 200)
    for support in range(SUPPORTS):
        added = await _post(
            client,
            f"/v1/plans/{plan_id}/supports",
            201,
            json={
                "display_name": f"Jo {support}",
                "relationship": "friend",
                "channels": _webhooks(webhook_url, f"{index}/{support}"),
            },
            headers=alex,
        )
        consent = urlsplit(await receiver.consent_for(str(added["contact_id"]))).path
        await _post(client, consent, 200, json={"decision": "accept"})
    return WidePlan(plan_id, alex)


def _webhooks(webhook_url: str, owner: str) -> list[dict[str, str]]:
    return [{"kind": "webhook", "address": f"{webhook_url}/{owner}/{n}"} for n in range(CHANNELS)]


async def _activate(client: httpx.AsyncClient, plan: WidePlan, level: str) -> str:
    url = f"/v1/plans/{plan.plan_id}/activations"
    answer = await _post(client, url, 201, json={"level": level}, headers=plan.auth)
    return str(answer["activation_id"])


async def _participant(client: httpx.AsyncClient, name: str) -> dict[str, str]:
    body = await _post(client, "/v1/participants", 201, json={"display_name": name})
    return {"Authorization": f"Bearer {body['token']}"}


async def _ok(response: httpx.Response, status: int) -> dict[str, Any]:
    if response.status_code != status:
        raise RuntimeError(f"{response.request.url.path}: {response.status_code} {response.text}")
    body: dict[str, Any] = response.json()
    return body


async def _post(client: httpx.AsyncClient, url: str, status: int, **request: Any) -> dict[str, Any]:
    """POST once: the consent requests' delivery reports go on delivery streams of their
    own, so they never make a partner's command on the plan conflict."""
    return await _ok(await client.post(url, **request), status)


async def _bounded(work: Sequence[Callable[[], Awaitable[T]]]) -> list[T]:
    slots = asyncio.Semaphore(CONCURRENCY)

    async def one(job: Callable[[], Awaitable[T]]) -> T:
        async with slots:
            return await job()

    return await asyncio.gather(*(one(job) for job in work))


async def _ledger_until(service: Service, ids: list[str], done: Callable[[Ledger], bool]) -> Ledger:
    conn = await asyncpg.connect(database_url(service))
    try:
        deadline = time.monotonic() + TIMEOUT_SECONDS
        while not done(ledger := Ledger(*await conn.fetchrow(LEDGER, ids) or (0, 0, 0))):
            if time.monotonic() > deadline:
                raise RuntimeError(f"the ledger did not get there in time: {ledger}")
            await asyncio.sleep(POLL_SECONDS)
        return ledger
    finally:
        await conn.close()


async def _until(ready: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + TIMEOUT_SECONDS
    while not ready():
        if time.monotonic() > deadline:
            raise RuntimeError(f"waiting for {what} timed out")
        await asyncio.sleep(POLL_SECONDS)
