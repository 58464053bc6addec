"""What real files showed (issue 11 §3): each case built from the config or bytes real files had.

Every test builds its input here (a config, a few bytes, an edited copy of a sample) and asserts the
exact findings; the samples made by the generator are covered by the snapshot and by the exact-finding
tests at the end.
"""

from __future__ import annotations

from h5lint.codes import UNREADABLE
from h5lint.engine import lint_outcome
from h5lint.findings import Hit, ParseOutcome, Problem
from h5lint.settings import resolve
from h5lint.testing import artifact_from_case

SETTINGS = resolve(None, {"select": ["ALL"]})


def _codes(report) -> list[tuple[str, str | None]]:
    return [(f.code, f.location) for f in report.findings]


def lint_case(case: dict):
    """Every rule's findings on a case document, as the engine reports them."""
    report = lint_outcome("case.h5", ParseOutcome(artifact_from_case(case)), SETTINGS)
    assert report.crashed_checks == ()
    return report


def sequential(*layers: dict, keras_version: str = "2.15.0", loss: object = None) -> dict:
    """A tf.keras-style Sequential case (InputLayer first) compiled with ``loss``."""
    entries = [{"class_name": "InputLayer", "config": {"name": "in", "batch_input_shape": [None, 4]}}, *layers]
    case: dict = {
        "keras_version": keras_version,
        "backend": "tensorflow",
        "model_config": {"class_name": "Sequential", "config": {"name": "m", "layers": entries}},
    }
    if loss is not None:
        case["training_config"] = {"loss": loss, "optimizer_config": {"class_name": "Adam", "config": {}}}
    return case


# ------------------------------------------------------------------------------------------ engine
def test_two_different_problems_at_one_place_are_two_findings():
    said = [Problem(UNREADABLE, Hit(f"x.h5: {what}", "file")) for what in ("first problem", "second problem")]
    outcome = ParseOutcome(None, (*said, said[0]))  # the first one repeated word for word
    report = lint_outcome("x.h5", outcome, SETTINGS)
    assert [f.message for f in report.findings] == ["x.h5: first problem", "x.h5: second problem"]


# ------------------------------------------------------------------------------------------ heads
def test_single_unit_softmax_is_one_finding_whatever_the_loss():
    # Dense(1, softmax) always returns 1.0; H5L204's loss advice would keep that constant.
    for loss in ("mean_squared_error", "categorical_crossentropy", "binary_crossentropy"):
        out = {"class_name": "Dense", "config": {"name": "out", "units": 1, "activation": "softmax"}}
        report = lint_case(sequential(out, loss=loss))
        assert [c for c in _codes(report) if c[0].startswith("H5L2")] == [("H5L203", "layer:out")], loss
