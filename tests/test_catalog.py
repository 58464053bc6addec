"""Meta-tests over the rule catalog: every rule documented, implemented, tested, and in the README."""

from __future__ import annotations

import json
import re

import pytest

from h5lint.catalog import load_catalog
from h5lint.checks import all_checks
from h5lint.ruledocs import render_rule_doc, rule_table_markdown
from h5lint.testing import run_rule

from conftest import REPO

CATALOG = load_catalog()
CHECK_RULES = [s for s in CATALOG.values() if not s.raised_by_parser]


def test_codes_and_checks_match():
    checks = all_checks()
    assert sorted(checks) == sorted(s.code for s in CHECK_RULES)


@pytest.mark.parametrize("spec", CHECK_RULES, ids=lambda s: s.code)
def test_rule_has_passing_and_failing_cases(spec):
    path = REPO / "tests" / "rule_cases" / f"{spec.code}.json"
    cases = json.loads(path.read_text(encoding="utf-8"))
    assert any(c["expect"] for c in cases), "needs a case that fires"
    assert any(not c["expect"] for c in cases), "needs a case that passes"


@pytest.mark.parametrize("spec", CHECK_RULES, ids=lambda s: s.code)
def test_doc_examples_behave_as_documented(spec):
    bad, good = spec.docs.bad, spec.docs.good
    assert bad.case and good.case, "both doc examples need a case"
    assert bad.expect, "the bad example must list what it reports"
    assert sorted(h.location for h in run_rule(spec.code, bad.case)) == sorted(bad.expect)
    assert run_rule(spec.code, good.case) == []


@pytest.mark.parametrize("spec", CATALOG.values(), ids=lambda s: s.code)
def test_explain_renders(spec):
    text = render_rule_doc(spec)
    assert text.startswith(f"# {spec.code} {spec.name}")
    for heading in ("## What it does", "## Why it matters", "## Bad", "## Good", "## How to fix"):
        assert heading in text


def test_readme_rule_table_is_current():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    match = re.search(r"<!-- rules:start -->\n(.*?)<!-- rules:end -->", readme, re.S)
    assert match, "README.md lacks the rules:start/rules:end markers"
    assert match.group(1) == rule_table_markdown(CATALOG.values()), "run: python tools/gen_rule_table.py"
