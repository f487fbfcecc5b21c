"""A fetched batch is handled plan by plan side by side, each plan's events in order."""

from dataclasses import dataclass

from notifier.intake.fetching import by_plan


@dataclass(frozen=True)
class Message:
    subject: str


def test_a_batch_splits_by_plan_keeping_each_plans_order() -> None:
    batch = [
        Message("tandem.plan.a.activated"),
        Message("tandem.plan.b.activated"),
        Message("tandem.plan.a.activation_acknowledged"),
        Message("tandem.plan.a.activation_resolved"),
        Message("tandem.plan.b.activation_resolved"),
    ]

    groups = by_plan(batch)

    assert [[m.subject.split(".")[3] for m in group] for group in groups] == [
        ["activated", "activation_acknowledged", "activation_resolved"],
        ["activated", "activation_resolved"],
    ]
    assert {m.subject.split(".")[2] for m in groups[0]} == {"a"}


def test_a_subject_of_another_shape_is_a_group_of_its_own() -> None:
    odd = Message("tandem.plan")
    assert by_plan([odd, Message("tandem.plan.a.activated")]) == [
        [odd],
        [Message("tandem.plan.a.activated")],
    ]
