"""Layer and weight rules (H5L501-H5L505): the manifest's stateful column, and how weight values are read.

Exact findings on real files, format examples and samples are in tests/snapshots.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
from conftest import REALWORLD_MANIFEST, require_shared
from snapshots import found_by_top

from h5lint.checks import RuleContext, all_checks
from h5lint.ir import WeightArray, WeightLayer
from h5lint.keras.model import interpret
from h5lint.parsers.h5 import H5_WEIGHTS
from h5lint.testing import artifact_from_case

require_shared()  # every test here reads the shared corpora

STATEFUL_JSON = "chen0040__keras-timeseries-web-api__demo__models__monthly-milk-production__stateful-lstm-architecture.json"


def test_manifest_stateful_column():
    flagged = {name for name, row in REALWORLD_MANIFEST.items() if row["stateful_rnn"]}
    found = found_by_top("realworld", "H5L501")
    reported = {name for name, hits in found.items() if hits}
    assert flagged == reported == {STATEFUL_JSON}


def _weights_model(*arrays: WeightArray):
    artifact = replace(artifact_from_case({}), format=H5_WEIGHTS, weights=(WeightLayer(arrays[0].layer, arrays),))
    return interpret(artifact)


def _unreadable(max_elements: int):
    raise AssertionError("an array that is not floating point must never be read")


def test_non_float_arrays_are_never_read():
    arrays = tuple(
        WeightArray("d", name, (4,), dtype, f"d/{name}", _unreadable)
        for name, dtype in (("ints", "int64"), ("flags", "bool"), ("names", "|O"), ("text", "|S8"))
    )
    assert list(all_checks()["H5L502"](_weights_model(*arrays), RuleContext())) == []


def test_chunks_are_bounded():
    requested: list[int] = []

    def reader(max_elements: int):
        requested.append(max_elements)
        values = np.full(10_000, np.nan, dtype=np.float32)
        for start in range(0, values.size, max_elements):
            yield values[start : start + max_elements]

    weight = WeightArray("big", "big/kernel:0", (100, 100), "float32", "big/big/kernel:0", reader)
    hits = list(all_checks()["H5L502"](_weights_model(weight), RuleContext()))
    assert [h.location for h in hits] == ["layer:big"] and "10000 NaN" in hits[0].message
    assert requested and 0 < max(requested) <= 1 << 20
