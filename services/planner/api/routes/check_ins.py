"""Check-ins: a partner's mood, craving and the warning signs they noticed. Partners only."""

from litestar import Response, post
from litestar.params import JSONBody

from planner.api import content_commands as build
from planner.api.commands import now, versioned
from planner.api.deps import PartnerDep
from planner.api.schemas import CheckInSaved, NewCheckIn


@post("/v1/plans/{plan_id:str}/check-ins", status_code=201, tags=["check-ins"])
async def check_in(partner: PartnerDep, data: JSONBody[NewCheckIn]) -> Response[CheckInSaved]:
    """Record a check-in: mood 1 to 5, craving 0 to 10, a note and the signs noticed."""
    command = build.check_in(partner.participant_id, data, now())
    saved = versioned(CheckInSaved, check_in_id=command.check_in_id)
    return await partner.run(command, saved)
