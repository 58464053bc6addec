"""Each rule's cases (rules/<CODE>_<name>/cases.json), each run with only that rule: pytest -k H5L201."""

from __future__ import annotations

import json

import pytest
from conftest import REPO

from h5lint.catalog import load_catalog
from h5lint.testing import run_rule


def _cases():
    for spec in load_catalog().values():
        file = REPO / "rules" / spec.folder / "cases.json"
        if file.exists():
            for case in json.loads(file.read_text(encoding="utf-8")):
                yield pytest.param(spec.code, case, id=f"{spec.code}-{case['name']}")


@pytest.mark.parametrize("code,case", list(_cases()))
def test_rule_case(code, case):
    hits = run_rule(
        code,
        case["case"],
        options=case.get("options"),
        target=case.get("target"),
        custom_objects=tuple(case.get("custom_objects", ())),
    )
    assert sorted(h.location for h in hits) == sorted(e["location"] for e in case["expect"]), [h.message for h in hits]
    for expected in case["expect"]:
        if "contains" in expected:
            messages = [h.message for h in hits if h.location == expected["location"]]
            assert any(expected["contains"] in m for m in messages), messages
        if "severity" in expected:
            severities = [h.severity.value if h.severity else None for h in hits if h.location == expected["location"]]
            assert expected["severity"] in severities, severities
