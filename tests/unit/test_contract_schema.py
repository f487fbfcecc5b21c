"""The committed JSON Schema matches the contracts in code."""

from contracts import schema
from contracts.events import EVENT_TYPES, PlanActivated, decode, encode


def test_committed_json_schema_matches_the_code() -> None:
    for name, content in schema.render().items():
        committed = (schema.SCHEMA_DIR / name).read_bytes()
        assert committed == content, f"contracts/schema/{name} is stale: run `make schema`"


def test_every_event_type_has_a_permanent_plan_tag() -> None:
    assert all(tag.startswith("plan.") for tag in EVENT_TYPES)
    assert EVENT_TYPES["plan.activated"] is PlanActivated


def test_an_event_with_an_unknown_field_still_decodes() -> None:
    data = (
        b'{"type":"plan.warning_sign_retired","sign_id":"01900000-0000-7000-8000-000000000001",'
        b'"added_later":true}'
    )
    event = decode(data)
    assert encode(event) == (
        b'{"type":"plan.warning_sign_retired","sign_id":"01900000-0000-7000-8000-000000000001"}'
    )
