"""Hostile configs for ``fix`` and ``inspect``: edited model configs never make them raise, and ``fix`` never
writes to what it reads (the same edits test_fuzz.py gives the rules)."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from test_fuzz import (
    CONFIG_SEEDS,
    EDITS,
    _digest,
    _edit_stored_config,
    _fresh,
    _seed,
    fuzz,
    run_bounded,
)

from h5lint.discover import discover
from h5lint.fix.plan import FIXED, NOTHING_TO_FIX, REFUSED, plan_fix
from h5lint.fix.write import write_fix
from h5lint.keras.model import interpret
from h5lint.keras.summary import summarize
from h5lint.keras.versions import DEFAULT_TARGET
from h5lint.parsers import read_candidate


@pytest.fixture(scope="module")
def workdir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("fuzz_fix")


def test_edited_configs_never_break_fix_or_inspect(workdir):
    seeds = {name: _seed(name) for name in CONFIG_SEEDS}

    @fuzz(300)
    @given(st.sampled_from(CONFIG_SEEDS), EDITS)
    def search(seed, edits):
        source = seeds[seed]
        target = _fresh(workdir, f"edited{source.suffix}")
        _edit_stored_config(source, target, edits)
        before = _digest(target)
        for candidate in discover([str(target)]):
            outcome = read_candidate(candidate)
            if outcome.artifact is None:
                continue
            model = interpret(outcome.artifact)
            summarize(model, DEFAULT_TARGET)
            plan = plan_fix(model, DEFAULT_TARGET)
            assert plan.status in (FIXED, NOTHING_TO_FIX, REFUSED)
            if plan.status == FIXED:
                write_fix(plan, _fresh(workdir, f"fixed{source.suffix}"), model.layout)
        assert _digest(target) == before

    run_bounded(search)
