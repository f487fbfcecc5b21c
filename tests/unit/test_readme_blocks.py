"""How the README's runnable blocks are read: steps, shown output, and what counts as a secret."""

import pytest

from tests.support import readme

README = """\
Some prose.

<!-- readme-test: run -->
```sh
X=1   # prints nothing

echo "$X"
echo two
#> 1
#> t…o
curl -d '{"display_name":"Alex","channels":[{"kind":"email","address":"a@example.org"}]}'
```

```sh
echo not marked
```
"""


def test_a_step_is_the_commands_up_to_a_blank_line_or_up_to_the_output_shown_below_them() -> None:
    [(first_line, lines)] = readme.blocks(README, readme.RUN)

    steps = list(readme.steps(first_line, lines))

    assert [(step.line, step.code, step.shown) for step in steps] == [
        (5, "X=1   # prints nothing", ()),
        (7, 'echo "$X"\necho two', ("1", "t…o")),
        (11, steps[2].code, ()),
    ]


def test_output_shown_below_no_command_is_refused() -> None:
    with pytest.raises(ValueError, match="line 2: output shown below no command"):
        list(readme.steps(1, ["", "#> 1"]))


def test_a_marker_not_right_above_a_block_is_refused() -> None:
    with pytest.raises(ValueError, match="line 1"):
        readme.blocks(f"{readme.RUN}\n\n```sh\necho\n```\n", readme.RUN)


@pytest.mark.parametrize(
    ("shown", "printed", "expected"),
    [
        (["1", "t…o"], ["1", "two"], True),
        (['{"id":"…","version":3}'], ['{"id":"0190-ab","version":3}'], True),
        (['{"id":"…","version":3}'], ['{"id":"0190-ab","version":4}'], False),
        (["given"], ["given", "more"], False),
        (["given"], [], False),
        ([], [], True),
        (["a.c"], ["abc"], False),  # only … is a wildcard
    ],
)
def test_printed_lines_match_the_shown_ones_line_for_line(
    shown: list[str], printed: list[str], expected: bool
) -> None:
    assert readme.matches(shown, printed) is expected


def test_personal_values_are_read_from_the_bodies_the_steps_send() -> None:
    [(first_line, lines)] = readme.blocks(README, readme.RUN)
    steps = list(readme.steps(first_line, lines))

    found = readme.personal_values(steps, frozenset({"display_name", "address"}))

    assert found == {"Alex", "a@example.org"}


def test_secrets_are_the_token_like_words_of_the_variables_not_ids_or_times() -> None:
    variables = {
        "ALEX": "tdm_p_AkgSjaAJi18DBPorjjIEl90P23qr9UgsIEnrHloDdtI",
        "A": "Authorization: Bearer tdm_p_amY77Fzh00SzaAjTgdpvfzczvr55EybCXCCFYpXgQ80",
        "CODE": "F1bTKJVN9aiPRfhw",
        "CONSENT": "http://127.0.0.1:8000/v1/consents/lqdjb25zZW50xBABojr2G.p6E8uUQtnq",
        "PLAN": "01a23af6-1ac8-724b-9ce4-f870ecef52d0",
        "BEFORE": "2026-12-03T08:12:24.075548+00:00",
        "TANDEM": "http://127.0.0.1:8000",
    }

    assert readme.secrets_in(variables) == {
        "tdm_p_AkgSjaAJi18DBPorjjIEl90P23qr9UgsIEnrHloDdtI",
        "tdm_p_amY77Fzh00SzaAjTgdpvfzczvr55EybCXCCFYpXgQ80",
        "F1bTKJVN9aiPRfhw",
        "lqdjb25zZW50xBABojr2G.p6E8uUQtnq",
    }
