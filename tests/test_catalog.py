"""Meta-tests over the rules: every rule folder complete, valid, documented and tested; generated docs current."""

from __future__ import annotations

import json
import sys

import jsonschema
import pytest
from conftest import REPO
from snapshots import precommit_manifest, readme

from h5lint import catalog
from h5lint.catalog import load_catalog, rule_files
from h5lint.checks import all_checks
from h5lint.ruledocs import render_rule_doc
from h5lint.testing import run_rule

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

CATALOG = load_catalog()
CHECK_RULES = [s for s in CATALOG.values() if not s.raised_by_parser]


@pytest.mark.parametrize("folder,data", rule_files(), ids=lambda v: v if isinstance(v, str) else "")
def test_rule_file_matches_the_schema(folder, data):
    schema = json.loads((REPO / "rules" / "catalog.schema.json").read_text(encoding="utf-8"))
    errors = sorted(jsonschema.Draft202012Validator(schema).iter_errors(tomllib.loads(data.decode())), key=str)
    assert [f"{'/'.join(map(str, e.path))}: {e.message}" for e in errors] == []


def test_every_rule_has_its_check():
    assert sorted(all_checks()) == sorted(s.code for s in CHECK_RULES)
    for spec in CATALOG.values():
        assert (REPO / "rules" / spec.folder / "check.py").exists() != spec.raised_by_parser, spec.folder


@pytest.mark.parametrize("spec", CHECK_RULES, ids=lambda s: s.code)
def test_rule_has_passing_and_failing_cases(spec):
    cases = json.loads((REPO / "rules" / spec.folder / "cases.json").read_text(encoding="utf-8"))
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


def test_readme_tables_are_generated(snapshot):
    # The rule table comes from the catalog, the formats table from the parsers' specs.
    path = REPO / "README.md"
    snapshot(path, readme(path.read_text(encoding="utf-8")))


def test_precommit_patterns_are_generated(snapshot):
    path = REPO / ".pre-commit-hooks.yaml"
    snapshot(path, precommit_manifest(path.read_text(encoding="utf-8")))


def test_prebuilt_catalog_is_generated(snapshot):
    # Every run reads rules/prebuilt_catalog.json instead of parsing 30 TOML files; --update-snapshots rewrites it.
    snapshot(REPO / "rules" / catalog.PREBUILT, catalog.prebuilt_text(catalog.rule_files()))


def test_an_edited_rule_is_read_from_its_toml_not_from_a_stale_prebuilt(monkeypatch):
    files = catalog.rule_files()
    folder, data = files[0]
    edited = data.replace(b'severity = "', b'severity = "info"\nseverity_was = "', 1)
    monkeypatch.setattr(catalog, "rule_files", lambda: [(folder, edited), *files[1:]])
    catalog.load_catalog.cache_clear()
    try:
        spec = next(s for s in catalog.load_catalog().values() if s.folder == folder)
        assert spec.severity.value == "info"
    finally:
        catalog.load_catalog.cache_clear()
