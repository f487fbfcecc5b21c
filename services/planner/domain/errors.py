"""Domain errors carry fields, never an HTTP status: the API maps them in one table."""

from uuid import UUID


class DomainError(Exception):
    """A command the plan refuses. ``detail`` is safe to show the caller."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class PlanNotFound(DomainError):
    def __init__(self, plan_id: UUID | None = None) -> None:
        super().__init__("plan not found" if plan_id is None else f"plan {plan_id} not found")
        self.plan_id = plan_id


class PlanAlreadyExists(DomainError):
    def __init__(self, plan_id: UUID) -> None:
        super().__init__(f"plan {plan_id} already exists")
        self.plan_id = plan_id


class NotAPartner(DomainError):
    """Only the plan's partners may edit it."""

    def __init__(self, participant_id: UUID) -> None:
        super().__init__("only the plan's partners may do this")
        self.participant_id = participant_id


class NotFound(DomainError):
    """A sign, step, contact, invite or activation that the plan does not hold."""

    def __init__(self, kind: str, item_id: UUID | str) -> None:
        super().__init__(f"{kind} {item_id} not found in this plan")
        self.kind = kind
        self.item_id = item_id


class RuleViolated(DomainError):
    """A command that conflicts with the plan's current state (HTTP 409)."""

    def __init__(self, rule: str, detail: str) -> None:
        super().__init__(detail)
        self.rule = rule


class ConsentRequestClosed(DomainError):
    """A consent link that can no longer be answered (HTTP 410): it expired, or a newer
    request replaced it. Only a new request, sent to the contact, brings a link that works."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(detail)
        self.reason = reason


class InvalidCommand(DomainError):
    """A command whose content is wrong whatever the state (HTTP 422)."""

    def __init__(self, field: str, detail: str) -> None:
        super().__init__(detail)
        self.field = field


class NotARecipient(DomainError):
    def __init__(self, activation_id: UUID, who: UUID) -> None:
        super().__init__("only a recipient of this activation may acknowledge it")
        self.activation_id = activation_id
        self.who = who
