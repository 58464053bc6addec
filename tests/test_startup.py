"""Start-up cost: a run imports only what the files in hand and the enabled rules need."""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import h5py
import pytest
from conftest import FORMAT_EXAMPLES

from h5lint import catalog
from h5lint.engine import lint_paths
from h5lint.parsers.h5 import heap as h5heap
from h5lint.parsers.keras_zip import archive as keras_zip
from h5lint.settings import resolve

HEAVY = ("h5py", "numpy", "google.protobuf", "jsonschema")
CHECKPOINT = Path(__file__).parent / "fixtures" / "bundles" / "keras_weights"
# Every rule that needs what a .keras weights store holds; without them the store stays closed.
STORE_RULES = [code for code, spec in catalog.load_catalog().items() if spec.reads_weights or spec.reads_hdf5_links]


def _imported_by_run(paths: list[str], ignore: list[str]) -> set[str]:
    """Which of HEAVY reading and checking ``paths`` imports, in a fresh interpreter (in one process: the CLI
    itself imports none of them, its worker processes do what this does)."""
    script = textwrap.dedent(
        f"""
        import sys
        from h5lint.engine import lint_paths
        from h5lint.settings import resolve
        lint_paths({paths!r}, resolve(None, {{"ignore": {ignore!r}}}), isolate=False)
        print("LOADED:" + ",".join(sorted(m for m in {HEAVY!r} if m in sys.modules)), file=sys.stderr)
        """
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    line = [entry for entry in result.stderr.splitlines() if entry.startswith("LOADED:")]
    assert line, result.stderr[-2000:]
    return set(filter(None, line[-1][len("LOADED:") :].split(",")))


@pytest.mark.parametrize(
    "paths, ignore, expected",
    [
        # h5lint's own HDF5 reader: no h5py; numpy only for the weight rules' values.
        ([FORMAT_EXAMPLES / "tfk_sequential.h5"], [], {"numpy"}),
        ([FORMAT_EXAMPLES / "tfk_sequential.h5"], STORE_RULES, set()),
        ([FORMAT_EXAMPLES / "k3_sequential.keras"], [], {"h5py", "numpy"}),
        ([FORMAT_EXAMPLES / "k3_sequential.keras"], STORE_RULES, set()),
        ([FORMAT_EXAMPLES / "tfk_savedmodel_func"], [], {"google.protobuf", "numpy"}),
        ([FORMAT_EXAMPLES / "tfk_savedmodel_func"], STORE_RULES, {"google.protobuf"}),
        ([CHECKPOINT], [], {"numpy"}),  # the weight rules stream its values
        ([CHECKPOINT], STORE_RULES, set()),
        ([FORMAT_EXAMPLES / "extracted"], [], set()),  # JSON architectures and configs
    ],
    ids=[
        "legacy-h5",
        "legacy-h5-config-only",
        "keras",
        "keras-config-only",
        "savedmodel",
        "savedmodel-graph-only",
        "checkpoint",
        "checkpoint-index-only",
        "json",
    ],
)
@pytest.mark.needs_shared
def test_heavy_imports_follow_the_files_and_rules(paths, ignore, expected):
    # jsonschema never: the rule catalog is validated by the tests, not at run time.
    assert _imported_by_run([str(p) for p in paths], ignore) == expected


def test_the_cli_process_imports_none_of_them():
    # The parent only walks folders and hands paths to its workers, which import what their files need.
    script = (
        "import sys\nfrom h5lint.cli import main\ntry:\n    main(['--exit-zero', '--jobs', '1', "
        f"{str(FORMAT_EXAMPLES / 'tfk_savedmodel_func')!r}, {str(FORMAT_EXAMPLES / 'tfk_sequential.h5')!r}])\n"
        "except SystemExit:\n    pass\n"
        f"print('LOADED:' + ','.join(sorted(m for m in {HEAVY!r} if m in sys.modules)), file=sys.stderr)\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert "LOADED:\n" in result.stderr + "\n", result.stderr[-2000:]


def _keras_with_external_link(path) -> None:
    """A .keras whose weights store links to another file (H5L104 must still see it)."""
    buffer = io.BytesIO()
    with h5py.File(buffer, "w") as store:
        store.create_group("layers/dense/vars").create_dataset("0", data=[[1.0]])
        store["layers/dense/vars/1"] = h5py.ExternalLink("/etc/passwd", "/x")
    config = {
        "class_name": "Sequential",
        "config": {"name": "m", "layers": [{"class_name": "Dense", "config": {"name": "dense", "units": 1}}]},
    }
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("config.json", json.dumps(config))
        archive.writestr("metadata.json", json.dumps({"keras_version": "3.15.1"}))
        archive.writestr("model.weights.h5", buffer.getvalue())


def test_store_is_read_only_when_a_rule_needs_it(tmp_path, monkeypatch):
    path = tmp_path / "linked.keras"
    _keras_with_external_link(path)
    closed = keras_zip.read(str(path), read_weights=False).artifact
    opened = keras_zip.read(str(path)).artifact
    assert closed is not None and opened is not None
    assert (closed.weights, closed.h5_references) == (None, ())
    assert [ref.location for ref in opened.h5_references] == ["/layers/dense/vars/1"]
    assert opened.weights

    stores_read: list[str] = []
    real = keras_zip.read_h5_store
    monkeypatch.setattr(keras_zip, "read_h5_store", lambda opener: stores_read.append("store") or real(opener))

    def found(selection: dict) -> list[tuple[str, str | None]]:
        report = lint_paths([str(path)], resolve(None, selection), isolate=False)
        return [(f.code, f.location) for f in report.findings]

    # H5L104 alone opens the store; with every rule that needs it ignored, nothing does.
    assert found({"select": ["H5L104"]}) == [("H5L104", "hdf5:/layers/dense/vars/1")]
    assert stores_read == ["store"]
    found({"ignore": STORE_RULES})
    assert stores_read == ["store"]


def test_heap_search_in_windows_finds_what_one_search_finds(monkeypatch):
    """The HDF5 heap-trap search reads a window at a time (so memory stays bounded for any file size)."""
    monkeypatch.setattr(h5heap, "SEARCH_WINDOW", 4096)
    data = bytearray(20_000)
    for at in (0, 4094, 8192, 12_286, 19_996):  # at a window's start, across window edges, at the end
        data[at : at + 4] = h5heap.SIGNATURE
    whole, at = [], bytes(data).find(h5heap.SIGNATURE)
    while at >= 0:
        whole.append(at)
        at = bytes(data).find(h5heap.SIGNATURE, at + 1)
    assert list(h5heap._occurrences(bytes(data), h5heap.SIGNATURE)) == whole == [0, 4094, 8192, 12_286, 19_996]


def _modules_after(code: str, env: dict | None = None, cwd: str | None = None) -> tuple[set[str], str]:
    """The modules a fresh interpreter has imported after running ``code``, and what it printed."""
    script = code + "\nimport sys\nprint('MODULES:' + ','.join(sorted(sys.modules)), file=sys.stderr)\n"
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120, env=env, cwd=cwd
    )
    line = [entry for entry in result.stderr.splitlines() if entry.startswith("MODULES:")]
    assert line, result.stderr[-2000:]
    return set(line[-1][len("MODULES:") :].split(",")), result.stdout


def test_version_is_answered_without_the_command_line_framework():
    modules, out = _modules_after("import sys\nsys.argv = ['h5lint', '--version']\nfrom h5lint.entry import main\nmain()")
    assert out.startswith("h5lint ")
    assert not {m for m in modules if m.split(".")[0] in ("typer", "click", "pathspec", "numpy", "h5py")}
    assert not {m for m in modules if m.startswith("h5lint.") and m not in ("h5lint.entry",)}


def test_a_run_the_cache_answers_imports_no_check_and_no_reader(tmp_path, monkeypatch):
    """The checks, the semantic layer and the parsers' readers are imported only before a worker starts."""
    from typer.testing import CliRunner

    from h5lint.cache import identity
    from h5lint.cli import app

    (tmp_path / ".git").mkdir()
    shutil.copy(FORMAT_EXAMPLES / "tfk_sequential.h5", tmp_path / "model.h5")
    shutil.copytree(FORMAT_EXAMPLES / "tfk_savedmodel_func", tmp_path / "savedmodel")
    env = {key: value for key, value in os.environ.items() if key != "H5LINT_NO_CACHE"}
    env["XDG_CACHE_HOME"] = str(tmp_path / "user-cache")
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("H5LINT_NO_CACHE")
    monkeypatch.setattr(identity, "SETTLE_SECONDS", 0.0)
    monkeypatch.chdir(tmp_path)
    args = ["--format", "json", "--exit-zero", "model.h5", "savedmodel"]
    cold = CliRunner().invoke(app, ["check", *args])
    assert cold.exit_code == 0, cold.output

    run = f"from h5lint.cli import main\ntry:\n    main({args!r})\nexcept SystemExit:\n    pass"
    modules, warm = _modules_after(run, env, str(tmp_path))
    assert warm == cold.stdout
    assert not {m for m in modules if m.split(".")[0] in ("numpy", "h5py", "jsonschema") or m == "google.protobuf"}
    loaded = {m for m in modules if m.startswith(("h5lint.lint", "h5lint.checks", "h5lint.rules.", "h5lint.keras.model"))}
    assert not loaded
