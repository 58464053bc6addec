"""``h5lint fix`` against what the real loaders measured (sample_models/fix_results.json, tools/verify_fixes.py).

The generator fixed every tf-keras sample with h5lint, loaded each copy with Keras 3.15.1 in a fresh process and
compared its predictions with the original's under tf-keras. Here, without TensorFlow: h5lint still plans exactly
the verified configs (same hash of the canonical fixed configs, same status, same changes), every recorded load
succeeded with equal predictions, Keras 3 loads at least 90% of the fixable samples after the fix, and every
refusal names its reason.
"""

from __future__ import annotations

import json

import pytest
from conftest import SAMPLES

from h5lint.fix.plan import FIXED, REFUSED, plan_fix
from h5lint.fix.run import read_model
from h5lint.keras.versions import parse_target

RESULTS = json.loads((SAMPLES / "fix_results.json").read_text(encoding="utf-8"))
RECORDED = RESULTS["samples"]
FACTS = json.loads((SAMPLES / "samples.json").read_text(encoding="utf-8"))
TARGET = parse_target(RESULTS["target"])


def test_every_tf_keras_sample_was_verified():
    # The generator's list: every full model tf-keras wrote (and edited copies of them), as load_check has them.
    made = {n for n, e in FACTS.items() if n.startswith(("tfk_", "edited_tfk_")) and e.get("load_check")}
    assert sorted(made ^ set(RECORDED)) == []


@pytest.mark.parametrize("name", sorted(RECORDED), ids=str)
def test_h5lint_plans_the_verified_fix(name):
    recorded = RECORDED[name]
    plan = plan_fix(read_model(str(SAMPLES / name)), TARGET)
    assert plan.status == recorded["fix"]
    assert [c.text for c in plan.changes] == recorded["changes"]
    assert plan.config_sha256 == recorded["config_sha256"], "the fixed configs differ from the verified ones"
    if plan.status == REFUSED:
        assert plan.refusals and all(reason.strip() for reason in plan.refusals)


@pytest.mark.parametrize("name", sorted(n for n, e in RECORDED.items() if e["fix"] == FIXED), ids=str)
def test_every_fixed_copy_loaded_with_equal_predictions(name):
    entry = RECORDED[name]
    assert entry["after"] == "ok", entry["after"]
    assert entry["predictions_equal"] and entry["max_abs_diff"] <= RESULTS["tolerance"]


def test_keras3_loads_nine_in_ten_fixable_samples_after_fix():
    summary = RESULTS["summary"]
    assert summary["fixable"] >= 40
    assert summary["fixable_keras3_loads_after"] >= 0.9 * summary["fixable"]
    assert summary["keras3_loads_after"] > summary["keras3_loads_before"]


def test_nothing_to_fix_means_keras3_loaded_the_original():
    for name, entry in RECORDED.items():
        if entry["fix"] == "nothing-to-fix":
            assert entry["before"] == "ok", name
