"""sample_models/ is h5lint's ground truth: every finding on every real sample, as a reviewed snapshot.

``tests/snapshots/sample_models.json`` records, for each artifact h5lint finds in sample_models/, its
format, version tags and every finding (all rules, default target ``keras>=3``). h5lint writes it
(``python -m pytest --update-snapshots``) and a person reviews the diff; TensorFlow only made the files
and recorded how (sample_models/samples.json). ``pytest tests/test_samples.py -k <sample name>`` checks one.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import REPO, SAMPLES
from snapshots import SNAPSHOTS, dumps, sample_tables

from h5lint.catalog import load_catalog
from h5lint.engine import scan
from h5lint.findings import ArtifactReport, Skipped
from h5lint.settings import resolve

SNAPSHOT = SNAPSHOTS / "sample_models.json"
RECORDED = json.loads(SNAPSHOT.read_text(encoding="utf-8")) if SNAPSHOT.exists() else {}
FACTS = json.loads((SAMPLES / "samples.json").read_text(encoding="utf-8"))


def test_snapshot(sample_corpus, snapshot):
    snapshot(SNAPSHOT, dumps(sample_corpus))


@pytest.mark.parametrize("name", sorted(RECORDED), ids=str)
def test_sample(name: str, sample_corpus):
    # One test per sample, so a changed finding names its sample; test_snapshot prints the full diff.
    assert sample_corpus.get(name) == RECORDED[name]


def test_every_artifact_was_made_by_the_generator(sample_corpus):
    # samples.json is the generator's record of how each file was made; a file h5lint finds must be one.
    assert sorted(set(sample_corpus) ^ set(FACTS)) == []


def test_readme_tables(sample_corpus, snapshot):
    readme = SAMPLES / "README.md"
    from snapshots import replace_block

    snapshot(readme, replace_block(readme.read_text(encoding="utf-8"), "samples", sample_tables(sample_corpus, FACTS)))


def _codes(entry: dict) -> set[str]:
    return {f["code"] for f in entry["findings"]}


@pytest.mark.parametrize("spec", [s for s in load_catalog().values() if s.samples], ids=lambda s: s.code)
def test_rule_samples_show_the_rule(spec, sample_corpus):
    for positive, negatives in spec.samples.items():
        assert spec.code in _codes(sample_corpus[positive]), f"{positive} is listed as a positive for {spec.code}"
        for negative in negatives:
            assert spec.code not in _codes(sample_corpus[negative]), f"{negative} is {positive}'s negative"


def test_every_rule_is_sampled_or_says_why():
    assert [s.code for s in load_catalog().values() if not s.samples and not s.unsampled] == []


def test_folder_walk_skips_json_that_only_mentions_model_keys(tmp_path: Path):
    # samples.json quotes edited configs in prose ("class_name='system'"); only keys mark a model JSON, and
    # a model's keys may start anywhere in the file (reading decides, not a window of its first bytes).
    (tmp_path / "notes.json").write_text(json.dumps({"made_by": "class_name='system', {'class_name': 'exec'}"}))
    (tmp_path / "arch.json").write_bytes((SAMPLES / "tfk_sigmoid_head_bce_arch.json").read_bytes())
    (tmp_path / "twice.json").write_text(json.dumps(json.dumps({"class_name": "Sequential", "config": {}})))
    late = {"padding": "x" * 70_000, **json.loads((SAMPLES / "tfk_sigmoid_head_bce_arch.json").read_text())}
    (tmp_path / "late.json").write_text(json.dumps(late))
    results = list(scan([str(tmp_path)], resolve(None, {}), isolate=False))
    assert sorted(Path(r.path).name for r in results if isinstance(r, ArtifactReport)) == [
        "arch.json", "late.json", "twice.json"
    ]
    assert [Path(r.path).name for r in results if isinstance(r, Skipped)] == ["notes.json"]


def test_readme_first_command_sample(sample_corpus):
    # README.md's first command runs h5lint on this file: a tf-keras HDF5 model with a linear head and BCE.
    entry = sample_corpus["tfk_linear_head_bce.h5"]
    assert (entry["format"], [(f["code"], f["location"]) for f in entry["findings"]]) == (
        "h5-full",
        [("H5L201", "output:out")],
    )
    assert "sample_models/tfk_linear_head_bce.h5" in (REPO / "README.md").read_text(encoding="utf-8")
