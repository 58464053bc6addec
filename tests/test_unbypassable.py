"""No hostile file may hide a finding, hang or crash the run, or make h5lint read outside what it was given.

Each input is built here from a real sample with a few lines of h5py / zipfile, and each test asserts the
exact findings, including that the model's other findings (its Lambda, here) are still there.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import signal
import subprocess
import sys
import zipfile
from pathlib import Path

import h5py
import numpy as np
import pytest
from conftest import SAMPLES
from test_hostile import _trap_heap, lint, located

from h5lint import engine, sniff
from h5lint import lint as artifact_lint
from h5lint.budgets import Budgets
from h5lint.checks import all_checks
from h5lint.cli import main
from h5lint.parsers.h5 import h5py_path
from h5lint.parsers.json_model import read as json_model

LAMBDA_KERAS = SAMPLES / "k3_lambda_os_system.keras"
LAMBDA_H5 = SAMPLES / "tfk_lambda_os_system.h5"
NONFINITE_H5 = SAMPLES / "tfk_nonfinite_weights.h5"
PWN = ("H5L101", "layer:pwn")  # the Lambda with os.system both lambda samples hold (an error)
HDF5_SIGNATURE = b"\x89HDF\r\n\x1a\n"
README_GATE = ["check", "--select", "H5L1,H5L3", "--fail-on", "error", "--jobs", "1"]


def pairs(report, path) -> list[tuple[str, str | None]]:
    return [(code, location) for p, code, location in located(report) if p == str(path)]


def gate(*paths) -> int:
    """The exit status of the README's security gate on ``paths``."""
    with pytest.raises(SystemExit) as done:
        main([*README_GATE, *map(str, paths)])
    return done.value.code


def _members(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as zf:
        return {info.filename: zf.read(info) for info in zf.infolist()}


def _write_zip(path: Path, members: dict[str, bytes], compression=zipfile.ZIP_DEFLATED) -> Path:
    with zipfile.ZipFile(path, "w", compression) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return path


# --- 1. polyglots: a file that is two formats is read as both ----------------------------------------


def _stored_polyglot(path: Path, boundary: int) -> Path:
    """The Lambda .keras stored (not deflated) as metadata, config, weights, with config.json padded by JSON
    whitespace until the weights store's HDF5 signature sits at ``boundary`` (an HDF5 user-block size)."""
    members = _members(LAMBDA_KERAS)
    ordered = {name: members[name] for name in ("metadata.json", "config.json", "model.weights.h5")}
    _write_zip(path, ordered, zipfile.ZIP_STORED)
    # Stored members: padding config.json moves everything after it by as many bytes.
    ordered["config.json"] = members["config.json"] + b" " * (boundary - path.read_bytes().find(HDF5_SIGNATURE))
    _write_zip(path, ordered, zipfile.ZIP_STORED)
    assert path.read_bytes().find(HDF5_SIGNATURE) == boundary
    return path


@pytest.mark.parametrize("boundary", [4096, 8192, 16384])
def test_a_zip_whose_weights_store_sits_on_a_user_block_is_read_as_both(tmp_path, boundary):
    path = _stored_polyglot(tmp_path / "polyglot.keras", boundary)
    assert sniff.sniff(str(path)) == (("hdf5", "zip"), None)
    found = pairs(lint(path), path)
    # Read as HDF5 it is a Keras 3 weights store (H5L002); read as a zip, Keras 3 sees the Lambda.
    assert found == [("H5L002", "file"), ("H5L005", "file"), PWN]
    assert gate(path) == 1


def test_an_hdf5_file_with_a_zip_appended_is_read_as_both(tmp_path):
    # zipfile (and so Keras 3, for a .keras name) finds an archive by the record at the end of the file.
    path = tmp_path / "appended.keras"
    clean = io.BytesIO()
    _write_zip(clean, _members(LAMBDA_KERAS))
    path.write_bytes((SAMPLES / "tfk_sigmoid_head_bce.h5").read_bytes() + clean.getvalue())
    assert sniff.sniff(str(path)) == (("hdf5", "zip"), None)
    assert pairs(lint(path), path) == [("H5L005", "file"), PWN]
    assert gate(path) == 1


# --- 2. a part that cannot be read is reported, and every other part is still checked -------------------


def _keras_with(tmp_path: Path, name: str, change) -> Path:
    members = _members(LAMBDA_KERAS)
    for member in list(members):
        members[member] = change(member, members[member])
    return _write_zip(tmp_path / name, members)


def test_a_keras_version_past_pythons_int_digit_limit(tmp_path):
    huge = "9" * 4301  # int() refuses more than 4300 digits

    def metadata(name, data):
        return json.dumps({"keras_version": huge, "date_saved": "2026-01-01"}).encode() if name == "metadata.json" else data

    keras = _keras_with(tmp_path, "huge_version.keras", metadata)
    h5 = tmp_path / "huge_version.h5"
    shutil.copy(LAMBDA_H5, h5)
    with h5py.File(h5, "r+") as f:
        f.attrs["keras_version"] = huge
        f["model_weights"].attrs["keras_version"] = huge
    weights = tmp_path / "huge_version_weights.h5"  # weights only: H5L402 judged it (item 8)
    shutil.copy(SAMPLES / "tfk_nonfinite_weights_weights.h5", weights)
    with h5py.File(weights, "r+") as f:
        f.attrs["keras_version"] = huge
    report = lint(keras, h5, weights)
    assert pairs(report, keras) == [PWN]
    assert pairs(report, h5) == [PWN]
    assert pairs(report, weights) == [("H5L002", "file"), ("H5L502", "layer:hidden")]
    assert gate(keras, h5) == 1


def test_hdf5_links_with_names_that_are_not_utf8(tmp_path):
    path = tmp_path / "names.h5"
    shutil.copy(LAMBDA_H5, path)
    with h5py.File(path, "r+") as f:
        f.id.links.create_soft(b"bad\xff\xfename", b"/model_weights")
        f["model_weights/out"][b"\xc3\x28layer"] = f["model_weights/out/out"]  # a second hard link
    assert pairs(lint(path), path) == [PWN]
    assert gate(path) == 1


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be", "utf-32", "utf-8-sig"])
def test_a_config_in_any_encoding_json_accepts(tmp_path, encoding):
    # json.loads on bytes, which is what Keras 3 does with config.json, detects all of these.
    def recode(name, data):
        return data.decode("utf-8").encode(encoding) if name == "config.json" else data

    path = _keras_with(tmp_path, f"config_{encoding}.keras", recode)
    assert pairs(lint(path), path) == [PWN]
    folder = tmp_path / f"unzipped_{encoding}"
    with zipfile.ZipFile(path) as zf:
        zf.extractall(folder)
    assert pairs(lint(folder), folder) == [PWN]
    assert gate(path, folder) == 1


def _shape_bomb(path: Path) -> Path:
    """A weight listed in weight_names that declares 10^12 float32 values and stores none (all chunks unallocated)."""
    shutil.copy(LAMBDA_H5, path)
    with h5py.File(path, "r+") as f:
        layer = f["model_weights/out"]
        layer["out"].create_dataset("bomb:0", shape=(10**12,), dtype="float32", chunks=(1024,))
        layer.attrs["weight_names"] = np.array([*layer.attrs["weight_names"], "out/bomb:0"], dtype=object)
    return path


def test_a_shape_bomb_is_refused_before_a_value_is_read(tmp_path):
    path = _shape_bomb(tmp_path / "bomb.h5")
    report = lint(path, timeout=30)
    assert pairs(report, path) == [("H5L001", "hdf5:/model_weights/out/out/bomb:0"), PWN]
    message = report.artifacts[0].findings[0].message
    assert "declares 4,000,000,000,000 bytes" in message and "Keras 3" in message
    assert gate(path) == 1


# --- 3. configuration comes from the project that runs h5lint, not from what it scans ---------------------


def _cli_json(*args, cwd: Path) -> dict:
    result = subprocess.run(
        [sys.executable, "-m", "h5lint", "check", "--format", "json", "--jobs", "1", *map(str, args)],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=120,
    )
    assert result.returncode in (0, 1), result.stderr
    return json.loads(result.stdout)


def test_a_configuration_inside_the_scanned_tree_is_not_applied(tmp_path):
    downloaded = tmp_path / "hub_download"
    downloaded.mkdir()
    shutil.copy(LAMBDA_H5, downloaded / "model.h5")
    (downloaded / ".h5lint.toml").write_text('exclude = ["**"]\nignore = ["ALL"]\n')
    (downloaded / "pyproject.toml").write_text('[tool.h5lint]\nexclude = ["**"]\nignore = ["ALL"]\n')
    project = tmp_path / "project"
    project.mkdir()
    report = _cli_json(downloaded, cwd=project)
    assert [(f["code"], f["location"]) for f in report["findings"]] == [PWN]
    assert report["config"] is None
    # The project's own configuration applies, and the report names it.
    (project / ".h5lint.toml").write_text('select = ["H5L1"]\n')
    report = _cli_json(downloaded, cwd=project)
    assert [(f["code"], f["location"]) for f in report["findings"]] == [PWN]
    assert report["config"] == str(project / ".h5lint.toml")
    # Asked for by name, the file in the tree is applied.
    report = _cli_json("--config", downloaded / ".h5lint.toml", downloaded, cwd=project)
    assert report["findings"] == [] and report["config"] == str(downloaded / ".h5lint.toml")


# --- 4. model JSON is recognised by parsing, not by a window at its start -----------------------------


def test_a_model_json_whose_keys_start_after_64_kib_is_found_in_a_folder(tmp_path):
    with h5py.File(LAMBDA_H5, "r") as f:
        config = json.loads(f.attrs["model_config"])
    padded = {"_comment": "x" * (80 << 10), **config}
    (tmp_path / "architecture.json").write_text(json.dumps(padded))
    report = lint(tmp_path)
    assert [a.path for a in report.artifacts] == [str(tmp_path / "architecture.json")]
    assert PWN in pairs(report, tmp_path / "architecture.json")


# --- 6, 7. a hang or a crash in C costs one H5L001, never the run -------------------------------------------


def test_a_hang_inside_libhdf5_is_ended_by_killing_its_worker(tmp_path, monkeypatch):
    # Without the global-heap guard libhdf5 spins in C on this file, where no signal handler runs.
    trap = tmp_path / "trap.h5"
    trap.write_bytes(_trap_heap(bytearray(LAMBDA_H5.read_bytes())))
    monkeypatch.setattr(h5py_path, "heap_trap_before_open", lambda path: None)
    report = lint(trap, LAMBDA_H5, timeout=2)
    assert pairs(report, trap) == [("H5L001", "file")]
    assert "time limit" in report.artifacts[0].findings[0].message
    assert pairs(report, LAMBDA_H5) == [PWN]


@pytest.mark.skipif(not hasattr(os, "truncate"), reason="needs sparse files")
def test_the_heap_guard_holds_for_a_file_larger_than_the_memory_budget(tmp_path):
    # A file mapped whole would need more address space than --max-memory allows; the guard reads it instead.
    trap = tmp_path / "trap_sparse.h5"
    trap.write_bytes(_trap_heap(bytearray(LAMBDA_H5.read_bytes())))
    os.truncate(trap, (2 << 30) + 4096)
    report = engine.lint_paths([str(trap)], engine_settings(), budgets=Budgets(timeout=20, memory_mib=256))
    assert pairs(report, trap) == [("H5L001", "file")]
    assert "global heap" in report.artifacts[0].findings[0].message


def engine_settings():
    from h5lint.settings import resolve

    return resolve(None, {"select": ["ALL"]})


@pytest.mark.parametrize("jobs", [1, 2])
@pytest.mark.parametrize("how", [signal.SIGKILL, signal.SIGBUS, signal.SIGSEGV], ids=["SIGKILL", "SIGBUS", "SIGSEGV"])
def test_a_worker_that_dies_costs_one_H5L001(tmp_path, monkeypatch, how, jobs):
    # As the OOM killer does (SIGKILL), or a mapped file truncated under a C library (SIGBUS).
    doomed = tmp_path / "doomed.json"
    shutil.copy(SAMPLES / "tfk_sigmoid_head_bce_arch.json", doomed)
    real_read = json_model.read

    def read(path, **kwargs):
        if path.endswith("doomed.json"):
            os.kill(os.getpid(), how)
        return real_read(path, **kwargs)

    monkeypatch.setattr(json_model, "read", read)
    report = lint(LAMBDA_H5, doomed, LAMBDA_KERAS, jobs=jobs)
    assert pairs(report, doomed) == [("H5L001", "file")]
    assert pairs(report, LAMBDA_H5) == [PWN] and pairs(report, LAMBDA_KERAS) == [PWN]
    assert signal.Signals(how).name in report.artifacts[1].findings[0].message


# --- 8. a check that fails on a file reports it; an h5lint bug is still exit 2 ------------------------------


def test_non_finite_quantization_parameters_in_tfjs(tmp_path):
    folder = tmp_path / "tfjs"
    shutil.copytree(SAMPLES / "tfjs_nonfinite_weights", folder)
    manifest = json.loads((folder / "model.json").read_text())
    # 1e400 parses as infinity; the loader would scale every byte of this weight by it.
    manifest["weightsManifest"][0]["weights"][-1]["quantization"] = {"dtype": "uint8", "scale": 1e400, "min": 0.0}
    (folder / "model.json").write_text(json.dumps(manifest).replace("Infinity", "1e400"))
    # The loader computes with scale = inf, so that weight is non-finite once loaded; the one before it was already.
    assert pairs(lint(folder / "model.json"), folder / "model.json") == [("H5L502", "layer:hidden"), ("H5L502", "layer:out")]


def test_a_check_that_runs_out_of_memory_is_H5L001_and_the_other_rules_still_report(monkeypatch):
    checks = dict(all_checks())
    real = checks["H5L502"]

    def starved(model, ctx):
        if "nonfinite" in model.path:
            raise MemoryError
        return real(model, ctx)

    checks["H5L502"] = starved
    monkeypatch.setattr(artifact_lint, "all_checks", lambda: checks)
    report = lint(NONFINITE_H5, LAMBDA_H5, jobs=1)
    assert pairs(report, NONFINITE_H5) == [("H5L001", "file")]
    assert "needed more memory than h5lint's per-file budget" in report.artifacts[0].findings[0].message
    assert pairs(report, LAMBDA_H5) == [PWN]


def test_a_memory_budget_of_one_mib_gives_findings_per_file_never_an_error(tmp_path):
    """Whether 1 MiB suffices depends on what must still be compiled or imported (h5lint's own HDF5 reader reads
    a small file within it): either way each file gets its findings or an H5L001, never a crash."""
    result = subprocess.run(
        [sys.executable, "-m", "h5lint", "check", "--format", "json", "--max-memory", "1", str(LAMBDA_H5), str(NONFINITE_H5)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 1, result.stderr
    assert "internal error" not in result.stderr
    report = json.loads(result.stdout)
    codes = {name: {f["code"] for f in report["findings"] if Path(f["path"]).name == name} for name in
             (LAMBDA_H5.name, NONFINITE_H5.name)}
    # What the budget cut short is an H5L001 per rule or file; what it did not stays reported.
    assert codes[LAMBDA_H5.name] and codes[LAMBDA_H5.name] <= {"H5L101", "H5L001"}, codes
    assert codes[NONFINITE_H5.name] and codes[NONFINITE_H5.name] <= {"H5L502", "H5L001"}, codes


@pytest.fixture
def deep_tree(tmp_path):
    """A model 1,000 folders down, removed bottom-up afterwards (shutil.rmtree recurses, and would fail)."""
    folders = [tmp_path / "deep"]
    for _ in range(1000):
        folders.append(folders[-1] / "d")
    for folder in folders:
        folder.mkdir()
    shutil.copy(LAMBDA_H5, folders[-1] / "model.h5")
    yield folders[0], folders[-1] / "model.h5"
    (folders[-1] / "model.h5").unlink()
    for folder in reversed(folders):
        folder.rmdir()


def test_a_thousand_nested_folders(deep_tree):
    top, model = deep_tree
    assert pairs(lint(top), model) == [PWN]


# --- 9. a report stays small whatever the names in a file ----------------------------------------------------


def test_a_huge_name_is_clipped_in_every_message_and_location(tmp_path):
    config = json.loads(_members(LAMBDA_KERAS)["config.json"])
    pwn = next(layer for layer in config["config"]["layers"] if layer["config"]["name"] == "pwn")
    pwn["config"]["name"] = pwn["name"] = "N" * (8 << 20)
    path = _keras_with(tmp_path, "huge_name.keras", lambda n, d: json.dumps(config).encode() if n == "config.json" else d)
    report = _cli_json(path, cwd=tmp_path)
    assert len(json.dumps(report)) < 20_000
    [finding] = [f for f in report["findings"] if f["code"] == "H5L101"]
    assert "characters cut]" in finding["message"] and len(finding["location"]) <= artifact_lint.MAX_LOCATION


def test_findings_past_the_per_rule_limit_are_counted_not_listed(tmp_path):
    config = json.loads(_members(LAMBDA_KERAS)["config.json"])
    layers = config["config"]["layers"]
    pwn = next(layer for layer in layers if layer["config"]["name"] == "pwn")
    for index in range(artifact_lint.MAX_PER_RULE + 50):
        clone = json.loads(json.dumps(pwn))
        clone["config"]["name"] = clone["name"] = f"pwn_{index:04d}"
        layers.append(clone)
    path = _keras_with(tmp_path, "many.keras", lambda n, d: json.dumps(config).encode() if n == "config.json" else d)
    findings = [f for f in lint(path).artifacts[0].findings if f.code == "H5L101"]
    assert len(findings) == artifact_lint.MAX_PER_RULE + 1
    assert [f.message.split(": ", 1)[1] for f in findings if f.location == "file"] == [
        f"51 more H5L101 findings in this artifact are not listed (h5lint lists {artifact_lint.MAX_PER_RULE} per rule and artifact)"
    ]


# --- 10. members of an artifact are read only inside it ------------------------------------------------------


@pytest.fixture
def outside(tmp_path) -> Path:
    """Files outside every artifact, which a link inside one points at; nothing of them may reach a report."""
    folder = tmp_path / "outside"
    folder.mkdir()
    (folder / "secret.json").write_text(json.dumps({"keras_version": "9.9.9-secret", "class_name": "Secret"}))
    (folder / "secret.bin").write_bytes(b"\xff" * 4096)
    (folder / "secret_dir").mkdir()
    return folder


def _swap_for_link(member: Path, target: Path) -> None:
    member.unlink() if member.is_file() else shutil.rmtree(member)
    member.symlink_to(target)


def test_links_out_of_an_unzipped_keras_folder(tmp_path, outside):
    config_link = tmp_path / "config_link"
    shutil.copytree(SAMPLES / "k3_sigmoid_head_bce_unzipped", config_link)
    _swap_for_link(config_link / "config.json", outside / "secret.json")
    metadata_link = tmp_path / "metadata_link"
    shutil.copytree(SAMPLES / "k3_sigmoid_head_bce_unzipped", metadata_link)
    _swap_for_link(metadata_link / "metadata.json", outside / "secret.json")
    store_link = tmp_path / "store_link"
    shutil.copytree(SAMPLES / "k3_sigmoid_head_bce_unzipped", store_link)
    _swap_for_link(store_link / "model.weights.h5", SAMPLES / "k3_sigmoid_head_bce_unzipped" / "model.weights.h5")
    report = lint(config_link, metadata_link, store_link)
    # Each link is also an unsafe member (H5L105): extracted or copied, it points elsewhere.
    assert pairs(report, config_link) == [("H5L001", "member:config.json"), ("H5L105", "member:config.json")]
    assert pairs(report, metadata_link) == [("H5L001", "member:metadata.json"), ("H5L105", "member:metadata.json")]
    assert pairs(report, store_link) == [("H5L001", "member:model.weights.h5"), ("H5L105", "member:model.weights.h5")]
    text = json.dumps([[f.message for f in a.findings] for a in report.artifacts])
    assert "9.9.9-secret" not in text and "Secret" not in text
    assert all("outside the artifact; h5lint does not follow it" in a.findings[0].message for a in report.artifacts)
    assert all(a.versions.keras_version != "9.9.9-secret" for a in report.artifacts)


def test_links_out_of_tfjs_savedmodel_and_sharded_weights(tmp_path, outside):
    tfjs = tmp_path / "tfjs"
    shutil.copytree(SAMPLES / "tfjs_nonfinite_weights", tfjs)
    _swap_for_link(tfjs / "group1-shard1of1.bin", outside / "secret.bin")
    savedmodel = tmp_path / "savedmodel"
    shutil.copytree(SAMPLES / "tfk_sigmoid_head_bce_savedmodel", savedmodel)
    _swap_for_link(savedmodel / "variables", outside / "secret_dir")
    graph = tmp_path / "graph_link"
    shutil.copytree(SAMPLES / "tfk_sigmoid_head_bce_savedmodel", graph)
    _swap_for_link(graph / "saved_model.pb", outside / "secret.bin")
    report = lint(tfjs / "model.json", savedmodel, graph)
    assert pairs(report, tfjs / "model.json") == [("H5L001", "member:group1-shard1of1.bin")]
    assert ("H5L001", "member:variables/") in pairs(report, savedmodel)
    assert ("H5L001", "member:saved_model.pb") in pairs(report, graph)
    for artifact in report.artifacts:
        assert any("outside" in f.message and "does not follow it" in f.message for f in artifact.findings)


# --- 11. nothing in a file can forge output lines or terminal escapes ----------------------------------------

FORGED = "x\n::error file=forged.h5,line=1::forged\r::add-mask::secret\x1b[2J\x07"


def _forged_model(tmp_path: Path) -> Path:
    config = json.loads(_members(LAMBDA_KERAS)["config.json"])
    pwn = next(layer for layer in config["config"]["layers"] if layer["config"]["name"] == "pwn")
    pwn["config"]["name"] = pwn["name"] = FORGED
    folder = tmp_path / "x\n::warning::named\x1b[31m"
    folder.mkdir()
    return _keras_with(folder, "m\r::error::also.keras", lambda n, d: json.dumps(config).encode() if n == "config.json" else d)


@pytest.mark.parametrize("output_format", ["concise", "full", "github", "json", "sarif"])
def test_names_cannot_forge_workflow_commands_or_terminal_escapes(tmp_path, capsys, output_format):
    path = _forged_model(tmp_path)
    with pytest.raises(SystemExit):
        main(["check", "--format", output_format, "--jobs", "1", "--color", "always", str(path)])
    out = capsys.readouterr().out
    assert "\r" not in out and "\x07" not in out
    lines = out.splitlines()
    commands = [line for line in lines if line.startswith("::")]
    if output_format == "github":
        assert len(commands) == 1 and commands[0].startswith("::error file=")
        assert "\x1b" not in out
    else:
        assert commands == []
        # Colour codes are h5lint's own: none comes from the file.
        assert "\x1b[2J" not in out and "\x1b[31m" not in out.replace("\\x1b[31m", "")


def test_the_action_never_prints_untrusted_text():
    action = (Path(__file__).resolve().parents[1] / "action.yml").read_text()
    # The Action may report counts; messages and paths from the SARIF file go only to the code-scanning upload.
    assert ".message" not in action and "jq -r" not in action


def _peak_rss_of_run(*args) -> int:
    """Peak resident memory (bytes) of the h5lint process (the largest one: the parent or a worker)."""
    script = (
        "import resource, subprocess, sys\n"
        "subprocess.run([sys.executable, '-m', 'h5lint', *sys.argv[1:]], stdout=subprocess.DEVNULL)\n"
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
    )
    result = subprocess.run([sys.executable, "-c", script, *map(str, args)], capture_output=True, text=True, timeout=900)
    return int(result.stdout.split()[-1]) * 1024


@pytest.mark.slow
@pytest.mark.parametrize("output_format", ["json", "sarif", "concise", "gitlab", "junit"])
def test_memory_does_not_grow_with_the_number_of_files(tmp_path, output_format):
    # Each of these files is an H5L001 finding and an unreadable artifact: nothing of them may be kept.
    for count in (2_000, 20_000):
        folder = tmp_path / str(count)
        for index in range(count):
            sub = folder / f"d{index // 1000:03d}"
            sub.mkdir(parents=True, exist_ok=True)
            (sub / f"m{index:06d}.h5").touch()
    small = _peak_rss_of_run("check", "--format", output_format, "--jobs", "2", tmp_path / "2000")
    large = _peak_rss_of_run("check", "--format", output_format, "--jobs", "2", tmp_path / "20000")
    # Kept per artifact, 18,000 more would cost tens of MB (SARIF kept ~4 KB each before it spooled).
    assert large - small < 15 << 20, (small, large)
