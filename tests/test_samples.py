"""sample_models/ is h5lint's ground truth: exact findings on every generated sample.

tools/make_sample_models.py writes real files with TensorFlow / tf-keras / Keras 3 and lists in
sample_models/expected.json, for each, the format and Keras version h5lint must read from it and every
finding (code + location) h5lint must report with all rules enabled under the default target (keras>=3).
One test per sample, so ``pytest tests/test_samples.py -k <sample name>`` checks one file.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import SAMPLES
from h5lint.catalog import load_catalog
from h5lint.discover import discover
from h5lint.engine import lint_paths
from h5lint.findings import ArtifactReport
from h5lint.settings import resolve

EXPECTED: dict[str, dict] = json.loads((SAMPLES / "expected.json").read_text(encoding="utf-8"))

# Rules no TF 2.21 writer can produce honestly (sample_models/README.md says why); real-world tests cover them.
NOT_SAMPLED = {"H5L302", "H5L303"}


def _name(path: str) -> str:
    """The expected.json key of an artifact: its path under sample_models/, with "/" separators."""
    return Path(path).relative_to(SAMPLES).as_posix()


@pytest.fixture(scope="module")
def reports() -> dict[str, ArtifactReport]:
    report = lint_paths([str(SAMPLES)], resolve(None, {}), jobs=1)
    by_name = {_name(a.path): a for a in report.artifacts}
    assert len(by_name) == len(report.artifacts), "an artifact was reported twice"
    return by_name


def _codes(entry: dict) -> set[str]:
    return {f["code"] for f in entry["findings"]}


@pytest.mark.parametrize("name", sorted(EXPECTED), ids=str)
def test_sample(name: str, reports: dict[str, ArtifactReport]):
    expected = EXPECTED[name]
    assert (SAMPLES / name).exists(), f"{name} is listed in expected.json but not in sample_models/"
    assert name in reports, f"h5lint did not find {name} when scanning sample_models/"
    artifact = reports[name]
    assert artifact.errors == (), f"{name}: a check crashed: {artifact.errors}"
    assert artifact.format == expected["format"]
    if "keras_version" in expected:
        assert artifact.versions.keras_version == expected["keras_version"]
    got = sorted((f.code, f.location) for f in artifact.findings)
    assert got == sorted((f["code"], f["location"]) for f in expected["findings"])


def test_no_unlisted_artifacts(reports: dict[str, ArtifactReport]):
    assert sorted(set(reports) - set(EXPECTED)) == []


def test_folder_walk_skips_json_that_only_mentions_model_keys(tmp_path: Path):
    # expected.json quotes edited configs in prose ("class_name='system'"); only keys mark a model JSON.
    (tmp_path / "notes.json").write_text(json.dumps({"made_by": "class_name='system', {'class_name': 'exec'}"}))
    (tmp_path / "arch.json").write_bytes((SAMPLES / "tfk_sigmoid_head_bce_arch.json").read_bytes())
    (tmp_path / "twice.json").write_text(json.dumps(json.dumps({"class_name": "Sequential", "config": {}})))
    assert sorted(Path(c.path).name for c in discover([str(tmp_path)])) == ["arch.json", "twice.json"]


def test_every_rule_has_a_positive_and_a_matching_negative():
    covered = set()
    for name, entry in EXPECTED.items():
        for code, negatives in entry.get("negatives", {}).items():
            assert code in _codes(entry), f"{name} is listed as a positive for {code} but has no {code} finding"
            assert negatives, (name, code)
            for negative in negatives:
                assert code not in _codes(EXPECTED[negative]), f"{negative} is {name}'s negative for {code}"
            covered.add(code)
    assert sorted(set(load_catalog()) - covered) == sorted(NOT_SAMPLED)


def test_readme_lists_each_sample_with_its_exact_findings():
    readme = (SAMPLES / "README.md").read_text(encoding="utf-8")
    rows = {line.split(" | ")[0][3:-1]: line for line in readme.splitlines() if line.startswith("| `")}
    for name, entry in EXPECTED.items():
        row = rows.get(name)
        assert row is not None, f"README.md has no row for {name}"
        for f in entry["findings"]:
            assert f"{f['code']} `{f['location']}`" in row, (name, f)


def test_readme_first_command_sample():
    # README.md's first command runs h5lint on this file: a tf-keras HDF5 model with a linear head and BCE.
    entry = EXPECTED["tfk_linear_head_bce.h5"]
    assert (entry["format"], entry["findings"]) == ("h5-full", [{"code": "H5L201", "location": "output:out"}])
