"""What reaches whom about privacy: the activating partner's choice narrows an alert, a
contact first asked is told what is kept, partners hear about a new contact and a consent
that ends soon, each once per event."""

from datetime import timedelta
from uuid import UUID

import msgspec

from contracts.ids import ContactId, ParticipantId
from contracts.support_events import ConsentExpiring, DisclosureRequested
from contracts.vocabulary import ConsentScope, DisclosureChoice, MessageKind
from notifier.domain.alert_text import render
from notifier.domain.deliveries import (
    consent_expiring_deliveries,
    disclosure_request_deliveries,
    recipients_in_tier,
)
from tests.unit.notifier_domain.builders import (
    ALEX,
    BLAIR,
    BLAIR_EMAIL,
    BLAIR_SMS,
    CONSENT_URL,
    DANA,
    DANA_EMAIL,
    NOTE_TEXT,
    NOW,
    PLAN_ID,
    RECIPIENTS,
    SIGN_TEXT,
    activation,
    context,
    delivery,
    recipient,
)

SHARES_ALL = ConsentScope(share_signs=True, share_notes=True)
EVENT_ID = UUID("01950000-0000-7000-8000-0000000000ee")


def dana_alert(choice: DisclosureChoice | None) -> dict[str, object]:
    dana = msgspec.structs.replace(
        recipient(DANA, "Dana", 1, DANA_EMAIL, scope=SHARES_ALL), disclosure=choice
    )
    activated = activation(recipients=(RECIPIENTS[0], dana))
    return render(delivery(DANA, DANA_EMAIL), context(activated)).payload


def test_a_contact_reads_signs_and_note_only_when_the_activating_partner_shares_them() -> None:
    nothing = dana_alert(DisclosureChoice(alert=True))
    assert "signs" not in nothing
    assert "note" not in nothing
    assert SIGN_TEXT not in str(nothing["text"])
    assert NOTE_TEXT not in str(nothing["text"])
    signs = dana_alert(DisclosureChoice(alert=True, share_signs=True))
    assert (signs["signs"], "note" in signs) == ([SIGN_TEXT], False)
    both = dana_alert(DisclosureChoice(alert=True, share_signs=True, share_note=True))
    assert (both["signs"], both["note"]) == ([SIGN_TEXT], NOTE_TEXT)
    older = dana_alert(None)  # an activation from before partners chose: the scope decides
    assert (older["signs"], older["note"]) == ([SIGN_TEXT], NOTE_TEXT)


def test_a_consent_request_carries_the_notice_before_its_link() -> None:
    ask = delivery(
        DANA, DANA_EMAIL, tier=0, message=MessageKind.CONSENT_REQUEST, activation_id=None
    )
    notice = ("Who asks: Alex.", "What Tandem keeps about you: your name.")
    text = render(
        ask, context(None, consent_url=CONSENT_URL, partner_names=("Alex",), notice=notice)
    ).text
    assert all(line in text for line in notice)
    assert text.index(notice[-1]) < text.index(CONSENT_URL)


def test_the_other_partner_is_asked_about_a_new_contact_on_their_channels_once() -> None:
    asked = DisclosureRequested(
        contact_id=ContactId(DANA),
        partner_id=ParticipantId(BLAIR),
        partner_name="Blair",
        contact_name="Dana",
        channels=(BLAIR_SMS, BLAIR_EMAIL),
        requested_by=ParticipantId(ALEX),
        requested_by_name="Alex",
        at=NOW,
    )
    planned = disclosure_request_deliveries(PLAN_ID, EVENT_ID, asked)
    assert [(d.recipient_id, d.channel, d.about) for d in planned] == [
        (BLAIR, BLAIR_SMS, DANA),
        (BLAIR, BLAIR_EMAIL, DANA),
    ]
    again = disclosure_request_deliveries(PLAN_ID, EVENT_ID, asked)
    assert [d.claim_key() for d in planned] == [d.claim_key() for d in again]
    words = render(planned[1], context(None, partner_names=("Alex",), contact_name="Dana"))
    assert "Alex added Dana" in words.text
    assert "will not be told anything about you unless you agree" in words.text
    assert words.payload["type"] == "tandem.disclosure_request"
    assert "Sent by Tandem for your plan." in words.text


def test_partners_hear_that_a_consent_ends_soon_on_their_own_channels() -> None:
    ends = NOW + timedelta(days=14)
    expiring = ConsentExpiring(
        contact_id=ContactId(DANA),
        contact_name="Dana",
        expires_at=ends,
        partners=(RECIPIENTS[0],),
        at=NOW,
    )
    planned = consent_expiring_deliveries(PLAN_ID, EVENT_ID, expiring)
    assert {(d.recipient_id, d.message) for d in planned} == {(BLAIR, MessageKind.CONSENT_EXPIRING)}
    words = render(planned[0], context(None, contact_name="Dana", ends_at=ends))
    assert f"{ends:%Y-%m-%d}" in words.text
    assert words.payload["ends_at"] == "2026-03-15T12:00:00Z"


def test_a_snapshot_naming_a_contact_the_activating_partner_refused_alerts_them_not() -> None:
    refused = msgspec.structs.replace(
        recipient(DANA, "Dana", 1, DANA_EMAIL, scope=SHARES_ALL), disclosure=DisclosureChoice()
    )
    activated = activation(recipients=(RECIPIENTS[0], refused))
    assert DANA not in {r.recipient_id for r in recipients_in_tier(activated, 1)}
    assert BLAIR in {r.recipient_id for r in recipients_in_tier(activated, 1)}
