"""The Art. 14 notice a support contact reads first: its words follow who keeps the plan."""

from common.notice import support_notice


def test_a_plan_kept_by_one_partner_is_told_of_them_alone() -> None:
    notice = " ".join(support_notice(["Robin"], 365))
    assert notice.startswith("Who asks: Robin, through Tandem")
    assert "alerted when they ask for help" in notice
    assert "ask them to remove you" in notice
    assert "one of them" not in notice
    assert "either of them" not in notice


def test_a_couple_is_told_of_as_two() -> None:
    notice = " ".join(support_notice(["Alex", "Sam"], 180))
    assert notice.startswith("Who asks: Alex and Sam, through Tandem")
    assert "alerted when one of them asks for help" in notice
    assert "ask either of them to remove you" in notice
    assert "a yes lasts 180 days" in notice


def test_every_question_is_answered_and_erasure_is_in_reach() -> None:
    notice = support_notice(["Alex", "Sam"], 365)
    openings = [paragraph.split(":")[0] for paragraph in notice]
    assert openings == [
        "Who asks",
        "Why",
        "What Tandem keeps about you",
        "For how long",
        "To withdraw",
        "To be erased",
    ]
    assert "erase your details for good" in notice[-1]
