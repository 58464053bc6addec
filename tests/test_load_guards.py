"""Which Keras releases a target allows, and what the guard table says each does with a load-time hazard.

The guards' version boundaries are facts of data/load_guards.toml (checked in the Keras tags); these tests pin
how a target's specifier is read against them, including the backports that make the fixed releases no single
range (TFSMLayer: 3.12.1+ in the 3.12 line, then 3.13.2 and later).
"""

from __future__ import annotations

import pytest

from h5lint.keras import guards
from h5lint.keras.guards import Exposure
from h5lint.keras.versions import parse_target


@pytest.mark.parametrize(
    "spec,low,high,allowed",
    [
        ("keras>=3", (3, 0, 0), (3, 13, 2), True),
        ("keras==3.13", (3, 13, 2), None, True),  # ==3.13 is 3.13.*, so 3.13.2 and later patches
        ("keras==3.13.1", (3, 13, 2), None, False),
        ("keras==3.13.1", (3, 0, 0), (3, 13, 2), True),
        ("keras<=3.13.1", (3, 13, 2), None, False),
        ("keras<3.13.2", (3, 13, 2), None, False),
        ("keras~=3.13.1", (3, 14, 0), None, False),  # ~=3.13.1 means >=3.13.1, ==3.13.*
        ("keras~=3.13", (3, 14, 0), None, True),
        ("keras>3.13.1", (3, 0, 0), (3, 13, 2), False),
        ("keras>=3.12,<3.13", (3, 13, 0), None, False),
        ("keras>=3.12,<3.13", (3, 12, 1), (3, 13, 0), True),
        ("keras!=3.13.0", (3, 13, 0), (3, 13, 1), True),  # != is ignored: a range, not a set of releases
    ],
)
def test_allows_some(spec, low, high, allowed):
    assert parse_target(spec).allows_some(low, high) is allowed


@pytest.mark.parametrize(
    "key,spec,expected",
    [
        (guards.TFSM_LAYER, "keras>=3", Exposure.DEPENDS),
        (guards.TFSM_LAYER, "keras==3.12.0", Exposure.DOES_IT),
        (guards.TFSM_LAYER, "keras==3.12.1", Exposure.REFUSES),
        (guards.TFSM_LAYER, "keras==3.12", Exposure.DEPENDS),
        (guards.TFSM_LAYER, "keras==3.13.1", Exposure.DOES_IT),  # 3.13.0-3.13.1 lack the 3.12.1 backport
        (guards.TFSM_LAYER, "keras>=3.13.2", Exposure.REFUSES),
        (guards.TFSM_LAYER, "keras>=3.12.1,<3.13", Exposure.REFUSES),
        (guards.TFSM_LAYER, "tf-keras==2.21", Exposure.CANNOT_LOAD),
        (guards.TFSM_LAYER, "tensorflow==2.21", Exposure.DEPENDS),  # a TF pin does not pin Keras 3
        (guards.TFSM_LAYER, "tensorflow==2.15", Exposure.CANNOT_LOAD),  # tf.keras of TF 2.15 is Keras 2
        (guards.VOCABULARY_FILE, "tf-keras==2.21", Exposure.DOES_IT),
        (guards.VOCABULARY_FILE, "keras==3.11.3", Exposure.DOES_IT),
        (guards.VOCABULARY_FILE, "keras>=3.12", Exposure.REFUSES),
        (guards.TORCH_MODULE, "keras==3.11.2", Exposure.DOES_IT),
        (guards.TORCH_MODULE, "keras==3.11.3", Exposure.REFUSES),
        (guards.TORCH_MODULE_FROM_CONFIG, "keras==3.12.3", Exposure.REFUSES),
        (guards.TORCH_MODULE_FROM_CONFIG, "keras==3.14", Exposure.DOES_IT),
        (guards.TORCH_MODULE_FROM_CONFIG, "keras>=3.15", Exposure.REFUSES),
        (guards.H5_LAMBDA, "keras<3.11.3", Exposure.DOES_IT),
        (guards.H5_LAMBDA, "tf-keras==2.15", Exposure.DOES_IT),
        (guards.H5_LAMBDA, "keras==3.15.1", Exposure.REFUSES),
    ],
)
def test_exposure(key, spec, expected):
    assert guards.guard(key).exposure(parse_target(spec)) is expected


@pytest.mark.parametrize(
    "release,refuses",
    [((3, 11, 9), False), ((3, 12), True), ((3, 12, 0), True), ((3, 9, 2), False), ((4, 0, 0), True)],
)
def test_refuses_in(release, refuses):
    assert guards.guard(guards.VOCABULARY_FILE).refuses_in(release) is refuses


def test_fixed_releases_are_worded_in_order():
    assert guards.guard(guards.TFSM_LAYER).fixed_text == "3.12.1 and 3.13.2"
