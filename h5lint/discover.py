"""Turn the paths a user gives into model artifacts, recognised by their bytes.

Formats come from the parsers' specs (:data:`h5lint.parsers.SPECS`): a file is the first spec's whose
sniff accepts its bytes, a folder is one artifact when a spec claims it (SavedModel, unzipped Keras),
and a member file given by name (pre-commit passes ``saved_model.pb`` or ``variables/variables.index``)
maps back to its folder. Folders are walked recursively without following symlinked folders, so link
loops cannot trap the walk.
"""

from __future__ import annotations

import io
import os
import stat
from pathlib import Path
from typing import Iterable, Iterator

from .candidate import (
    EMPTY,
    LFS_POINTER,
    MISSING,
    NO_ACCESS,
    PICKLE,
    SPECIAL,
    UNKNOWN,
    Candidate,
)
from .parsers import SPECS

LFS_POINTER_PREFIX = b"version https://git-lfs.github.com/spec/"
SNIFF_BYTES = 4096
FILE_SPECS = tuple(spec for spec in SPECS if spec.sniff is not None)
FOLDER_SPECS = tuple(spec for spec in SPECS if spec.claims_folder is not None)
# Names that say "this is meant to be a model", so unreadable bytes are worth a finding.
MODEL_SUFFIXES = tuple(dict.fromkeys(s for spec in SPECS for s in spec.model_suffixes)) + (".model",)
_FOUND_EVEN_IF_UNNAMED = frozenset(spec.container for spec in FILE_SPECS if spec.found_by_walk is None)


# A pickle starts with the PROTO opcode and its version (protocols 2-5) or, written by protocols 0-1,
# with the GLOBAL opcode that names the class of the pickled object (Python's pickletools docs).
_PROTO = 0x80
_PICKLE_PROTOCOLS = range(2, 6)
_GLOBAL = b"c"
# Opcodes looked at for the first name a pickle refers to: a model's pickle names its class early.
_PICKLE_OPS_READ = 64


def _pickle_detail(head: bytes) -> str | None:
    """What a pickle is (``a Python pickle (protocol 4) that names sklearn.svm._classes.SVC first``), or None.

    The bytes are disassembled with pickletools, which reads opcodes and their arguments and builds no
    object: nothing is unpickled or imported.
    """
    framed = len(head) > 1 and head[0] == _PROTO and head[1] in _PICKLE_PROTOCOLS
    if not framed and not head.startswith(_GLOBAL):
        return None
    import pickletools

    names: list[str] = []
    strings: list[str] = []
    ops = 0
    try:
        for opcode, arg, _at in pickletools.genops(io.BytesIO(head)):
            ops += 1
            if opcode.name == "GLOBAL" and isinstance(arg, str):
                names.append(arg.replace(" ", "."))
            elif opcode.name == "STACK_GLOBAL" and len(strings) >= 2:
                names.append(f"{strings[-2]}.{strings[-1]}")
            elif isinstance(arg, str):
                strings.append(arg)
            if names or ops >= _PICKLE_OPS_READ:
                break
    except Exception:  # noqa: BLE001 - hostile or cut-off bytes end the look; what was read stands
        pass
    if not names and (not framed or ops < 2):
        return None  # neither a named object nor a protocol header followed by an opcode
    protocol = f" (protocol {head[1]})" if framed else ""
    return f"a Python pickle{protocol}" + (f" that names {names[0]} first" if names else "")


def _sniff(path: Path) -> tuple[str, str | None]:
    with open(path, "rb") as fh:
        head = fh.read(SNIFF_BYTES)
        if not head:
            return EMPTY, None
        for spec in FILE_SPECS:
            assert spec.sniff is not None
            if spec.sniff(head, fh):
                return spec.container, None
    if head.startswith(LFS_POINTER_PREFIX):
        return LFS_POINTER, None
    pickled = _pickle_detail(head)
    return (PICKLE, pickled) if pickled else (UNKNOWN, None)


def sniff_file(path: Path) -> Candidate:
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        return Candidate(str(path), MISSING, "no such file or folder")
    except OSError as exc:
        return Candidate(str(path), NO_ACCESS, exc.strerror or str(exc))
    if not stat.S_ISREG(mode):
        return Candidate(str(path), SPECIAL, "not a regular file (FIFO, socket or device); skipped")
    try:
        return Candidate(str(path), *_sniff(path))
    except OSError as exc:
        return Candidate(str(path), NO_ACCESS, exc.strerror or str(exc))


def _owning_artifact_dir(path: Path) -> Candidate | None:
    """The folder artifact a member file belongs to, if it is one."""
    for spec in FOLDER_SPECS:
        owner = spec.owner_of(path) if spec.owner_of is not None else None
        if owner is not None:
            return _folder_candidate(owner) or Candidate(str(owner), spec.container)
    return None


def _folder_candidate(folder: Path) -> Candidate | None:
    try:
        for spec in FOLDER_SPECS:
            assert spec.claims_folder is not None
            if spec.claims_folder(folder):
                return Candidate(str(folder), spec.container)
    except OSError as exc:  # a folder without search permission: Path.is_file raises EACCES
        return Candidate(str(folder), NO_ACCESS, exc.strerror or str(exc))
    return None


def _links_to_file(entry: os.DirEntry) -> bool:
    try:
        return entry.is_file()
    except OSError:  # a link loop (ELOOP) or an unreadable target: DirEntry raises where Path would not
        return False


def _found_by_walk(candidate: Candidate, path: Path) -> bool:
    """Whether a file met while walking a folder is worth reporting."""
    if candidate.container in _FOUND_EVEN_IF_UNNAMED:
        return True
    spec = next((s for s in FILE_SPECS if s.container == candidate.container), None)
    if spec is not None:
        return spec.found_by_walk is not None and spec.found_by_walk(path)
    return path.name.lower().endswith(MODEL_SUFFIXES)  # an LFS pointer, empty or garbage file named like a model


def _walk(folder: Path, seen: set[tuple[int, int]]) -> Iterator[Candidate]:
    try:
        st = folder.stat()
    except OSError as exc:
        yield Candidate(str(folder), NO_ACCESS, exc.strerror or str(exc))
        return
    key = (st.st_dev, st.st_ino)
    if key in seen:
        return
    seen.add(key)
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError as exc:
        yield Candidate(str(folder), NO_ACCESS, exc.strerror or str(exc))
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
        if candidate.container != SPECIAL and _found_by_walk(candidate, path):
            yield candidate


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
            add(Candidate(str(path), NO_ACCESS, exc.strerror or str(exc)))
            continue
        add(owner if owner is not None else sniff_file(path))
    return found
