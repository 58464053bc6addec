"""The pre-commit hook: manifest, file selection, member files mapped to their model, and a real run."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import h5py
import numpy as np
import pytest
import yaml
from conftest import FORMAT_EXAMPLES, REPO, SAMPLES

from h5lint.discover import discover

MANIFEST = REPO / ".pre-commit-hooks.yaml"
[HOOK] = yaml.safe_load(MANIFEST.read_text(encoding="utf-8"))
FILES = re.compile(HOOK["files"])
SAVEDMODEL = FORMAT_EXAMPLES / "tfk_savedmodel_func"
LFS_POINTER = b"version https://git-lfs.github.com/spec/v1\noid sha256:" + b"4d7a" * 16 + b"\nsize 1740152\n"


def test_manifest_is_valid():
    proc = subprocess.run(
        [sys.executable, "-m", "pre_commit", "validate-manifest", str(MANIFEST)], capture_output=True, text=True
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_manifest_fields():
    assert (HOOK["id"], HOOK["entry"], HOOK["language"], HOOK["require_serial"]) == ("h5lint", "h5lint --skip-non-models", "python", True)
    # Not `types: [binary]`: a Git LFS pointer is a text file and must reach h5lint.
    assert "types" not in HOOK and "types_or" not in HOOK


@pytest.mark.parametrize(
    "path",
    [
        "model.h5",
        "models/Net.HDF5",
        "a/b/model.keras",
        "export/saved_model.pb",
        "saved_model.pbtxt",
        "export/keras_metadata.pb",
        "export/fingerprint.pb",
        "export/variables/variables.index",
        "export/variables/variables.data-00000-of-00002",
        "web/model.json",
        "training/checkpoint",
        "training/ckpt-3.index",
        "training/ckpt-3.data-00000-of-00001",
    ],
)
def test_files_regex_selects_model_files(path):
    assert FILES.search(path)


@pytest.mark.parametrize(
    "path",
    [
        "README.md",
        "model.h5.dvc",
        "src/variables/names.py",
        "export/assets/vocab.txt",
        "graph.pb",
        "config.json",
        "src/checkpoint.py",
        "docs/index.md",
    ],
)
def test_files_regex_leaves_other_files(path):
    assert not FILES.search(path)


@pytest.mark.needs_shared
def test_member_files_map_to_one_savedmodel_folder():
    members = [SAVEDMODEL / name for name in ("saved_model.pb", "keras_metadata.pb", "fingerprint.pb")]
    members += sorted((SAVEDMODEL / "variables").iterdir())
    candidates = list(discover([str(p) for p in members] + [str(SAVEDMODEL)]))
    assert [(c.path, c.container) for c in candidates] == [(str(SAVEDMODEL), "savedmodel-dir")]


@pytest.mark.needs_shared
def test_a_file_in_some_other_variables_folder_stays_a_file(tmp_path):
    stray = tmp_path / "variables" / "weights.h5"
    stray.parent.mkdir()
    shutil.copy(FORMAT_EXAMPLES / "tfk_sequential.h5", stray)
    assert [c.path for c in list(discover([str(stray)]))] == [str(stray)]


GIT_ENV = {
    **os.environ,
    "GIT_AUTHOR_NAME": "h5lint tests",
    "GIT_AUTHOR_EMAIL": "tests@h5lint.invalid",
    "GIT_COMMITTER_NAME": "h5lint tests",
    "GIT_COMMITTER_EMAIL": "tests@h5lint.invalid",
}


def _commit_all(repo: Path, message: str) -> None:
    for args in (["add", "."], ["commit", "-q", "-m", message]):
        subprocess.run(["git", *args], cwd=repo, env=GIT_ENV, check=True, capture_output=True)


def _try_repo(repo: Path) -> tuple[int, str]:
    """The real thing: pre-commit builds the hook's environment from this checkout and runs it."""
    command = ["try-repo", str(REPO), "h5lint", "--all-files", "--verbose", "--color", "never"]
    proc = subprocess.run(
        [sys.executable, "-m", "pre_commit", *command],
        cwd=repo,
        env=GIT_ENV,
        capture_output=True,
        text=True,
        timeout=600,
    )
    return proc.returncode, proc.stdout + proc.stderr


HOOK_LINE = r"h5lint \(saved Keras/TensorFlow models\)\.+"


@pytest.mark.slow
@pytest.mark.needs_shared
@pytest.mark.skipif(shutil.which("git") is None, reason="pre-commit needs git")
def test_try_repo_passes_clean_models_and_fails_broken_ones(tmp_path):
    repo = tmp_path / "project"
    (repo / "models").mkdir(parents=True)
    shutil.copy(FORMAT_EXAMPLES / "tfk_sequential.h5", repo / "models" / "clean.h5")
    shutil.copytree(SAVEDMODEL, repo / "models" / "export")
    (repo / "README.md").write_text("# not a model\n", encoding="utf-8")
    # HDF5 data sets share the model extensions: the hook passes them, h5lint skips them.
    (repo / "data").mkdir()
    with h5py.File(repo / "data" / "train.h5", "w") as f:
        f["x"] = np.zeros((4, 3), "float32")
        f["y"] = np.arange(4)
    with h5py.File(repo / "data" / "features.hdf5", "w") as f:
        f.create_group("split").attrs["class_name"] = "not a Keras layer"
    # Rules keep arriving; only errors should decide whether these well-formed models pass.
    (repo / "h5lint.toml").write_text('fail-on = "error"\n', encoding="utf-8")
    subprocess.run(["git", "init", "-q"], cwd=repo, check=True)
    _commit_all(repo, "clean models")

    code, output = _try_repo(repo)
    assert code == 0, output
    assert re.search(HOOK_LINE + "Passed", output), output
    # Five SavedModel member files and one .h5 reached the hook: two artifacts, the folder checked once.
    assert "2 artifacts checked" in output and "0 errors" in output and "2 non-model files skipped" in output, output
    assert "README.md" not in output and "H5L001" not in output

    data = (FORMAT_EXAMPLES / "tfk_sequential.h5").read_bytes()
    (repo / "models" / "truncated.h5").write_bytes(data[:2048])
    (repo / "models" / "pointer.h5").write_bytes(LFS_POINTER)
    shutil.copy(SAMPLES / "broken_no_config.keras", repo / "models" / "no_config.keras")
    _commit_all(repo, "broken models")

    code, output = _try_repo(repo)
    assert code == 1, output
    assert re.search(HOOK_LINE + "Failed", output), output
    assert "models/truncated.h5: H5L001 [error] truncated HDF5 file" in output
    assert "models/pointer.h5: H5L001 [error] this is a Git LFS pointer" in output
    assert "models/no_config.keras: H5L001 [error]" in output
    assert "data/" not in output and "2 non-model files skipped" in output
    assert "5 artifacts checked (2 unreadable)" in output, output  # the clean ones too
