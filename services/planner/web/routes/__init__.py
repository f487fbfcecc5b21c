"""Page routes, one module per page or group of pages; ``PAGES`` lists them all."""

from litestar.types import ControllerRouterHandler

from planner.web.routes import (
    ack,
    activation,
    check_ins,
    consent,
    plan,
    plan_people,
    start,
)

PAGES: list[ControllerRouterHandler] = [
    start.start_page,
    start.sign_up,
    start.sign_in_with_token,
    start.sign_out,
    start.create_plan,
    start.join,
    start.me_page,
    start.save_channels,
    plan.plan_page,
    plan.add_sign,
    plan.revise_sign,
    plan.retire_sign,
    plan.add_step,
    plan.revise_step,
    plan.remove_step,
    plan_people.add_support,
    plan_people.ask_again,
    plan_people.remove_support,
    plan_people.set_escalation,
    plan_people.invite,
    activation.confirm_page,
    activation.activate,
    activation.live_page,
    activation.live_fragment,
    activation.resolve,
    check_ins.check_in_page,
    check_ins.check_in,
    check_ins.history_page,
    consent.consent_page,
    consent.decide,
    consent.withdraw,
    ack.ack_page,
    ack.ack,
]
