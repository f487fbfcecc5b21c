"""``python -m notifier replay --from-sequence N [--dry-run]`` (``tandem notifier replay``).

Prints one line per claim on standard output (ids and kinds, never names or addresses),
and a summary on standard error. Exit codes: 0 done, 2 the replay could not run (settings,
a server that cannot be reached, a history that could not be read to its end).
"""

import argparse
import asyncio
import sys

import asyncpg
import nats.errors

from notifier.replay.history import HistoryError
from notifier.replay.replayer import Claim, Report, replay
from notifier.settings import SettingsError, from_env

EXIT_CANNOT_RUN = 2
CANNOT_RUN = (SettingsError, HistoryError, nats.errors.Error, asyncpg.PostgresError, OSError)


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m notifier replay",
        description="Run the notifier's decisions again over the plan events in JetStream.",
    )
    parser.add_argument(
        "--from-sequence",
        type=int,
        required=True,
        metavar="N",
        help="the TANDEM_PLAN stream sequence to start at (1: the whole history)",
    )
    parser.add_argument(
        "--dry-run", action="store_true", help="print what would be claimed, write nothing"
    )
    args = parser.parse_args(argv)
    if args.from_sequence < 1:
        parser.error("--from-sequence must be 1 or more")
    return args


def main(argv: list[str]) -> int:
    args = parse(argv)
    verb = "would claim" if args.dry_run else "claimed"

    def emit(claim: Claim) -> None:
        sys.stdout.write(f"{verb} {line(claim)}\n")
        sys.stdout.flush()

    try:
        settings = from_env()
        report = asyncio.run(replay(settings, args.from_sequence, dry_run=args.dry_run, emit=emit))
    except CANNOT_RUN as exc:
        sys.stderr.write(f"error: replay failed: {type(exc).__name__}: {exc}\n")
        return EXIT_CANNOT_RUN
    sys.stderr.write(summary(report))
    return 0


def line(claim: Claim) -> str:
    activation = claim.activation_id or "-"
    return (
        f"sequence={claim.sequence} activation={activation} tier={claim.tier} "
        f"recipient={claim.recipient_id} channel={claim.channel} message={claim.message}"
    )


def summary(report: Report) -> str:
    span = report.span
    lines = [
        f"replayed {report.events} event(s) of TANDEM_PLAN, sequences {span.first} to {span.last}: "
        f"{len(report.claims)} new claim(s)"
        + (" would be made; dry run, nothing was written" if report.dry_run else "")
    ]
    if report.rebuilt:
        lines.append(
            f"recorded {len(report.rebuilt)} activation(s) the ledger did not know, already "
            "acknowledged or resolved in the history, without paging anyone"
        )
    alerted = "would be alerted" if report.dry_run else "is alerted"
    for activation_id, sent in report.reopened.items():
        lines.append(
            f"warning: activation {activation_id} is open and the ledger did not know it: its "
            f"tier 1 {alerted} (the history records {sent} alert(s) sent for it already)"
        )
    lines += [f"skipped {count}: {why}" for why, count in sorted(report.skipped.items())]
    return "".join(f"{text}\n" for text in lines)
