"""h5lint in a real ML repository: models among HDF5 data sets, zips, JSON, a venv, node_modules, build output and
.gitignore'd folders. Scanned from its root, from a subfolder and with absolute paths, it reports exactly the
models' findings, never an error for a file that is not a model, with the same paths and fingerprints every
time, so a baseline written in one place hides the same findings in the other.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import h5py
import numpy as np
import pytest
from conftest import SAMPLES

# Each model with the findings the sample corpus records for it (tests/snapshots/sample_models.json).
MODELS = {
    "models/clf.h5": ("tfk_linear_head_bce.h5", {("H5L201", "output:out")}),
    "models/lambda.keras": ("k3_lambda_anon.keras", {("H5L101", "layer:double")}),
    "models/rnn/stateful.h5": ("k3_stateful_lstm.h5", set()),  # H5L501 there is ignored by per-file-ignores
    "models/stateful.h5": ("k3_stateful_lstm.h5", {("H5L501", "layer:lstm")}),
    "models/clean.keras": ("k3_sigmoid_head_bce.keras", set()),
    "models/export": ("k3_softmax3_cce_export", set()),
    "web/model.json": ("k3_sigmoid_head_bce_arch.json", set()),
}
# What the walk meets that is not a model: skipped and counted, never reported.
NOT_MODELS = {
    "data/train.h5",
    "data/images.hdf5",
    "data/archive.zip",
    "data/report.xlsx",
    "data/embeddings.npz",
    "data/labels.json",
    "models/rnn/history.json",
}
# Never walked into: default excludes, .gitignore, extend-exclude. Each holds a broken model that would be an error.
UNWALKED = (
    ".venv/lib/python3.12/site-packages/h5py/tests/data_files/broken.h5",
    "venv/lib/site-packages/keras/bad.keras",
    "node_modules/@tensorflow/tfjs/dist/model.json",
    "build/lib/model.h5",
    "__pycache__/x.h5",
    "checkpoints/run1/epoch_3.h5",  # .gitignore
    "models/scratch.tmp.h5",  # .gitignore pattern at any depth
    "experiments/old/model.keras",  # extend-exclude in h5lint.toml
)


def _h5_data(path: Path, **attrs) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with h5py.File(path, "w") as f:
        f["x"] = np.zeros((8, 3), "float32")
        f.create_group("meta").attrs.update(attrs)


def _zip(path: Path, members: dict[str, bytes]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w") as z:
        for name, data in members.items():
            z.writestr(name, data)


@pytest.fixture(scope="module")
def repo(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("ml-project")
    for path, (sample, _) in MODELS.items():
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        (shutil.copytree if (SAMPLES / sample).is_dir() else shutil.copy)(SAMPLES / sample, target)
    _h5_data(root / "data/train.h5")
    _h5_data(root / "data/images.hdf5", class_name="cat", keras_version="not really")
    _zip(root / "data/archive.zip", {"train.csv": b"a,b\n1,2\n"})
    _zip(root / "data/report.xlsx", {"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<workbook/>"})
    np.savez(root / "data/embeddings.npz", vectors=np.zeros((2, 2)))
    (root / "data/labels.json").write_text(json.dumps({"class_name": ["cat", "dog"], "config": 3}), encoding="utf-8")
    (root / "models/rnn/history.json").write_text(json.dumps({"loss": [0.5, 0.4]}), encoding="utf-8")
    for path in UNWALKED:
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_bytes(b"\x89HDF\r\n\x1a\n" + b"\0" * 40)  # an HDF5 signature, then nothing
    (root / ".venv/pyvenv.cfg").write_text("home = /usr/bin\n", encoding="utf-8")
    _zip(root / "venv/lib/site-packages/pip-24.0-py3-none-any.whl", {"pip/__init__.py": b""})
    (root / "src").mkdir()
    (root / "src/train.py").write_text("print('train')\n", encoding="utf-8")
    (root / ".gitignore").write_text("checkpoints/\n*.tmp.h5\n", encoding="utf-8")
    # Globs are anchored at this file's folder whatever the working directory: from models/, a glob matched
    # against "rnn/stateful.h5" would miss, and the finding would come back.
    config = 'extend-exclude = ["experiments/"]\n\n[per-file-ignores]\n"models/rnn/*.h5" = ["H5L501"]\n'
    (root / "h5lint.toml").write_text(config, encoding="utf-8")
    return root


def h5lint(cwd: Path, *args: str) -> tuple[int, dict]:
    proc = subprocess.run(
        [sys.executable, "-m", "h5lint", *args, "--output-format", "json", "--show-skipped"],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode in (0, 1), proc.stderr
    return proc.returncode, json.loads(proc.stdout)


def findings(report: dict) -> set[tuple[str, str, str, str]]:
    return {(f["path"], f["code"], f["location"], f["fingerprint"]) for f in report["findings"]}


@pytest.fixture(scope="module")
def runs(repo) -> dict[str, dict]:
    """The same scan typed three ways: from the root, from a subfolder, with an absolute path from another one."""
    return {
        "root": h5lint(repo, ".")[1],
        "subfolder": h5lint(repo / "models", "..")[1],
        "absolute": h5lint(repo / "src", str(repo))[1],
    }


def test_exactly_the_models_findings_and_no_error_for_other_files(runs):
    report = runs["root"]
    assert sorted(a["path"] for a in report["artifacts"]) == sorted(MODELS)
    expected = {(path, code, location) for path, (_, found) in MODELS.items() for code, location in found}
    assert {(path, code, location) for path, code, location, _ in findings(report)} == expected
    assert report["unreadable"] == [] and report["summary"]["unreadable"] == 0
    assert {s["path"] for s in report["skipped"]} == NOT_MODELS
    assert report["summary"]["skipped"] == len(NOT_MODELS)
    assert report["config"].endswith("h5lint.toml")


def test_every_way_of_naming_the_repository_gives_the_same_report(runs):
    root = runs["root"]
    for how in ("subfolder", "absolute"):
        assert findings(runs[how]) == findings(root), how
        assert [a["path"] for a in runs[how]["artifacts"]] == [a["path"] for a in root["artifacts"]], how
        assert {s["path"] for s in runs[how]["skipped"]} == NOT_MODELS, how


def test_a_subfolder_scan_names_files_from_the_root(repo, runs):
    _, report = h5lint(repo / "models", ".")
    assert findings(report) == {f for f in findings(runs["root"]) if f[0].startswith("models/")}
    _, absolute = h5lint(repo / "data", str(repo / "models" / "clf.h5"))
    assert findings(absolute) == {f for f in findings(runs["root"]) if f[0] == "models/clf.h5"}


def test_named_non_models_are_errors_unless_skipped_on_request(repo):
    code, report = h5lint(repo, "data/train.h5")
    assert code == 1 and [u["path"] for u in report["unreadable"]] == ["data/train.h5"]
    code, report = h5lint(repo, "data/train.h5", "models/clf.h5", "--skip-non-models")
    assert [a["path"] for a in report["artifacts"]] == ["models/clf.h5"]
    assert [s["path"] for s in report["skipped"]] == ["data/train.h5"]


@pytest.mark.parametrize("written_in, applied_in", [("", "models"), ("models", "")])
def test_a_baseline_hides_the_same_findings_wherever_it_was_written(repo, runs, tmp_path, written_in, applied_in):
    baseline = tmp_path / "baseline.json"
    subprocess.run(
        [sys.executable, "-m", "h5lint", str(repo), "--write-baseline", str(baseline)],
        cwd=repo / written_in,
        capture_output=True,
        check=True,
        timeout=600,
    )
    code, report = h5lint(repo / applied_in, "." if applied_in == "" else "..", "--baseline", str(baseline))
    total = len(runs["root"]["findings"])
    assert code == 0 and report["findings"] == []
    assert report["summary"]["hidden_by_baseline"] == total > 0
