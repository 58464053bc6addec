"""Turn the paths a user gives into model artifacts, recognised by their bytes.

A SavedModel, an unzipped Keras folder and a TF.js model are one artifact each, whichever member
file is named (pre-commit passes ``saved_model.pb`` or ``variables/variables.index``); folders are
walked recursively without following symlinked folders, so link loops cannot trap the walk.
"""

from __future__ import annotations

import os
import re
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator

HDF5_SIGNATURE = b"\x89HDF\r\n\x1a\n"
ZIP_SIGNATURES = (b"PK\x03\x04", b"PK\x05\x06")
LFS_POINTER_PREFIX = b"version https://git-lfs.github.com/spec/"

# SavedModel member names (tensorflow/python/saved_model/constants.py); the SavedModel parser uses them too.
GRAPH_PB = "saved_model.pb"
GRAPH_PBTXT = "saved_model.pbtxt"
GRAPH_CPB = "saved_model.cpb"
KERAS_METADATA = "keras_metadata.pb"
FINGERPRINT = "fingerprint.pb"
SAVEDMODEL_FILES = (GRAPH_PB, GRAPH_PBTXT, GRAPH_CPB)
SAVEDMODEL_MEMBERS = SAVEDMODEL_FILES + (KERAS_METADATA, FINGERPRINT)
# Extensions that say "this is meant to be a model" (so unreadable bytes are worth a finding).
MODEL_SUFFIXES = (".h5", ".hdf5", ".h5f", ".h5py", ".keras", ".pb", ".pbtxt", ".model", ".hd5", ".he5")
SNIFF_BYTES = 4096

# Containers a candidate can have.
HDF5 = "hdf5"
ZIP = "zip"
JSON = "json"
SAVEDMODEL_DIR = "savedmodel-dir"
KERAS_DIR = "keras-dir"
LFS_POINTER = "lfs-pointer"
EMPTY = "empty"
UNKNOWN = "unknown"
MISSING = "missing"
UNREADABLE = "unreadable"
SPECIAL = "special"


@dataclass(frozen=True)
class Candidate:
    path: str
    container: str
    detail: str | None = None  # why it is unreadable/special


def sniff_bytes(head: bytes) -> str:
    if not head:
        return EMPTY
    if head.startswith(HDF5_SIGNATURE):
        return HDF5
    # HDF5 allows a user block of 512, 1024, 2048 ... bytes before the superblock.
    offset = 512
    while offset + 8 <= len(head):
        if head[offset : offset + 8] == HDF5_SIGNATURE:
            return HDF5
        offset *= 2
    if head.startswith(ZIP_SIGNATURES):
        return ZIP
    if head.startswith(LFS_POINTER_PREFIX):
        return LFS_POINTER
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    # '"' too: some projects json.dump() the string model.to_json() returns, encoding it twice.
    if stripped[:1] in (b"{", b"[", b'"'):
        return JSON
    return UNKNOWN


def _read_head(path: Path) -> bytes:
    with open(path, "rb") as fh:
        head = fh.read(SNIFF_BYTES)
        # A user block can push the HDF5 superblock further than the first read.
        if len(head) == SNIFF_BYTES and not head.startswith(HDF5_SIGNATURE):
            offset = SNIFF_BYTES
            while offset <= 1 << 20:
                fh.seek(offset)
                if fh.read(8) == HDF5_SIGNATURE:
                    return HDF5_SIGNATURE
                offset *= 2
    return head


def sniff_file(path: Path) -> Candidate:
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        return Candidate(str(path), MISSING, "no such file or folder")
    except OSError as exc:
        return Candidate(str(path), UNREADABLE, exc.strerror or str(exc))
    if not stat.S_ISREG(mode):
        return Candidate(str(path), SPECIAL, "not a regular file (FIFO, socket or device); skipped")
    try:
        head = _read_head(path)
    except OSError as exc:
        return Candidate(str(path), UNREADABLE, exc.strerror or str(exc))
    return Candidate(str(path), sniff_bytes(head))


def is_savedmodel_dir(folder: Path) -> bool:
    if any((folder / name).is_file() for name in SAVEDMODEL_MEMBERS):
        return True
    return (folder / "variables" / "variables.index").is_file()


def is_keras_dir(folder: Path) -> bool:
    return (folder / "config.json").is_file() and (
        (folder / "metadata.json").is_file() or (folder / "model.weights.h5").is_file()
    )


def _owning_artifact_dir(path: Path) -> Path | None:
    """The SavedModel/Keras folder a member file belongs to, if it is one."""
    parent = path.parent
    if path.name in SAVEDMODEL_MEMBERS and is_savedmodel_dir(parent):
        return parent
    if parent.name == "variables" and is_savedmodel_dir(parent.parent):
        return parent.parent
    if parent.name == "assets" and is_savedmodel_dir(parent.parent):
        return parent.parent
    if path.name in ("config.json", "metadata.json", "model.weights.h5") and is_keras_dir(parent):
        return parent
    return None


# A key of a Keras/TF.js model or of a sharded weights index; the closing quote may be escaped, so JSON
# encoded twice ({\"class_name\": ...}) is recognised too, but a mention inside a string (a README-like
# JSON saying "class_name='system'") is not.
_MODEL_JSON_KEY = re.compile(rb'(?:modelTopology|class_name|weight_map|weightsManifest)\\?"\s*:')


def _looks_like_model_json(path: Path) -> bool:
    """Cheap check that a .json file holds a Keras/TF.js model or a sharded weights index."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(1 << 16)
    except OSError:
        return False
    return _MODEL_JSON_KEY.search(head) is not None


def _folder_candidate(folder: Path) -> Candidate | None:
    try:
        if is_savedmodel_dir(folder):
            return Candidate(str(folder), SAVEDMODEL_DIR)
        if is_keras_dir(folder):
            return Candidate(str(folder), KERAS_DIR)
    except OSError as exc:  # a folder without search permission: Path.is_file raises EACCES
        return Candidate(str(folder), UNREADABLE, exc.strerror or str(exc))
    return None


def _links_to_file(entry: os.DirEntry) -> bool:
    try:
        return entry.is_file()
    except OSError:  # a link loop (ELOOP) or an unreadable target: DirEntry raises where Path would not
        return False


def _walk(folder: Path, seen: set[tuple[int, int]]) -> Iterator[Candidate]:
    try:
        st = folder.stat()
    except OSError as exc:
        yield Candidate(str(folder), UNREADABLE, exc.strerror or str(exc))
        return
    key = (st.st_dev, st.st_ino)
    if key in seen:
        return
    seen.add(key)
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError as exc:
        yield Candidate(str(folder), UNREADABLE, exc.strerror or str(exc))
        return
    for entry in entries:
        path = Path(entry.path)
        if entry.name.startswith(".") and entry.is_dir(follow_symlinks=False):
            continue  # .git, .venv, .cache ...
        if entry.is_dir(follow_symlinks=False):
            owned = _folder_candidate(path)
            if owned is not None:
                yield owned
            else:
                yield from _walk(path, seen)
            continue
        if entry.is_symlink() and not _links_to_file(entry):
            continue  # a link to a folder or a dangling/looping link
        candidate = sniff_file(path)
        if candidate.container == SPECIAL:
            continue
        if candidate.container in (HDF5, ZIP):
            yield candidate
        elif candidate.container == JSON:
            if path.suffix.lower() == ".json" and _looks_like_model_json(path):
                yield candidate
        elif path.name.lower().endswith(MODEL_SUFFIXES):
            yield candidate  # an LFS pointer, empty or garbage file named like a model


def discover(paths: Iterable[str]) -> list[Candidate]:
    """Every artifact under ``paths``, each once, in the order given (folders sorted by name)."""
    found: list[Candidate] = []
    seen_paths: set[str] = set()
    seen_dirs: set[tuple[int, int]] = set()

    def add(candidate: Candidate) -> None:
        if candidate.path not in seen_paths:
            seen_paths.add(candidate.path)
            found.append(candidate)

    for raw in paths:
        path = Path(raw)
        try:
            if path.is_dir():
                owned = _folder_candidate(path)
                if owned is not None:
                    add(owned)
                else:
                    for candidate in _walk(path, seen_dirs):
                        add(candidate)
                continue
            owner = _owning_artifact_dir(path) if path.is_file() else None
        except OSError as exc:  # a path inside a folder without search permission
            add(Candidate(str(path), UNREADABLE, exc.strerror or str(exc)))
            continue
        if owner is not None:
            add(_folder_candidate(owner) or Candidate(str(owner), SAVEDMODEL_DIR))
        else:
            add(sniff_file(path))
    return found
