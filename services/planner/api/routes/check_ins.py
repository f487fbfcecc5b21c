"""Check-ins: a partner's mood, craving and the warning signs they noticed. Partners only."""

from litestar import Response, post
from litestar.params import JSONBody

from common.ids import new_id
from contracts.ids import CheckInId, SignId
from planner.api.commands import now, versioned
from planner.api.deps import PartnerDep
from planner.api.schemas import CheckInSaved, NewCheckIn
from planner.domain.commands import RecordCheckIn


@post("/v1/plans/{plan_id:str}/check-ins", status_code=201, tags=["check-ins"])
async def check_in(partner: PartnerDep, data: JSONBody[NewCheckIn]) -> Response[CheckInSaved]:
    """Record a check-in: mood 1 to 5, craving 0 to 10, a note and the signs noticed."""
    check_in_id = CheckInId(new_id())
    command = RecordCheckIn(
        now=now(),
        actor=partner.participant_id,
        check_in_id=check_in_id,
        mood=data.mood,
        craving=data.craving,
        note=data.note.strip(),
        signs_noticed=tuple(SignId(s) for s in data.signs_noticed),
    )
    return await partner.run(command, versioned(CheckInSaved, check_in_id=check_in_id))
