"""JSON as Keras writes it: the nesting budget, checked by a scan that must agree with a character-by-character
reading of strings, escapes and brackets on every input."""

from __future__ import annotations

import random

import pytest

from h5lint.jsonutil import MAX_DEPTH, JsonProblem, _too_deep_at, parse_json


def _char_by_char(text: str, max_depth: int) -> int | None:
    """The oracle: the offset where nesting outside strings first exceeds ``max_depth``."""
    depth, in_string, escaped = 0, False, False
    for i, ch in enumerate(text):
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch in "[{":
            depth += 1
            if depth > max_depth:
                return i
        elif ch in "]}":
            depth -= 1
    return None


def test_the_scan_agrees_with_a_character_by_character_reading():
    rng = random.Random(20261204)
    alphabet = '[]{}"\\a,:\n'
    for _ in range(50_000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 40)))
        depth = rng.randint(0, 5)
        assert _too_deep_at(text, depth) == _char_by_char(text, depth), (text, depth)


@pytest.mark.parametrize(
    "text",
    [
        "[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1),
        '{"a": "' + "[" * 1000 + '", "b": ' + "[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1) + "}",
    ],
)
def test_nesting_past_the_budget_is_refused_before_parsing(text):
    with pytest.raises(JsonProblem, match=f"nests deeper than {MAX_DEPTH} levels"):
        parse_json(text, "config.json")


def test_brackets_inside_strings_are_not_nesting():
    value, _ = parse_json('{"a": "' + "[{" * 5000 + '\\"]"}', "config.json")
    assert value["a"].startswith("[{")
