"""The results cache: a warm run gives the same bytes without reading a model, any change that could change
a result makes it read again, and no forged, damaged or unwritable cache hides a finding or ends a run."""

from __future__ import annotations

import json
import os
import shutil
import stat
from pathlib import Path

import pytest
from conftest import FORMAT_EXAMPLES, REPO, corpora
from typer.testing import CliRunner

from h5lint import engine, lint
from h5lint.budgets import Budgets
from h5lint.cache import FOLDER_NAME, digest, identity, open_cache, secret, store
from h5lint.cli import app
from h5lint.discover import discover
from h5lint.findings import ArtifactReport
from h5lint.settings import resolve

ARTIFACTS = ("tfk_sequential.h5", "k3_functional.keras", "tfk_savedmodel_func", "tfjs_layers_sequential")


@pytest.fixture
def project(tmp_path, monkeypatch) -> Path:
    """A project (a git root) holding a legacy .h5, a .keras, a SavedModel folder and a TF.js model with its
    shard; the user's cache home and key in the test's own folder; files count as settled at once."""
    root = tmp_path / "project"
    (root / ".git").mkdir(parents=True)
    (root / "models").mkdir()
    for name in ARTIFACTS:
        source = FORMAT_EXAMPLES / name
        (shutil.copytree if source.is_dir() else shutil.copy)(source, root / "models" / name)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "user-cache"))
    monkeypatch.delenv("H5LINT_NO_CACHE", raising=False)
    monkeypatch.delenv("H5LINT_CACHE_DIR", raising=False)
    monkeypatch.setattr(identity, "SETTLE_SECONDS", 0.0)
    monkeypatch.chdir(root)
    return root


def _cli(*args: str):
    return CliRunner().invoke(app, ["check", "--format", "json", "--exit-zero", "--jobs", "2", *args, "models"])


def _report(*args: str) -> str:
    result = _cli(*args)
    assert result.exit_code == 0, result.output
    return result.stdout


def _entries(root: Path) -> list[Path]:
    return sorted((root / FOLDER_NAME).glob("*/*/*.json"))


def test_warm_run_gives_the_same_bytes_without_reading_a_model(project, monkeypatch):
    cold = _report()
    assert len(_entries(project)) == 4

    def no_reading(*args, **kwargs):
        raise AssertionError("a cached artifact was read")

    # Workers fork from this process: reading a model anywhere now ends that worker (a different report).
    monkeypatch.setattr(lint, "read_candidate", no_reading)
    assert _report() == cold
    assert _report("--no-cache") != cold  # the patch bites whenever a model is read


def _scan(settings, cache, monkeypatch) -> tuple[list, list[str]]:
    """Results of an in-process scan of models/ and the paths it read."""
    read: list[str] = []
    real = lint.read_candidate

    def counting(candidate, *args, **kwargs):
        read.append(candidate.path)
        return real(candidate, *args, **kwargs)

    monkeypatch.setattr(lint, "read_candidate", counting)
    results = list(engine.scan(["models"], settings, isolate=False, cache=cache))
    monkeypatch.setattr(lint, "read_candidate", real)
    return results, sorted(read)


def _open(project: Path, settings=None, budgets=Budgets()):
    cache, notes = open_cache(project / FOLDER_NAME, settings or resolve(None, {}), budgets, project)
    assert cache is not None, notes.lines()
    return cache, notes


def test_changes_to_the_artifact_invalidate_only_its_entry(project, monkeypatch):
    settings = resolve(None, {})
    cold, read = _scan(settings, _open(project)[0], monkeypatch)
    assert len(read) == 4
    assert _scan(settings, _open(project)[0], monkeypatch) == (cold, [])

    h5 = project / "models" / "tfk_sequential.h5"
    h5.write_bytes(h5.read_bytes())  # same bytes, same size: rewritten, so not the same file any more
    shard = project / "models" / "tfjs_layers_sequential" / "group1-shard1of1.bin"
    shard.write_bytes(shard.read_bytes()[:-4])  # a sibling the TF.js reader opened
    (project / "models" / "tfk_savedmodel_func" / "new-member").write_text("x")  # a folder member
    results, read = _scan(settings, _open(project)[0], monkeypatch)
    assert read == [
        "models/tfjs_layers_sequential/model.json", "models/tfk_savedmodel_func", "models/tfk_sequential.h5"
    ]
    tfjs = next(r for r in results if r.path.endswith("model.json"))
    assert any(f.code in ("H5L001", "H5L004") for f in tfjs.findings)  # the short shard is reported, not hidden


def test_settings_version_and_sources_each_name_their_own_results(project, monkeypatch):
    settings = resolve(None, {})
    _scan(settings, _open(project)[0], monkeypatch)
    for other in ({"select": ["H5L1"]}, {"target": "tf-keras==2.15"}, {"severity": {"H5L401": "error"}}):
        assert len(_scan(resolve(None, other), _open(project, resolve(None, other))[0], monkeypatch)[1]) == 4
    assert len(_scan(settings, _open(project, budgets=Budgets(timeout=5))[0], monkeypatch)[1]) == 4
    monkeypatch.setattr(digest, "__version__", "99.0")
    assert len(_scan(settings, _open(project)[0], monkeypatch)[1]) == 4
    monkeypatch.setattr(digest, "sources", lambda: ["an edited rule"])
    assert len(_scan(settings, _open(project)[0], monkeypatch)[1]) == 4


def _forge(entry: Path, body: dict) -> None:
    header = entry.read_bytes().partition(b"\n")[0]
    entry.write_bytes(header + b"\n" + json.dumps(body).encode())


def test_forged_entries_are_ignored_and_said(project, monkeypatch):
    settings = resolve(None, {})
    cold, _ = _scan(settings, _open(project)[0], monkeypatch)
    entries = _entries(project)
    for entry in entries:  # "no findings", with the real header: the body no longer matches its HMAC
        body = json.loads(entry.read_bytes().partition(b"\n")[2])
        if body["result"]["kind"] == "report":
            body["result"]["value"]["findings"] = []
        _forge(entry, body)
    cache, notes = _open(project)
    assert _scan(settings, cache, monkeypatch) == (cold, sorted(r.path for r in cold))
    assert notes.rejected == len(entries)
    assert "failed authentication and were ignored" in notes.lines()[0]

    # The CLI says so on stderr, and the fresh results replace the forgeries.
    for entry in _entries(project):
        _forge(entry, {"identity": {}, "result": {}})
    result = _cli()
    assert "4 cache entries in" in result.stderr and "failed authentication" in result.stderr
    assert "failed authentication" not in _cli().stderr


def test_a_cache_signed_with_another_key_is_not_trusted(project, monkeypatch, tmp_path):
    """A model folder shipped with its own .h5lint_cache (made by its author's h5lint, their key)."""
    settings = resolve(None, {})
    _scan(settings, _open(project)[0], monkeypatch)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "another-user"))
    cache, notes = _open(project)
    assert len(_scan(settings, cache, monkeypatch)[1]) == 4
    assert notes.rejected == 4


def test_a_cache_inside_a_model_folder_is_neither_read_nor_written(project, monkeypatch):
    """``cd`` into a downloaded SavedModel and ``h5lint .``: its .h5lint_cache, forged or not, is not used."""
    model = project / "models" / "tfk_savedmodel_func"
    (model / FOLDER_NAME / ("0" * 32) / "ab").mkdir(parents=True)
    (model / FOLDER_NAME / ("0" * 32) / "ab" / f"ab{'0' * 62}.json").write_text("h5lint-cache 1 forged\n{}")
    (project / ".git").rmdir()  # the model folder is then the project root
    members = sorted(str(p) for p in model.rglob("*"))
    monkeypatch.chdir(model)
    cache, notes = open_cache(model / FOLDER_NAME, resolve(None, {}), Budgets(), model)
    assert cache is None and "lies inside the model folder" in notes.lines()[0]
    result = CliRunner().invoke(app, ["check", "--format", "json", "--exit-zero", "."])
    assert result.exit_code == 0 and "lies inside the model folder" in result.stderr
    assert sorted(str(p) for p in model.rglob("*")) == members  # nothing written into the model


def test_entries_that_are_not_files_are_misses(project, monkeypatch):
    settings = resolve(None, {})
    _scan(settings, _open(project)[0], monkeypatch)
    for entry in _entries(project):
        entry.unlink()
        os.mkfifo(entry)  # opening a FIFO to read would wait forever
    assert len(_scan(settings, _open(project)[0], monkeypatch)[1]) == 4


def test_an_unwritable_cache_is_read_and_the_run_goes_on(project, monkeypatch):
    cold = _report()

    def read_only(*args):
        raise PermissionError(13, "Read-only file system")

    monkeypatch.setattr(store, "_prepare", read_only)
    monkeypatch.setattr(lint, "read_candidate", lambda *a, **k: 1 / 0)
    result = _cli()
    assert result.stdout == cold  # still answered from the cache
    assert "cannot be written (Read-only file system)" in result.stderr

    blocked = project / "a-file"
    blocked.write_text("")
    monkeypatch.undo()
    monkeypatch.setenv("XDG_CACHE_HOME", str(project.parent / "user-cache"))
    monkeypatch.delenv("H5LINT_NO_CACHE", raising=False)
    result = _cli("--cache-dir", str(blocked / "cache"))  # no folder can be made there
    assert result.exit_code == 0 and json.loads(result.stdout)
    assert "cannot be written" in result.stderr


def test_a_key_others_can_read_turns_the_cache_off(project):
    key = Path(os.environ["XDG_CACHE_HOME"]) / "h5lint" / secret.KEY_FILE
    _report()
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    key.chmod(0o644)
    result = _cli()
    assert "results cache off" in result.stderr and "chmod 600" in result.stderr


def test_recently_changed_files_are_not_cached(project, monkeypatch):
    monkeypatch.setattr(identity, "SETTLE_SECONDS", 3600.0)
    _report()
    assert _entries(project) == []


def test_a_cached_report_equals_the_one_computed(project, monkeypatch):
    settings = resolve(None, {})
    cold, _ = _scan(settings, _open(project)[0], monkeypatch)
    warm, read = _scan(settings, _open(project)[0], monkeypatch)
    assert read == [] and warm == cold
    assert all(isinstance(r, ArtifactReport) for r in warm)


def test_concurrent_runs_share_the_cache_safely(project):
    """Two runs writing the same entries at once (each through its own temporary file and a rename)."""
    import subprocess
    import sys

    command = [sys.executable, "-c", "from h5lint.cache import identity; identity.SETTLE_SECONDS = 0\n"
               "from h5lint.cli import main; main(['--format', 'json', '--exit-zero', '--jobs', '2', 'models'])"]
    runs = [subprocess.Popen(command, stdout=subprocess.PIPE, cwd=project) for _ in range(3)]
    outputs = {run.communicate(timeout=120)[0] for run in runs}
    assert len(outputs) == 1 and all(run.returncode == 0 for run in runs)
    assert len(_entries(project)) == 4
    assert not list((project / FOLDER_NAME).rglob("*.tmp"))
    cache, notes = _open(project)
    assert all(cache.lookup(candidate) is not None for candidate in discover(["models"]))
    assert notes.rejected == 0


@pytest.mark.slow
@pytest.mark.parametrize("corpus", corpora())
def test_reports_are_byte_identical_without_a_cache_cold_and_warm(corpus, tmp_path, monkeypatch):
    """Every sample, format example and real-world file: the same JSON with --no-cache, filling the cache and
    from it; the warm run reads only what a cache never holds (LFS pointers, empty and special files)."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "user-cache"))
    monkeypatch.delenv("H5LINT_NO_CACHE", raising=False)
    monkeypatch.setattr(identity, "SETTLE_SECONDS", 0.0)  # a fresh clone's files are seconds old
    monkeypatch.chdir(REPO)
    reads = tmp_path / "reads"
    real = lint.read_candidate

    def noting(candidate, *args, **kwargs):  # workers fork from here: one appended line per read
        with open(reads, "a", encoding="utf-8", errors="surrogateescape") as log:
            log.write(candidate.path + "\n")
        return real(candidate, *args, **kwargs)

    monkeypatch.setattr(lint, "read_candidate", noting)
    args = ("--format", "json", "--exit-zero", "--jobs", "2", "--cache-dir", str(tmp_path / "cache"), str(corpus))
    runs = {}
    for name, extra in (("none", ("--no-cache",)), ("cold", ()), ("warm", ())):
        reads.write_text("")
        result = CliRunner().invoke(app, ["check", *extra, *args])
        assert result.exit_code == 0, result.output
        runs[name] = (result.stdout, set(reads.read_text(encoding="utf-8", errors="surrogateescape").split("\n")) - {""})
    assert runs["none"][0] == runs["cold"][0] == runs["warm"][0]
    cache, _ = open_cache(tmp_path / "cache", resolve(None, {}), Budgets(), REPO)
    assert cache is not None
    never_cached = {c.path for c in discover([str(corpus)], resolve(None, {}), REPO) if not cache._cacheable(c)}
    assert runs["cold"][1] and runs["warm"][1] <= never_cached, sorted(runs["warm"][1] - never_cached)[:5]
