"""The notice a support contact gets the first time Tandem contacts them (GDPR Art. 14).

Their details came from a partner, not from them, so before anything else they are told
who asks, why, where their details came from, what Tandem keeps about them, for how long,
and how to withdraw and to be erased. The notifier puts it in the consent request; the
planner's consent link answers it too, so the page shows the same words.
"""

from collections.abc import Sequence


def partner_names(names: Sequence[str]) -> str:
    """ "Alex", "Alex and Sam": who asks, as people read it."""
    cleaned = [n.strip() for n in names if n.strip()]
    if not cleaned:
        return "Someone you know"
    if len(cleaned) == 1:
        return cleaned[0]
    return f"{', '.join(cleaned[:-1])} and {cleaned[-1]}"


def support_notice(partners: Sequence[str], consent_days: int) -> tuple[str, ...]:
    """The notice, one short paragraph per question a person may have; ``partners`` are the
    names of the people whose plan it is (one, or a couple)."""
    alone = len([name for name in partners if name.strip()]) <= 1
    asker, them = ("they ask", "them") if alone else ("one of them asks", "either of them")
    return (
        f"Who asks: {partner_names(partners)}, through Tandem, a service where people keep a "
        "shared plan for hard moments. They gave us your name and how to reach you.",
        f"Why: so that you can be alerted when {asker} for help, only if you agree, "
        "and only about what you and they agree to.",
        "What Tandem keeps about you: your name, how you know them, the addresses they gave "
        "for you, your answer and when you gave it, and a record of each message sent to you.",
        f"For how long: a yes lasts {consent_days} days, unless you withdraw it sooner; you "
        "are asked again before it ends. Your details are kept while you are on their plan.",
        "To withdraw: use the link in this message at any time. After that no alert reaches you.",
        "To be erased: the same link lets you erase your details for good, at any time; you "
        f"can also ask {them} to remove you from their plan, or ask the operator of this "
        "Tandem service.",
    )
