"""Hostile input: h5lint ends every run with findings, within its budgets, and touches nothing.

A per-file time limit, size/depth/count budgets of the parsers, files that are not regular files,
link loops, unreadable and vanishing files, odd names; scanned files are never written, and code
stored in them (Lambda bytecode, module references) never runs.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import struct
import subprocess
import sys
import time
import zipfile
from pathlib import Path
from urllib.parse import quote

import h5py
import pytest
from conftest import SAMPLES

from h5lint import budgets
from h5lint.budgets import (
    DEFAULT_MEMORY_MIB,
    DEFAULT_TIMEOUT,
    Budgets,
    within_memory,
    within_time,
)
from h5lint.cli import main
from h5lint.discover import discover
from h5lint.engine import lint_paths
from h5lint.lint import lint_outcome
from h5lint.parsers import parts, read_candidate
from h5lint.parsers.h5 import h5py_path, limits, outcomes
from h5lint.parsers.h5 import model as h5
from h5lint.parsers.h5 import own as h5_own
from h5lint.parsers.json_model import read as json_model
from h5lint.parsers.keras_zip import archive as keras_zip
from h5lint.settings import resolve

SETTINGS = resolve(None, {"select": ["ALL"]})
CLEAN_H5 = SAMPLES / "tfk_sigmoid_head_bce.h5"
CLEAN_ARCH = SAMPLES / "tfk_sigmoid_head_bce_arch.json"
HAS_ALARM = hasattr(signal, "setitimer")


def lint(*paths, timeout: float = 10.0, jobs: int = 1):
    return lint_paths([str(p) for p in paths], SETTINGS, jobs=jobs, budgets=Budgets(timeout=timeout))


def located(report) -> list[tuple[str, str, str | None]]:
    """(artifact path, code, location) of every finding, and no crashed rule anywhere."""
    assert [a.crashed_checks for a in report.artifacts if a.crashed_checks] == []
    return [(a.path, f.code, f.location) for a in report.artifacts for f in a.findings]


# --- the per-file time limit ----------------------------------------------------------------------


@pytest.fixture
def hanging_json(monkeypatch, tmp_path):
    """A JSON model whose parser never returns (as a parser without a budget would on some input)."""

    def hang(path, *args, **kwargs):
        time.sleep(60)

    monkeypatch.setattr(json_model, "read", hang)
    path = tmp_path / "model.json"
    path.write_bytes(CLEAN_ARCH.read_bytes())
    return path


@pytest.mark.skipif(not HAS_ALARM, reason="the time limit needs interval timers (Unix)")
def test_a_file_over_the_time_limit_is_H5L001_and_the_run_goes_on(hanging_json):
    lint(CLEAN_H5)  # the first run imports h5py and the checks, which would count against 0.3 s
    report = lint(hanging_json, CLEAN_H5, timeout=0.3)
    assert located(report) == [(str(hanging_json), "H5L001", "file")]
    (finding,) = report.artifacts[0].findings
    assert finding.message == (
        f"{hanging_json}: reading and checking it took longer than 0.3 s, h5lint's per-file time limit"
    )
    assert finding.fix.startswith("raise the limit with --timeout SECONDS (0 turns it off)")
    assert report.artifacts[1].readable


@pytest.mark.skipif(not HAS_ALARM, reason="the time limit needs interval timers (Unix)")
def test_the_time_limit_holds_in_worker_processes(hanging_json, tmp_path):
    other = tmp_path / "other" / "model.json"
    other.parent.mkdir()
    other.write_bytes(hanging_json.read_bytes())
    report = lint(hanging_json, other, timeout=0.3, jobs=2)
    assert located(report) == [(str(hanging_json), "H5L001", "file"), (str(other), "H5L001", "file")]


def _swallow_one_alarm(then_sleep: float) -> str:
    try:
        time.sleep(5)
    except BaseException:  # noqa: BLE001 - what a careless library does
        pass
    time.sleep(then_sleep)
    return "cut short"


@pytest.mark.skipif(not HAS_ALARM, reason="the time limit needs interval timers (Unix)")
@pytest.mark.parametrize("then_sleep", [5, 0])
def test_an_alarm_swallowed_by_the_work_still_ends_it(then_sleep):
    # h5py turns an exception raised in its Python file callbacks into an HDF5 error, which the
    # parsers catch: one alarm can be lost that way, so the alarm repeats until the work gives up,
    # and work that returns after swallowing one may be incomplete, so its result is not used.
    assert within_time(0.2, lambda: _swallow_one_alarm(then_sleep)) is None


@pytest.mark.skipif(not HAS_ALARM, reason="the time limit needs interval timers (Unix)")
def test_the_time_limit_puts_back_the_previous_handler_and_timer():
    def mine(signum, frame):
        raise AssertionError("the outer timer must not fire during the test")

    previous = signal.signal(signal.SIGALRM, mine)
    try:
        signal.setitimer(signal.ITIMER_REAL, 100)
        assert within_time(5, lambda: 42) == 42
        assert within_time(0, lambda: 43) == 43  # 0: no limit
        assert signal.getsignal(signal.SIGALRM) is mine
        remaining, _ = signal.getitimer(signal.ITIMER_REAL)
        assert 90 < remaining <= 100
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@pytest.mark.skipif(not HAS_ALARM, reason="the time limit needs interval timers (Unix)")
def test_cli_timeout_option(hanging_json, capsys):
    with pytest.raises(SystemExit) as exited:
        main(["check", "--timeout", "0.2", "--format", "json", "--jobs", "1", str(hanging_json)])
    assert exited.value.code == 1
    (finding,) = json.loads(capsys.readouterr().out)["findings"]
    assert (finding["path"], finding["code"], finding["location"]) == (str(hanging_json), "H5L001", "file")
    assert "took longer than 0.2 s, h5lint's per-file time limit" in finding["message"]


def test_cli_help_documents_the_budgets(capsys):
    with pytest.raises(SystemExit):
        main(["check", "--help"])
    help_text = " ".join(capsys.readouterr().out.split())
    assert f"--timeout SECONDS Seconds h5lint may spend reading and checking one file or folder (default: {DEFAULT_TIMEOUT:g})" in help_text
    assert f"--max-memory MIB Memory (MiB) h5lint may add while reading and checking one file or folder (default: {DEFAULT_MEMORY_MIB})" in help_text


HAS_MEMORY_CAP = budgets._address_space() is not None


@pytest.mark.skipif(not HAS_MEMORY_CAP, reason="the memory budget needs /proc/self/statm (Linux)")
def test_an_allocation_past_the_memory_budget_fails_and_the_cap_is_lifted_after():
    import resource

    before = resource.getrlimit(resource.RLIMIT_AS)
    with pytest.raises(MemoryError):
        within_memory(64, lambda: bytearray(256 << 20))
    assert resource.getrlimit(resource.RLIMIT_AS) == before
    assert len(within_memory(0, lambda: bytearray(256 << 20))) == 256 << 20  # 0: no cap


def test_without_an_alarm_the_work_just_runs(monkeypatch):
    monkeypatch.setattr(budgets, "_can_alarm", lambda: False)  # Windows, or a thread other than the main one
    assert within_time(0.01, lambda: time.sleep(0.05) or "done") == "done"


# The CLI in a child process, for what must not happen in this one (HDF5 looping, memory peaks).
_CLI = (
    "import atexit, resource, sys\n"
    "atexit.register(lambda: print('PEAK_KIB', resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr))\n"
    "from h5lint.cli import main\n"
    "main()\n"
)


def _cli_findings(*paths, env=None, cwd=None, prefix=()):
    """(path, code, location) of the findings of ``h5lint check`` run as a child, and its peak RSS in bytes."""
    result = subprocess.run(
        [*prefix, sys.executable, "-c", _CLI, "check", "--format", "json", "--jobs", "1", *map(str, paths)],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        cwd=cwd,
    )
    assert result.returncode in (0, 1), result.stderr
    peak = int(result.stderr.rsplit("PEAK_KIB", 1)[1]) * 1024
    return [(f["path"], f["code"], f["location"]) for f in json.loads(result.stdout)["findings"]], peak


@pytest.mark.skipif(not HAS_MEMORY_CAP, reason="the memory budget needs /proc/self/statm (Linux)")
def test_a_string_that_claims_gigabytes_fails_within_the_memory_budget(tmp_path):
    # A variable-length string is stored as (length, heap collection, object index); libhdf5
    # allocates the length it reads before it looks at the heap, all inside one C call.
    path = tmp_path / "claims_4gib.h5"
    data = bytearray(CLEAN_H5.read_bytes())
    with h5py.File(CLEAN_H5, "r") as f:
        length = len(f.attrs["model_config"].encode())
    descriptor = struct.pack("<IQ", length, data.find(b"GCOL"))
    assert data.count(descriptor) == 1
    at = data.find(descriptor)
    data[at : at + 4] = struct.pack("<I", 0xF000_0000)
    path.write_bytes(data)
    report = lint_paths([str(path)], SETTINGS, budgets=Budgets(timeout=10, memory_mib=512))
    assert located(report) == [(str(path), "H5L001", "file")]
    assert "memory allocation failed" in report.artifacts[0].findings[0].message


# --- zip bombs and archive budgets ------------------------------------------------------------------

K3_ZIP = SAMPLES / "k3_sigmoid_head_bce.keras"
MIB = 1 << 20


def _rezip(target, change=lambda name, data: data, extra=(), compression=None):
    """A copy of the clean .keras with members changed, and ``extra`` (name, MiB of zeros) members deflated.

    Extra members are streamed, so a bomb never sits in memory while the test builds it.
    """
    with zipfile.ZipFile(K3_ZIP) as zin, zipfile.ZipFile(target, "w") as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if compression is not None:
                info.compress_type = compression
            zout.writestr(info, change(info.filename, data))
        for name, mib in extra:
            info = zipfile.ZipInfo(name)
            info.compress_type = zipfile.ZIP_DEFLATED
            with zout.open(info, "w") as fh:
                for _ in range(mib):
                    fh.write(bytes(MIB))
    return target


def test_zip_bomb_member_is_reported_without_being_inflated(tmp_path):
    bomb = _rezip(tmp_path / "bomb.keras", extra=[("assets/bomb.bin", 64)])
    report = lint(bomb)
    assert located(report) == [(str(bomb), "H5L105", "member:assets/bomb.bin")]
    assert "a zip bomb" in report.artifacts[0].findings[0].message


def test_config_member_over_its_budget_is_H5L001(tmp_path):
    padded = _rezip(
        tmp_path / "padded.keras",
        change=lambda name, data: data + b" " * (keras_zip.MAX_CONFIG_BYTES) if name == "config.json" else data,
        compression=zipfile.ZIP_DEFLATED,
    )
    report = lint(padded)
    # The rest of the archive is still checked: the padded member itself is a zip bomb.
    assert located(report) == [
        (str(padded), "H5L001", "member:config.json"),
        (str(padded), "H5L105", "member:config.json"),
    ]
    assert "over h5lint's budget of 67,108,864 bytes" in report.artifacts[0].findings[0].message


def test_compressed_weights_store_is_read_from_memory_within_its_budget(tmp_path, monkeypatch):
    deflated = _rezip(tmp_path / "deflated.keras", compression=zipfile.ZIP_DEFLATED)
    assert located(lint(deflated)) == located(lint(K3_ZIP)) == []  # same model, same (no) findings
    monkeypatch.setattr(keras_zip, "MAX_COMPRESSED_STORE_BYTES", 1000)
    report = lint(deflated)
    assert located(report) == [(str(deflated), "H5L001", "member:model.weights.h5")]
    assert "over h5lint's budget of 1,000 bytes (it is compressed" in report.artifacts[0].findings[0].message


def test_zip_with_more_members_than_the_budget_is_H5L001(tmp_path, monkeypatch):
    monkeypatch.setattr(parts, "MAX_MEMBERS", 4)
    crowded = _rezip(tmp_path / "crowded.keras", extra=[("assets/a", 0), ("assets/b", 0)])
    report = lint(crowded)
    assert located(report) == [(str(crowded), "H5L001", "file")]
    assert report.artifacts[0].findings[0].message == f"{crowded}: zip archive lists 5 members, over h5lint's budget of 4"


# --- oversized attributes, deep nesting -----------------------------------------------------------


def _with_huge_model_config(source, target, size: int) -> None:
    """``source``'s attributes and groups in a new file whose model_config is ``size`` bytes of zeros.

    Attributes over 64 KiB need HDF5's dense attribute storage (libver="latest"); the attribute is
    created without data, so HDF5 writes zeros, which are then punched out of the file (sparse).
    """
    with h5py.File(source, "r") as src, h5py.File(target, "w", libver="latest") as dst:
        for name, value in src.attrs.items():
            if name != "model_config":
                dst.attrs[name] = value
        for name in src:
            src.copy(src[name], dst, name=name)
        tid = h5py.h5t.C_S1.copy()
        tid.set_size(size)
        h5py.h5a.create(dst.id, b"model_config", tid, h5py.h5s.create(h5py.h5s.SCALAR))
    _punch_zeros(target)


def _punch_zeros(path, block: int = 1 << 20) -> None:
    sparse = path.with_suffix(".sparse")
    with open(path, "rb") as src, open(sparse, "wb") as dst:
        while chunk := src.read(block):
            if chunk.count(0) == len(chunk):
                dst.seek(len(chunk), 1)
            else:
                dst.write(chunk)
        dst.truncate()
    sparse.replace(path)


def test_attribute_over_its_budget_is_refused_before_it_is_parsed(tmp_path):
    path = tmp_path / "big_attr.h5"
    _with_huge_model_config(CLEAN_H5, path, limits.MAX_ATTR_BYTES + 1)
    report = lint(path)
    assert located(report) == [(str(path), "H5L001", "file")]
    assert report.artifacts[0].findings[0].message == (
        f"{path}: model_config attribute is 67,108,865 bytes, over h5lint's budget of 67,108,864 bytes"
    )


@pytest.mark.slow
def test_a_one_gib_attribute_ends_within_the_budgets(tmp_path):
    # HDF5 decodes a whole attribute to open it, so this one costs HDF5 a gigabyte before h5lint can
    # check its size: the memory budget makes that allocation fail, and the file is an H5L001.
    path = tmp_path / "gib_attr.h5"
    _with_huge_model_config(CLEAN_H5, path, 1 << 30)
    assert path.stat().st_size > 1 << 30 and path.stat().st_blocks * 512 < 1 << 24  # sparse on disk
    findings, peak = _cli_findings(path)
    assert findings == [(str(path), "H5L001", "file")]
    assert peak < (DEFAULT_MEMORY_MIB + 512) << 20


def _nested_arch(depth: int) -> dict:
    model: dict = {"class_name": "Dense", "config": {"name": "out", "units": 1, "activation": "sigmoid"}}
    for level in range(depth):
        model = {"class_name": "Sequential", "config": {"name": f"seq_{level}", "layers": [model]}}
    return model


def test_json_nested_past_the_depth_budget_is_H5L001(tmp_path):
    arch = tmp_path / "deep_arch.json"
    arch.write_text("[" * 100_000 + "]" * 100_000)
    keras = _rezip(tmp_path / "deep.keras", change=lambda n, d: b'{"a":' * 5000 + b"1" + b"}" * 5000 if n == "config.json" else d)
    h5 = tmp_path / "deep.h5"
    shutil.copy(CLEAN_H5, h5)
    with h5py.File(h5, "r+") as f:
        f.attrs["model_config"] = json.dumps(_nested_arch(120))  # 480 levels
    report = lint(arch, keras, h5)
    assert located(report) == [
        (str(arch), "H5L001", "file"),
        (str(keras), "H5L001", "member:config.json"),
        (str(h5), "H5L001", "file"),
    ]
    assert all("nests deeper than 200 levels" in a.findings[0].message for a in report.artifacts)


def test_models_nested_within_the_depth_budget_are_read(tmp_path):
    arch = tmp_path / "nested_arch.json"
    arch.write_text(json.dumps(_nested_arch(45)))  # 4 JSON levels per model: 181 of the 200 allowed
    report = lint(arch)
    assert report.artifacts[0].readable and located(report) == [(str(arch), "H5L403", "file")]


def test_protobuf_nested_past_the_library_limit_is_H5L001(tmp_path):
    folder = tmp_path / "deep_savedmodel"
    shutil.copytree(SAMPLES / "tfk_sigmoid_head_bce_savedmodel", folder)
    message = b""
    for _ in range(5000):  # field 1 (meta_graphs / nested messages), length-delimited
        message = b"\x0a" + _varint(len(message)) + message
    (folder / "saved_model.pb").write_bytes(message)
    report = lint(folder)
    assert (str(folder), "H5L001", "member:saved_model.pb") in located(report)


def _varint(value: int) -> bytes:
    out = bytearray()
    while True:
        byte, value = value & 0x7F, value >> 7
        out.append(byte | (0x80 if value else 0))
        if not value:
            return bytes(out)


# --- HDF5: heaps that trap libhdf5, link cycles, links out of the file ----------------------------


def _trap_heap(data: bytearray) -> bytearray:
    """Set the size of the first global heap's free-space object to 0 (libhdf5 then loops forever)."""
    at = data.find(b"GCOL")
    pos = at + 16
    while int.from_bytes(data[pos : pos + 2], "little") != 0:
        declared = int.from_bytes(data[pos + 8 : pos + 16], "little")
        pos += 16 + (declared + 7) // 8 * 8
    data[pos + 8 : pos + 16] = bytes(8)
    return data


def test_h5lints_own_reader_refuses_the_heap_that_loops_libhdf5(tmp_path):
    # It stops on the free space that never moves on and hands the file to the h5py path, whose guard
    # (heap.py) then reports it without letting libhdf5 near it.
    path = tmp_path / "trap.h5"
    path.write_bytes(_trap_heap(bytearray(CLEAN_H5.read_bytes())))
    with pytest.raises(h5_own.HandOff, match="heap trap"):
        h5_own.read(str(path), outcomes.opener(str(path)))
    (problem,) = h5.read(str(path)).problems
    assert "corrupt HDF5 global heap" in problem.hit.message


def test_a_global_heap_that_would_loop_libhdf5_forever_is_refused(tmp_path):
    h5 = tmp_path / "trap.h5"
    h5.write_bytes(_trap_heap(bytearray(CLEAN_H5.read_bytes())))
    keras = _rezip(tmp_path / "trap.keras", change=lambda n, d: bytes(_trap_heap(bytearray(d))) if n.endswith(".h5") else d)
    folder = tmp_path / "trap_unzipped"
    shutil.copytree(SAMPLES / "k3_sigmoid_head_bce_unzipped", folder)
    store = folder / "model.weights.h5"
    store.write_bytes(_trap_heap(bytearray(store.read_bytes())))
    # In a child process: were the guard to miss, libhdf5 would spin in C, where no alarm reaches it.
    findings, _ = _cli_findings(h5, keras, folder)
    assert findings == [
        (str(h5), "H5L001", "file"),
        (str(keras), "H5L001", "member:model.weights.h5"),
        (str(folder), "H5L001", "member:model.weights.h5"),
    ]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_link_cycles_and_external_links_are_never_followed(tmp_path):
    fifo = tmp_path / "trap.h5"
    os.mkfifo(fifo)  # following the link would open it, which blocks until the time limit
    path = tmp_path / "links.h5"
    shutil.copy(CLEAN_H5, path)
    with h5py.File(path, "r+") as f:
        f["loop_a"] = h5py.SoftLink("/loop_b")
        f["loop_b"] = h5py.SoftLink("/loop_a")
        f["model_weights/out/self"] = h5py.SoftLink("/model_weights/out/self")
        f["model_weights/out/up"] = f["model_weights"]  # a hard link back up the tree
        f["model_weights/to_fifo"] = h5py.ExternalLink(str(fifo), "/x")
        f["model_weights/to_itself"] = h5py.ExternalLink(str(path), "/")
    report = lint(path, timeout=10)
    assert located(report) == [
        (str(path), "H5L104", "hdf5:/model_weights/to_fifo"),
        (str(path), "H5L104", "hdf5:/model_weights/to_itself"),
    ]


# --- what is not a regular file -----------------------------------------------------------------


def test_symlink_loops_are_skipped_in_folders_and_H5L001_when_named(tmp_path):
    shutil.copy(CLEAN_H5, tmp_path / "model.h5")
    (tmp_path / "a.h5").symlink_to(tmp_path / "b.h5")
    (tmp_path / "b.h5").symlink_to(tmp_path / "a.h5")
    (tmp_path / "self.h5").symlink_to(tmp_path / "self.h5")
    (tmp_path / "up").symlink_to(tmp_path)  # a folder loop
    report = lint(tmp_path)
    assert [a.path for a in report.artifacts] == [str(tmp_path / "model.h5")]
    assert located(report) == []
    named = lint(tmp_path / "self.h5")
    assert located(named) == [(str(tmp_path / "self.h5"), "H5L001", "file")]
    assert "Too many levels of symbolic links" in named.artifacts[0].findings[0].message


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_fifos_and_devices_are_skipped_in_folders_and_H5L001_when_named(tmp_path):
    shutil.copy(CLEAN_H5, tmp_path / "model.h5")
    os.mkfifo(tmp_path / "pipe.h5")
    (tmp_path / "to_pipe.h5").symlink_to(tmp_path / "pipe.h5")
    (tmp_path / "zero.h5").symlink_to("/dev/zero")  # reading it never ends
    started = time.monotonic()
    report = lint(tmp_path, timeout=5)
    # The FIFO and the link to it are skipped; the link named like a model that leads out of the folder is
    # reported, never followed.
    assert [a.path for a in report.artifacts] == [str(tmp_path / "model.h5"), str(tmp_path / "zero.h5")]
    assert "a symbolic link to /dev/zero, outside the folder being scanned" in report.artifacts[1].findings[0].message
    named = [tmp_path / "pipe.h5", tmp_path / "to_pipe.h5", tmp_path / "zero.h5", Path("/dev/null")]
    report = lint(*named, timeout=5)
    assert located(report) == [(str(p), "H5L001", "file") for p in named]
    assert all(a.findings[0].message.endswith("not a regular file (FIFO, socket or device); skipped") for a in report.artifacts)
    assert time.monotonic() - started < 5


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_fifos_inside_model_folders_are_never_opened(tmp_path):
    def copy_with_fifo(sample, member):
        folder = tmp_path / f"{sample}_{len(list(tmp_path.iterdir()))}"
        shutil.copytree(SAMPLES / sample, folder)
        (folder / member).unlink()
        os.mkfifo(folder / member)  # opening it would block until the time limit
        return folder

    store = copy_with_fifo("k3_sigmoid_head_bce_unzipped", "model.weights.h5")
    metadata = copy_with_fifo("k3_sigmoid_head_bce_unzipped", "metadata.json")
    savedmodel = copy_with_fifo("tfk_sigmoid_head_bce_savedmodel", "variables/variables.index")
    tfjs = copy_with_fifo("tfjs_sigmoid_head_bce", "group1-shard1of1.bin") / "model.json"
    started = time.monotonic()
    report = lint(store, metadata, savedmodel, tfjs, timeout=5)
    assert time.monotonic() - started < 5
    assert located(report) == [
        (str(store), "H5L001", "member:model.weights.h5"),
        (str(metadata), "H5L001", "member:metadata.json"),  # unread, so no H5L401 for a missing version
        (str(savedmodel), "H5L004", "member:variables/variables.index"),
        (str(savedmodel), "H5L403", "file"),
        (str(tfjs), "H5L001", "member:group1-shard1of1.bin"),
    ]
    assert report.artifacts[0].findings[0].message.endswith(
        "member model.weights.h5 is not a regular file (a FIFO, socket or device); h5lint does not open it"
    )


# --- unreadable, vanishing and oddly named files ---------------------------------------------------


def _without_root_powers() -> list[str] | None:
    """A command prefix under which permissions apply (root reads anything), or None if there is none."""
    if not hasattr(os, "geteuid"):
        return None
    if os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")  # util-linux: drop the capabilities that bypass file permissions
    return [setpriv, "--bounding-set=-dac_override,-dac_read_search"] if setpriv else None


@pytest.mark.skipif(_without_root_powers() is None, reason="needs Unix permissions that apply to this user")
def test_unreadable_files_and_folders_are_H5L001(tmp_path):
    locked = tmp_path / "locked.h5"
    shutil.copy(CLEAN_H5, locked)
    closed = tmp_path / "closed"
    closed.mkdir()
    shutil.copy(CLEAN_H5, closed / "model.h5")
    store = tmp_path / "unzipped"
    shutil.copytree(SAMPLES / "k3_sigmoid_head_bce_unzipped", store)
    for path in (locked, closed, store / "model.weights.h5"):
        path.chmod(0)
    try:
        findings, _ = _cli_findings(locked, closed, store, prefix=_without_root_powers())
    finally:
        for path in (locked, closed, store / "model.weights.h5"):
            path.chmod(0o755)
    assert findings == [
        (str(locked), "H5L001", "file"),
        (str(closed), "H5L001", "file"),
        (str(store), "H5L001", "member:model.weights.h5"),
    ]


def test_a_file_truncated_while_it_is_read(tmp_path, monkeypatch):
    h5_path = tmp_path / "cut.h5"
    shutil.copy(CLEAN_H5, h5_path)
    real_references = h5py_path.outside_references

    def hand_off(path, opener):  # the h5py path, reading what h5lint's own reader hands it
        raise h5_own.HandOff("test")

    monkeypatch.setattr(h5_own, "read", hand_off)

    def cut_then_walk(h5file):  # the file shrinks after HDF5 opened it, mid-parse
        os.truncate(h5_path, 2048)
        return real_references(h5file)

    monkeypatch.setattr(h5py_path, "outside_references", cut_then_walk)
    zip_path = _rezip(tmp_path / "cut.keras")
    real_parse = keras_zip.parse_json

    def cut_then_parse(data, what, **kwargs):  # the zip shrinks after its listing and config were read
        os.truncate(zip_path, 1024)
        return real_parse(data, what, **kwargs)

    monkeypatch.setattr(keras_zip, "parse_json", cut_then_parse)
    report = lint(h5_path, zip_path)
    # Both attributes of the cut file are reported unreadable (two parts, two messages), the zip's store once.
    assert located(report) == [
        (str(h5_path), "H5L001", "file"),
        (str(h5_path), "H5L001", "file"),
        (str(zip_path), "H5L001", "member:model.weights.h5"),
    ]


def test_a_file_truncated_while_the_own_reader_reads_it(tmp_path, monkeypatch):
    h5_path = tmp_path / "cut.h5"
    shutil.copy(CLEAN_H5, h5_path)
    real_references = h5_own._outside_references

    def cut_then_walk(root):  # the file shrinks after the superblock was read, mid-parse
        os.truncate(h5_path, 2048)
        return real_references(root)

    monkeypatch.setattr(h5_own, "_outside_references", cut_then_walk)
    report = lint(h5_path)
    # The reader reads a file through reads, not a memory map (a map of a file cut short kills the process
    # with SIGBUS): its first 64 KiB read held the whole 17 KB file, so it read the file as it was, and the
    # weight values, which were gone when the rules looked, were skipped.
    assert report.artifacts[0].readable and located(report) == []


def test_weights_that_vanish_between_parsing_and_checking_are_skipped(tmp_path):
    path = tmp_path / "nonfinite.h5"
    shutil.copy(SAMPLES / "tfk_nonfinite_weights.h5", path)
    outcome = read_candidate(list(discover([str(path)]))[0])
    os.truncate(path, 4096)  # the rules read weight values lazily, after parsing
    report = lint_outcome(str(path), outcome, SETTINGS)
    assert report.crashed_checks == () and report.readable
    assert "H5L502" not in {f.code for f in report.findings}  # the NaN weights were not there to read


def test_paths_with_spaces_unicode_and_undecodable_bytes(tmp_path, capsys):
    folder = tmp_path / "models with spaces" / "ünïcödé ✓ 模型"
    folder.mkdir(parents=True)
    named = folder / "my model ✓.keras"
    shutil.copy(SAMPLES / "k3_lambda_anon.keras", named)
    raw = os.fsencode(folder) + b"/caf\xe9 model.h5"  # not UTF-8: Linux file names are bytes
    Path(os.fsdecode(raw)).write_bytes(b"")  # an empty file: an H5L001, so every format shows it
    undecodable = os.fsdecode(raw)
    report = lint(folder)
    assert located(report) == [(undecodable, "H5L001", "file"), (str(named), "H5L101", "layer:double")]
    for output_format in ("text", "json", "sarif", "github"):
        with pytest.raises(SystemExit) as exited:
            main(["check", "--format", output_format, "--jobs", "1", str(folder)])
        assert exited.value.code == 1
        out = capsys.readouterr().out
        sarif = output_format == "sarif"  # SARIF shows URIs of the original bytes
        shown = quote("my model ✓.keras") if sarif else "my model ✓.keras"
        assert shown in out and ("caf%E9%20model.h5" if sarif else "caf\\udce9 model.h5") in out


# --- scanned files are read, never written, never run ---------------------------------------------


def _snapshot(root: Path) -> dict[str, tuple]:
    """Every entry below ``root``: kind, mode, size, modification time and content hash."""
    state = {}
    for path in sorted(root.rglob("*")):
        info = path.lstat()
        digest = hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() and not path.is_symlink() else None
        state[str(path.relative_to(root))] = (info.st_mode, info.st_size, info.st_mtime_ns, digest)
    return state


def test_scanned_files_are_never_modified(tmp_path):
    copy = tmp_path / "sample_models"
    shutil.copytree(SAMPLES, copy, symlinks=True)
    before = _snapshot(copy)
    result = subprocess.run(
        [sys.executable, "-m", "h5lint", "check", "--select", "ALL", "--format", "json", "--jobs", "2", str(copy)],
        capture_output=True, text=True, timeout=300, cwd=tmp_path,
    )
    assert result.returncode == 1, result.stderr
    assert len(json.loads(result.stdout)["artifacts"]) > 100
    assert _snapshot(copy) == before


# What the Lambda samples' code would leave behind if anything ran it (sample_models/README.md).
PWN_MARKERS = (Path("/tmp/h5lint_lambda_ran"), Path("/tmp/h5lint_pwned"))


def _marker_states():
    return {path: (path.stat().st_mtime_ns if path.exists() else None) for path in PWN_MARKERS}


def test_code_stored_in_models_never_runs(tmp_path):
    hostile = sorted(SAMPLES.glob("*lambda_writes_file*")) + sorted(SAMPLES.glob("*lambda_os_system*"))
    hostile += sorted(SAMPLES.glob("edited_*module_os_system*")) + sorted(SAMPLES.glob("edited_*exec*"))
    # a pickle calling posix.system('touch /tmp/h5lint_pwned') inside a TorchModuleWrapper (not armed: it always runs)
    hostile += sorted(SAMPLES.glob("edited_*pickle_os_system*"))
    assert len(hostile) >= 5
    scratch, cwd = tmp_path / "tmp", tmp_path / "cwd"
    scratch.mkdir()
    cwd.mkdir()
    markers = _marker_states()
    # H5LINT_PWN=1 arms the samples' payloads: they write their marker if a loader runs them.
    env = {**os.environ, "H5LINT_PWN": "1", "TMPDIR": str(scratch), "TEMP": str(scratch), "TMP": str(scratch)}
    findings, _ = _cli_findings(*hostile, env=env, cwd=cwd)
    assert {(p, c) for p, c, _ in findings} >= {(str(p), "H5L101") for p in hostile if "lambda" in p.name}
    assert {(p, c) for p, c, _ in findings} >= {(str(p), "H5L103") for p in hostile if "module_os_system" in p.name}
    assert {(p, c) for p, c, _ in findings} >= {(str(p), "H5L108") for p in hostile if "pickle" in p.name}
    assert _marker_states() == markers
    assert list(scratch.iterdir()) == [] and list(cwd.iterdir()) == []


_AUDIT = """
import json, os, sys
from h5lint.budgets import Budgets
from h5lint.engine import lint_paths
from h5lint.settings import resolve

settings = resolve(None, {"select": ["ALL"]})
paths = sys.argv[1:]
lint_paths(paths, settings, budgets=Budgets(0, 0), isolate=False)  # imports everything the files need
seen = []
WRITE = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND
RUNS = {"exec", "marshal.loads", "marshal.load", "pickle.find_class", "os.system", "subprocess.Popen",
        "os.exec", "os.posix_spawn", "os.spawn", "os.fork", "ctypes.dlopen", "import", "builtins.input"}

def hook(event, args):
    if event in RUNS:
        seen.append([event, repr(args)[:200]])
    elif event == "open" and ((isinstance(args[1], str) and set(args[1]) & set("wax+")) or (args[2] or 0) & WRITE):
        seen.append([event, repr(args)[:200]])

sys.addaudithook(hook)
report = lint_paths(paths, settings, budgets=Budgets(0, 0), isolate=False)
print(json.dumps({"artifacts": len(report.artifacts), "events": seen}))
"""


def test_linting_runs_no_stored_code_and_writes_nothing():
    # An audit hook sees every exec, unmarshal, unpickle, import, process start and open for writing.
    result = subprocess.run([sys.executable, "-c", _AUDIT, str(SAMPLES)], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    outcome = json.loads(result.stdout)
    assert outcome["artifacts"] > 100
    assert outcome["events"] == []
