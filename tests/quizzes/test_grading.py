import pytest

from lms.quizzes.grading import (
    choice_is_correct,
    normalise_answer,
    passes,
    percent,
    short_answer_is_correct,
)


@pytest.mark.parametrize("response,answers,expected", [
    ("113", [("113", False)], True),
    ("  113 ", [("113", False)], True),
    ("Bộ   Công An", [("Bộ Công an", False)], True),
    ("bo cong an", [("Bộ Công an", False)], False),  # diacritics matter by default
    ("bo cong an", [("Bộ Công an", True)], True),  # ~= ignores them
    ("BỘ CÔNG AN", [("bộ công an", True)], True),
    ("Đà Nẵng", [("da nang", True)], True),
    ("hai", [("2", False), ("hai", False)], True),
    ("", [("113", False)], False),
    ("   ", [("", False)], False),
    ("114", [("113", False)], False),
    # What a person did not mean never makes a right answer wrong (issue 15: "5656." was failed).
    ("5656.", [("5656", False)], True),
    ("“5656”", [("5656", False)], True),
    ("«113»!", [("113", False)], True),
    ("'Bộ Công an'", [("Bộ Công an", False)], True),
    ("５６５６", [("5656", False)], True),  # full-width digits
    ("٥٦٥٦", [("5656", False)], True),  # Arabic-Indic digits
    ("5656\u00a0", [("5656", False)], True),
    ("56\u200b56", [("5656", False)], True),  # an invisible zero-width space
    ("Bộ\tCông\u3000an", [("bộ công an", False)], True),  # odd whitespace inside
    ("BỘ CÔNG AN.", [("bộ công an", True)], True),
    ("bo cong an.", [("Bộ Công an", False)], False),  # the diacritics rule stays
    ("...", [("5656", False)], False),
    (".", [(".", False)], False),
    ("5 656", [("5656", False)], False),  # a different answer is still different
    ("-113", [("113", False)], True),
    ("+84", [("84", False)], False),
])
def test_short_answers(response, answers, expected):
    assert short_answer_is_correct(response, answers) is expected


def test_composed_and_decomposed_vietnamese_are_the_same_answer():
    import unicodedata

    decomposed = unicodedata.normalize("NFD", "Căn cước")
    assert normalise_answer(decomposed, ignore_diacritics=False) == "căn cước"


@pytest.mark.parametrize("selected,correct,expected", [
    ({1}, {1}, True),
    ({2}, {1}, False),
    (set(), {1}, False),
    ({1, 2}, {1, 2}, True),
    ({1}, {1, 2}, False),  # partial: no point
    ({1, 2, 3}, {1, 2}, False),  # a wrong one ticked: no point
    (set(), set(), False),
])
def test_choices(selected, correct, expected):
    assert choice_is_correct(selected, correct) is expected


def test_pass_mark_is_compared_exactly():
    assert passes(8, 10, 80) and not passes(7, 10, 80)
    assert not passes(7, 9, 80)  # 77.8 %
    assert passes(4, 5, 80) and not passes(0, 0, 80)
    assert percent(2, 3) == 67 and percent(1, 8) == 13 and percent(0, 0) == 0
