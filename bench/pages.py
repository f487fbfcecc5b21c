"""The pages for people: what each one transfers, and how fast the server answers it.

    .venv/bin/python -m bench.pages [--requests 100]

Starts `tandem dev` in a throwaway folder, signs up a couple through the pages (a browser's
cookies and CSRF tokens, over plain HTTP), fills a plan, asks a support contact (their
consent link read from the dev outbox), consents and asks for help. Then each page is
fetched ``--requests`` times in a row: its size on the wire (status line and headers
included, plus the CSS and script it loads on a first visit), and the p50 and p95 of the
time to its last byte over loopback, which is the server's time plus a fraction of a
millisecond. Part of `make bench` too (``suite_part``).
"""

import argparse
import re
import statistics
import time
from dataclasses import dataclass

import httpx

from bench.figures import Figure, figure
from bench.stack import Service, tandem_dev
from common.channels import dev_outbox

CSRF = re.compile(r'name="_csrf_token" value="([^"]+)"')
ASSETS = {"/static/tandem.css", "/static/live.js"}
OUTBOX_WAIT_SECONDS = 30.0
PAGE_LIMIT_BYTES = 100 * 1024


@dataclass(frozen=True)
class Measured:
    name: str
    path: str
    bytes_on_wire: int
    first_visit_bytes: int
    p50_ms: float
    p95_ms: float


def _post(client: httpx.Client, page: str, action: str, fields: dict[str, str]) -> httpx.Response:
    token = CSRF.search(client.get(page).text)
    if token is None:
        raise RuntimeError(f"no form on {page}")
    answer = client.post(action, data={**fields, "_csrf_token": token.group(1)})
    if answer.status_code >= 400:
        raise RuntimeError(f"{action} answered {answer.status_code}")
    return answer


def _link(service: Service, kind: str, address: str = "jo@example.org") -> str:
    pattern = re.compile(rf"https?://\S+/{kind}/\S+")
    deadline = time.monotonic() + OUTBOX_WAIT_SECONDS
    while time.monotonic() < deadline:
        for message in dev_outbox.read(service.home / "dev-outbox.jsonl"):
            found = pattern.search(message.get("text", ""))
            if found and message.get("address") == address:
                return found.group(0)
        time.sleep(0.2)
    raise RuntimeError(f"no {kind} link in the dev outbox")


def _world(service: Service, alex: httpx.Client, sam: httpx.Client) -> dict[str, str]:
    """A couple with a plan, a sign, a step, a consented contact and an open activation."""
    _post(alex, "/", "/sign-up", {"display_name": "Alex"})
    plan = _post(alex, "/", "/plans", {"title": "Our plan"}).url.path
    code = _found(r'id="invite-code">([^<]+)<', _post(alex, plan, plan + "/invite", {}).text)
    _post(sam, "/", "/sign-up", {"display_name": "Sam"})
    _post(sam, "/", "/join", {"code": code})
    _post(sam, "/me", "/me/channels", {"email": "sam@example.org", "sms": "+15550000002"})
    _post(alex, "/me", "/me/channels", {"email": "", "sms": "+15550000001"})
    _post(
        alex,
        plan,
        plan + "/signs",
        {"category": "sleep", "description": "Up past 2", "level": "setback"},
    )
    _post(alex, plan, plan + "/steps", {"description": "Call Sam", "level": "setback"})
    _post(
        alex,
        plan,
        plan + "/supports",
        {
            "display_name": "Jo",
            "relationship": "sponsor",
            "email": "jo@example.org",
            "alert": "yes",
        },
    )
    consent = _link(service, "consent")
    contact = httpx.Client()
    _post(contact, consent, consent, {"decision": "accept", "levels": "setback"})
    key = _found(r'name="key" value="([^"]+)"', alex.get(plan + "/activate/setback").text)
    live = _post(
        alex,
        plan + "/activate/setback",
        plan + "/activations",
        {"level": "setback", "key": key, "note": "rough night"},
    ).url.path
    return {"plan": plan, "live": live, "consent": consent, "ack": _link(service, "ack")}


def _found(pattern: str, text: str) -> str:
    match = re.search(pattern, text)
    if match is None:
        raise RuntimeError(f"{pattern} not on the page")
    return match.group(1)


def _measure(
    client: httpx.Client, name: str, path: str, requests: int, status: int = 200
) -> Measured:
    times, size = [], 0
    for _ in range(requests):
        started = time.perf_counter()
        answer = client.get(path)
        times.append((time.perf_counter() - started) * 1000)
        if answer.status_code != status:
            raise RuntimeError(f"{path} answered {answer.status_code}")
        size = _wire(answer)
    html = client.get(path).text
    assets = sum(_wire(client.get(asset)) for asset in ASSETS if asset in html)
    cuts = statistics.quantiles(times, n=20)
    return Measured(name, path, size, size + assets, statistics.median(times), cuts[18])


def _wire(answer: httpx.Response) -> int:
    head = f"HTTP/1.1 {answer.status_code} {answer.reason_phrase}\r\n"
    head += "".join(f"{k}: {v}\r\n" for k, v in answer.headers.items()) + "\r\n"
    return len(head.encode()) + len(answer.content)


def measure_all(requests: int) -> list[Measured]:
    with tandem_dev() as service:
        base = service.base_url
        with (
            httpx.Client(base_url=base, follow_redirects=True) as alex,
            httpx.Client(base_url=base, follow_redirects=True) as sam,
            httpx.Client(base_url=base) as anonymous,
        ):
            world = _world(service, alex, sam)
            plan, live = world["plan"], world["live"]
            pages = [
                (anonymous, "start (signed out)", "/"),
                (alex, "start (signed in)", "/"),
                (alex, "where to reach me", "/me"),
                (alex, "my privacy", "/me/privacy"),
                (alex, "plan", plan),
                (alex, "ask for help: confirm", plan + "/activate/setback"),
                (alex, "live activation", live),
                (alex, "live activation: polled part", live + "/live"),
                (alex, "check-in", plan + "/check-in"),
                (alex, "history", plan + "/history"),
                (anonymous, "consent (contact)", world["consent"]),
                (anonymous, "acknowledge (contact)", world["ack"]),
            ]
            measured = [_measure(c, name, path, requests) for c, name, path in pages]
            measured.append(
                _measure(anonymous, "error: not found", "/ack/forged.link", requests, 404)
            )
            return measured


def report(measured: list[Measured]) -> str:
    lines = [f"{'page':32} {'bytes':>8} {'first visit':>12} {'p50 ms':>8} {'p95 ms':>8}"]
    for m in measured:
        over = "  OVER 100 KB" if m.first_visit_bytes > PAGE_LIMIT_BYTES else ""
        sizes = f"{m.bytes_on_wire:8d} {m.first_visit_bytes:12d}"
        lines.append(f"{m.name:32} {sizes} {m.p50_ms:8.1f} {m.p95_ms:8.1f}{over}")
    return "\n".join(lines)


async def suite_part(quick: bool) -> list[Figure]:
    """For `make bench`: each page's p50 time and first-visit size."""
    measured = measure_all(20 if quick else 100)
    figures = []
    for m in measured:
        figures.append(figure(f"page {m.name}: time to last byte, p50", "ms", [m.p50_ms], 2))
        figures.append(figure(f"page {m.name}: first visit", "bytes", [m.first_visit_bytes], 0))
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(
        prog="python -m bench.pages",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--requests", type=int, default=100, help="requests per page")
    args = parser.parse_args()
    print(report(measure_all(args.requests)))


if __name__ == "__main__":
    main()
