"""What the live activation page shows: the activation's view, as the JSON API gives it,
with the names and words a person reads."""

from typing import Any
from uuid import UUID

import asyncpg

from contracts.ids import ActivationId
from contracts.vocabulary import MessageKind
from planner.api.errors import ResourceNotFound
from planner.api.views import activation_view
from planner.web.acting import plan_of

CLOSED = ("resolved", "false_alarm")


async def live_context(
    pool: asyncpg.Pool, plan_id: UUID, activation_id: ActivationId
) -> dict[str, Any]:
    state = await plan_of(pool, plan_id)
    activation = state.activations.get(activation_id)
    if activation is None:
        raise ResourceNotFound(f"activation {activation_id} not found in this plan")
    view = activation_view(activation)
    names = {p.participant_id: p.display_name for p in state.partners}
    return {
        "plan_id": plan_id,
        "activation": view,
        "asker": names.get(activation.activated_by, "A partner"),
        "closed": view.status in CLOSED,
        "nobody_answered": any(d.message is MessageKind.NO_ANSWER for d in activation.deliveries)
        and not activation.acknowledgements,
        "signs": [
            state.signs[s].description for s in activation.observed_sign_ids if s in state.signs
        ],
        "answered_by": [
            next((r.display_name for r in activation.recipients if r.recipient_id == a.by), "")
            for a in activation.acknowledgements
        ],
    }
