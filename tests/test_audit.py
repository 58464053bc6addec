"""What a scan does to the machine, watched from inside by Python audit hooks (PEP 578).

The hook is installed before anything else is imported, in the process that runs the command line, and
the worker processes inherit it (they are forked). Over every sample and a set of hostile inputs: no
program is started (not even ``uname``), no network socket is made, nothing is opened for writing under
a scanned path, and nothing is read outside the scanned roots and Python's own installation.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest
from conftest import REPO, SAMPLES
from test_hostile import _trap_heap
from test_unbypassable import LAMBDA_H5, _shape_bomb, _stored_polyglot

# Events that start programs, open network connections or change files.
EXEC_EVENTS = ("os.exec", "os.posix_spawn", "os.spawn", "os.system", "os.startfile", "subprocess.Popen", "pty.spawn")
CHANGE_EVENTS = ("os.remove", "os.rename", "os.rmdir", "os.mkdir", "os.truncate", "os.chmod", "os.chown", "os.utime",
                 "os.link", "os.symlink", "shutil.")
WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND

HOOK = r"""
import json, os, sys
_out = int(sys.argv.pop(1))
_watch = ("open", "os.listdir", "os.scandir", "socket.", "os.", "subprocess.", "shutil.", "pty.")

def _hook(event, args):
    if not event.startswith(_watch) or event in ("os.fork", "os.fwalk", "os.walk"):
        return
    record = {"pid": os.getpid(), "event": event}
    if event == "open":
        path, mode, flags = args
        if isinstance(path, int):
            return  # an already open descriptor
        path = os.fsdecode(path)
        record.update(path=os.path.abspath(path), mode=mode or "", flags=flags or 0)
    elif event in ("os.listdir", "os.scandir") and args and args[0] is not None and not isinstance(args[0], int):
        record["path"] = os.path.abspath(os.fsdecode(args[0]))
    elif event == "socket.__new__":
        record["family"] = int(args[1])
    else:
        record["args"] = repr(args)[:300]
    os.write(_out, (json.dumps(record) + "\n").encode())

sys.addaudithook(_hook)
from h5lint.cli import main
main(sys.argv[1:])
"""


@pytest.fixture(scope="module")
def hostile(tmp_path_factory) -> tuple[Path, Path]:
    """A folder of hostile inputs and, beside it, files they point at that must never be read."""
    base = tmp_path_factory.mktemp("audit")
    outside = base / "outside"
    outside.mkdir()
    (outside / "secret.json").write_text(json.dumps({"keras_version": "9.9.9"}))
    (outside / "secret.bin").write_bytes(b"\xff" * 1024)
    scanned = base / "hostile"
    scanned.mkdir()
    keras_dir = scanned / "unzipped"
    shutil.copytree(SAMPLES / "k3_sigmoid_head_bce_unzipped", keras_dir)
    for member in ("config.json", "metadata.json"):
        (keras_dir / member).unlink()
        (keras_dir / member).symlink_to(outside / "secret.json")
    tfjs = scanned / "tfjs"
    shutil.copytree(SAMPLES / "tfjs_nonfinite_weights", tfjs)
    (tfjs / "group1-shard1of1.bin").unlink()
    (tfjs / "group1-shard1of1.bin").symlink_to(outside / "secret.bin")
    savedmodel = scanned / "savedmodel"
    shutil.copytree(SAMPLES / "tfk_sigmoid_head_bce_savedmodel", savedmodel)
    shutil.rmtree(savedmodel / "variables")
    (savedmodel / "variables").symlink_to(outside)
    (scanned / "link.h5").symlink_to(outside / "secret.bin")
    (scanned / "trap.h5").write_bytes(_trap_heap(bytearray(LAMBDA_H5.read_bytes())))
    _shape_bomb(scanned / "bomb.h5")
    _stored_polyglot(scanned / "polyglot.keras", 4096)
    with zipfile.ZipFile(scanned / "slip.keras", "w") as zf:
        zf.writestr("config.json", (SAMPLES / "k3_lambda_os_system.keras").name)
        zf.writestr("../../escape.json", "{}")
    return scanned, outside


def _allowed_reads(roots: list[Path], cwd: Path) -> tuple[list[str], set[str]]:
    """Folders everything may be read under, and the configuration files looked for from ``cwd`` upward."""
    prefixes = {sys.prefix, sys.base_prefix, sys.exec_prefix, *sysconfig.get_paths().values()}
    prefixes |= {str(REPO / "h5lint"), str(REPO / "rules")}  # an editable install imports from the checkout
    prefixes |= {"/proc/self", f"/proc/{os.getpid()}", "/dev/null", "/dev/urandom"}
    prefixes |= {os.path.realpath(p) for p in roots}
    config = {str(folder / name) for folder in (cwd, *cwd.parents) for name in (".h5lint.toml", "pyproject.toml")}
    return sorted(os.path.realpath(p) for p in prefixes), config


def _inside(path: str, prefixes: list[str]) -> bool:
    return any(path == p or path.startswith(p.rstrip("/") + "/") for p in prefixes)


@pytest.mark.skipif(sys.platform != "linux", reason="reads /proc; the events are the same elsewhere")
def test_a_scan_runs_nothing_connects_nowhere_writes_nothing_and_reads_only_its_roots(tmp_path, hostile):
    scanned, outside = hostile
    roots = [SAMPLES, scanned]
    events_file = tmp_path / "events.jsonl"
    cwd = tmp_path / "project"
    cwd.mkdir()
    fd = os.open(events_file, os.O_WRONLY | os.O_CREAT | os.O_APPEND)
    try:
        result = subprocess.run(
            [sys.executable, "-c", HOOK, str(fd), "check", "--format", "json", "--select", "ALL", "--jobs", "2",
             *map(str, roots)],
            pass_fds=(fd,), cwd=cwd, capture_output=True, text=True, timeout=600,
            env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
        )
    finally:
        os.close(fd)
    assert result.returncode == 1, result.stderr[-3000:]
    report = json.loads(result.stdout)
    assert report["summary"]["artifacts"] > 100
    events = [json.loads(line) for line in events_file.read_text().splitlines()]
    assert len({e["pid"] for e in events}) >= 3  # the command line and its two workers were all watched

    assert [e for e in events if e["event"].startswith(EXEC_EVENTS)] == []
    assert [e for e in events if e["event"] == "socket.__new__" and e["family"] != 1] == []  # AF_UNIX pipes only
    assert [e for e in events if e["event"].startswith("socket.") and e["event"] != "socket.__new__"] == []
    assert [e for e in events if e["event"].startswith(CHANGE_EVENTS)] == []

    opened = [e for e in events if e["event"] == "open"]
    writes = [e["path"] for e in opened if set(e["mode"]) & set("wax+") or e["flags"] & WRITE_FLAGS]
    assert writes == []

    prefixes, config = _allowed_reads(roots, cwd)
    read = {os.path.realpath(e["path"]) for e in events if "path" in e}
    assert sorted(p for p in read if not _inside(p, prefixes) and p not in config) == []
    assert [p for p in read if _inside(p, [os.path.realpath(outside)])] == []
    assert "9.9.9" not in result.stdout
