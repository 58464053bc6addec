"""Read a Keras native ``.keras`` zip, or the same members unzipped into a folder (formats.md §3).

Nothing is extracted to disk: every member is listed raw, duplicates included (the security rules
judge names, sizes, modes and compression ratios), JSON members are read with a cap because the
sizes a zip declares can lie, the weights store is read lazily by h5py straight from the member
stream, and a ``.npz`` store is only looked at through its ``.npy`` headers because its payload is
pickled objects. When no enabled rule looks at stored weights (``read_weights=False``) the HDF5
store is not opened at all, so h5py is not even imported, and a damaged store goes unreported.
"""

from __future__ import annotations

import ast
import io
import lzma
import os
import stat
import struct
import zipfile
import zlib
from collections.abc import Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO, Iterator

from ... import ir
from ...findings import ParseOutcome, Problem
from ...jsonutil import JsonProblem, parse_json
from ...keras.versions import keras_major
from ...remote import ranges
from ..h5.files import h5_file_opener, refuse_heap_trap
from ..h5.heap import HeapGuard, file_heap_trap, heap_trap
from ..parts import (
    PartProblem,
    describe_json,
    open_part,
    problem,
    read_capped,
    read_file_capped,
    some_names,
    too_many_members,
)
from . import CONFIG, KERAS_DIR, KERAS_HUB_PRESET, KERAS_ZIP, METADATA, SHARDED_INDEX
from .store import MemberUnreadable, StoreContents, read_h5_store
from .window import member_window

if TYPE_CHECKING:  # h5py is imported when a weights store is read, not for the config alone
    import h5py

    from ..h5.weights import Opener

H5_STORE = "model.weights.h5"  # Keras >= 2.12 and Keras 3
KERAS_211_STORE = "variables.h5"  # Keras 2.11 (experimental saving_lib)
NPZ_STORE = "model.weights.npz"  # weights_format="npz": every member is a pickled object array
WEIGHT_STORES = (H5_STORE, KERAS_211_STORE, NPZ_STORE)

MAX_CONFIG_BYTES = 64 << 20
MAX_METADATA_BYTES = 1 << 20
# HDF5 reads a store out of order, and every backward seek restarts a compressed member stream, so a
# compressed store (Keras never writes one) is inflated into memory first, up to this size.
MAX_COMPRESSED_STORE_BYTES = 256 << 20
# numpy refuses longer .npy headers by default (np.load max_header_size) and Keras writes ~120 bytes.
MAX_NPY_HEADER_BYTES = 10_000
NPY_MAGIC = b"\x93NUMPY"
# zipfile reports damaged or unsupported members with these (bad CRC, truncated data, encryption,
# unknown compression method, corrupt deflate/bzip2/lzma streams) and with OSError.
ZIP_DATA_ERRORS = (zipfile.BadZipFile, zlib.error, lzma.LZMAError, EOFError, NotImplementedError, RuntimeError)
ZIP_MEMBER_ERRORS = (*ZIP_DATA_ERRORS, OSError)

RESAVE_FIX = "re-export the model with model.save('model.keras') from the code that trained it"


@contextmanager
def _zip_errors() -> Iterator[None]:
    try:
        yield
    except ZIP_MEMBER_ERRORS as exc:
        raise PartProblem(f"cannot be read ({type(exc).__name__}: {exc})") from None


def _open_member(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> BinaryIO:
    if info.flag_bits & 0x1:
        raise PartProblem("is encrypted (password protected); Keras cannot read it either")
    with _zip_errors():
        return zf.open(info)


class _ZipSource:
    """The members of a ``.keras`` zip, read in place."""

    kind, what = "zip", "zip archive"
    unreadable: tuple[str, ...] = ()

    def __init__(self, path: str, zf: zipfile.ZipFile) -> None:
        self.path = path
        self._zf = zf
        infos = zf.infolist()
        self.members = tuple(
            ir.ArchiveMember(i.filename, i.file_size, i.compress_size, i.compress_type, i.is_dir(), i.external_attr)
            for i in infos
        )
        # zipfile, and so Keras, resolves a duplicated name to its last entry.
        self._infos = {i.filename: i for i in infos}

    def has(self, name: str) -> bool:
        return name in self._infos

    def read(self, name: str, cap: int) -> bytes:
        info = self._infos[name]
        with _open_member(self._zf, info) as fh, _zip_errors():
            return read_capped(fh, info.file_size, cap)

    def stream(self, name: str) -> BinaryIO:
        return _open_member(self._zf, self._infos[name])

    def _inflated(self, name: str) -> bytes:
        try:
            return self.read(name, MAX_COMPRESSED_STORE_BYTES)
        except PartProblem as exc:
            raise PartProblem(f"{exc} (it is compressed, so h5lint would inflate it into memory)") from None

    def h5_opener(self, name: str) -> Opener:
        import h5py

        path, info = self.path, self._infos[name]
        if info.compress_type != zipfile.ZIP_STORED:
            data = self._inflated(name)
            refuse_heap_trap(heap_trap(data))
            return lambda: h5py.File(io.BytesIO(data), "r")
        if ranges.serves(path):
            return self._remote_h5_opener(name)
        refuse_heap_trap(file_heap_trap(path))  # a stored member's bytes are the zip's own

        @contextmanager
        def reopen() -> Iterator[h5py.File]:
            try:
                with zipfile.ZipFile(path) as zf, _open_member(zf, info) as fh, h5py.File(fh, "r") as h5:
                    yield h5
            except PartProblem as exc:
                raise MemberUnreadable(str(exc)) from None
            except ZIP_DATA_ERRORS as exc:  # raised by the member stream h5py reads through
                raise MemberUnreadable(f"cannot be read ({type(exc).__name__}: {exc})") from None

        return reopen

    def _remote_h5_opener(self, name: str) -> Opener:
        """A stored store in a remote zip, read in place through a window, heaps guarded as HDF5 reads them."""
        import h5py

        path, info = self.path, self._infos[name]

        @contextmanager
        def reopen() -> Iterator[h5py.File]:
            raw = ranges.opened(path)
            assert raw is not None
            try:
                window = member_window(raw, info, raw.size)
            except PartProblem as exc:
                raise MemberUnreadable(str(exc)) from None
            with h5py.File(HeapGuard(window, window.size), "r") as h5:
                yield h5

        return reopen


def _folder_members(root: Path, unreadable: list[str]) -> Iterator[ir.ArchiveMember]:
    """Every entry below ``root`` as a zip would list it (folders end in '/', modes in external_attr)."""

    def note(exc: OSError) -> None:
        unreadable.append(f"{exc.filename}: {exc.strerror or exc}")

    # os.walk does not enter symlinked folders; they are listed as the links they are (lstat).
    for dirpath, dirnames, filenames in os.walk(root, onerror=note):
        dirnames.sort()
        for name in sorted(dirnames + filenames):
            full = Path(dirpath, name)
            try:
                info = os.lstat(full)
            except OSError as exc:
                note(exc)
                continue
            rel = full.relative_to(root).as_posix()
            is_dir = stat.S_ISDIR(info.st_mode)
            size = 0 if is_dir else info.st_size
            # zipfile.ZipInfo.from_file's convention: Unix mode in the high word, MS-DOS folder bit.
            attr = (info.st_mode & 0xFFFF) << 16 | (0x10 if is_dir else 0)
            yield ir.ArchiveMember(rel + "/" if is_dir else rel, size, size, zipfile.ZIP_STORED, is_dir, attr)


class _FolderSource:
    """The files of an unzipped Keras folder (``save_model(..., zipped=False)``)."""

    kind, what = "dir", "folder"

    def __init__(self, path: str) -> None:
        self.path = path
        self._root = Path(path)
        self.unreadable: list[str] = []
        self.members = tuple(_folder_members(self._root, self.unreadable))
        self._files = {m.name for m in self.members if not m.is_dir}

    def has(self, name: str) -> bool:
        return name in self._files

    def read(self, name: str, cap: int) -> bytes:
        return read_file_capped(self._root / name, cap, self._root)

    def stream(self, name: str) -> BinaryIO:
        return open_part(self._root / name, self._root)

    def h5_opener(self, name: str) -> Opener:
        return h5_file_opener(self._root / name, self._root)


def _npy_header(head: bytes) -> tuple[str, tuple[int, ...]]:
    """``(descr, shape)`` from the start of a ``.npy`` file; the array data is never touched."""
    if not head.startswith(NPY_MAGIC) or len(head) < 10:
        raise PartProblem("is not a .npy array (no \\x93NUMPY magic)")
    major, minor = head[6], head[7]
    if major == 1:
        (length,), start = struct.unpack_from("<H", head, 8), 10
    elif major in (2, 3) and len(head) >= 12:
        (length,), start = struct.unpack_from("<I", head, 8), 12
    else:
        raise PartProblem(f"has an unknown .npy format version {major}.{minor}")
    if length > MAX_NPY_HEADER_BYTES:
        raise PartProblem(f"has a {length:,}-byte .npy header, over numpy's limit of {MAX_NPY_HEADER_BYTES:,}")
    raw = head[start : start + length]
    if len(raw) < length:
        raise PartProblem("has a truncated .npy header")
    try:
        # The header is a Python dict literal; literal_eval builds literals only, it runs no code.
        header = ast.literal_eval(raw.decode("utf-8" if major == 3 else "latin-1"))
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError, UnicodeDecodeError):
        raise PartProblem("has a .npy header that is not a Python dict literal") from None
    shape = header.get("shape") if isinstance(header, dict) else None
    if not isinstance(shape, tuple) or not all(isinstance(d, int) and not isinstance(d, bool) for d in shape):
        raise PartProblem("has a .npy header without an integer 'shape'")
    if "descr" not in header:
        raise PartProblem("has a .npy header without a 'descr'")
    descr = header["descr"]
    # A structured dtype's descr is a list of fields; its repr is what a rule can look at.
    return (descr if isinstance(descr, str) else repr(descr)), shape


def _npy_members(source: _ZipSource | _FolderSource, name: str) -> tuple[ir.NpyMember, ...]:
    """The headers of every member of an ``.npz`` store (a zip inside the zip)."""
    found = []
    with source.stream(name) as fh:
        try:
            inner = zipfile.ZipFile(fh)
        except (zipfile.BadZipFile, OSError, EOFError) as exc:
            raise PartProblem(f"is not a readable .npz (zip) archive ({exc})") from None
        with inner:
            crowded = too_many_members(len(inner.infolist()), "the .npz archive")
            if crowded:
                raise PartProblem(f"is not read: {crowded}")
            for info in inner.infolist():
                if info.is_dir():
                    continue
                try:
                    with _open_member(inner, info) as npy, _zip_errors():
                        descr, shape = _npy_header(npy.read(MAX_NPY_HEADER_BYTES + 12))
                except PartProblem as exc:
                    raise PartProblem(f"member {info.filename} {exc}") from None
                found.append(ir.NpyMember(info.filename, descr, shape))
    return tuple(found)


def _layout(keras_version: str | None, store: str | None, kind: str, source: _ZipSource | _FolderSource) -> str:
    major = keras_major(keras_version)
    if store == KERAS_211_STORE:
        base = "keras-2.11"
    elif major is not None and major >= 3:
        base = "keras3"
    elif major == 2:
        base = "tf-keras"
    else:
        base = "keras"
    if store == SHARDED_INDEX:
        kind = f"sharded-{kind}"
    elif kind == "dir" and _hugging_face_card(source):
        kind = "hf-dir"
    return f"{base}-{kind}"


# The model card Keras writes into a Hugging Face upload (keras/src/saving/saving_lib.py _MODEL_CARD_TEMPLATE).
HF_MODEL_CARD = "README.md"
HF_LIBRARY_TAG = b"library_name: keras"


def _hugging_face_card(source: _ZipSource | _FolderSource) -> bool:
    """A folder saved to or downloaded from the Hugging Face Hub (``hf://``): its README.md model card."""
    if not source.has(HF_MODEL_CARD):
        return False
    try:
        return HF_LIBRARY_TAG in source.read(HF_MODEL_CARD, MAX_METADATA_BYTES)
    except PartProblem:
        return False


def _keras_hub_version(metadata: Mapping[str, Any]) -> str | None:
    """``keras-hub 0.31.1`` for a KerasHub preset's metadata.json (``keras-nlp 0.x`` for older presets)."""
    for key, package in (("keras_hub_version", "keras-hub"), ("keras_nlp_version", "keras-nlp")):
        version = _text(metadata.get(key))
        if version:
            return f"{package} {version}"
    return None


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _load_json(source: _ZipSource | _FolderSource, name: str, cap: int) -> tuple[Any, tuple[str, ...]]:
    """Parse a JSON member; raises PartProblem with a whole sentence naming the member."""
    try:
        data = source.read(name, cap)
    except PartProblem as exc:
        raise PartProblem(f"member {name} {exc}") from None
    try:
        return parse_json(data, f"member {name}", max_bytes=cap)
    except JsonProblem as exc:
        raise PartProblem(str(exc)) from None


def _read_store(
    source: _ZipSource | _FolderSource, problems: list[Problem], read_weights: bool, preset: bool
) -> tuple[str | None, StoreContents]:
    # Keras looks for the stores in this order and fails when there is none.
    store = next((name for name in WEIGHT_STORES if source.has(name)), None)
    if store is None and source.has(SHARDED_INDEX):
        return SHARDED_INDEX, _read_sharded_store(source, problems, read_weights, preset)
    if store is None:
        message = (
            f"no weights store ({', '.join(WEIGHT_STORES)}) in the {source.what}; Keras' load_model fails "
            f"with 'Expected a model.weights.h5 or model.weights.npz file'"
        )
        problems.append(problem(source.path, message, "file", RESAVE_FIX))
        return None, StoreContents()
    try:
        if store == NPZ_STORE:  # headers only, always: object arrays are a security finding
            return store, StoreContents(npy_members=_npy_members(source, store))
        if not read_weights:
            return store, StoreContents()
        return store, read_h5_store(source.h5_opener(store))
    except PartProblem as exc:
        problems.append(problem(source.path, f"member {store} {exc}", f"member:{store}", RESAVE_FIX))
        return store, StoreContents()


def _read_sharded_store(
    source: _ZipSource | _FolderSource, problems: list[Problem], read_weights: bool, preset: bool
) -> StoreContents:
    """Weights kept as a sharded index and its shards (a KerasHub preset, or save_weights(max_shard_size=...))."""
    from .sharded import read_sharded

    if not preset:
        # Keras 3.15.1 raises that ValueError for a zip; for a folder its finally clause turns it into
        # "UnboundLocalError: cannot access local variable 'weights_store'" (checked by loading both).
        seen = "" if source.kind == "zip" else " (Keras 3.15.1 reports it as UnboundLocalError: 'weights_store')"
        message = (
            f"the {source.what} keeps its weights sharded ({SHARDED_INDEX} and its shards), which "
            f"keras.saving.load_model does not read: it fails with 'Expected a model.weights.h5 or model.weights.npz "
            f"file'{seen}; only KerasHub's from_preset and model.load_weights('{SHARDED_INDEX}') read sharded weights"
        )
        fix = f"build the model in code and call model.load_weights('{SHARDED_INDEX}'), or re-save it with model.save"
        problems.append(problem(source.path, message, f"member:{SHARDED_INDEX}", fix))
    if not read_weights:
        return StoreContents()
    try:
        doc, _ = _load_json(source, SHARDED_INDEX, MAX_CONFIG_BYTES)
    except PartProblem as exc:
        problems.append(problem(source.path, str(exc), f"member:{SHARDED_INDEX}", RESAVE_FIX))
        return StoreContents()
    siblings = [m.name for m in source.members if not m.is_dir and "/" not in m.name]
    store = read_sharded(source.path, SHARDED_INDEX, doc if isinstance(doc, Mapping) else {}, siblings, source.h5_opener)
    if store is None:
        message = f"member {SHARDED_INDEX} has no weight_map mapping variable paths to shard file names"
        problems.append(problem(source.path, message, f"member:{SHARDED_INDEX}", RESAVE_FIX))
        return StoreContents()
    problems.extend(store.problems)
    return store.contents


def _read_model(source: _ZipSource | _FolderSource, fmt: ir.Format, read_weights: bool) -> ParseOutcome:
    path = source.path
    problems = [
        problem(path, f"part of the folder cannot be listed ({entry})", "file", "check the folder's permissions")
        for entry in source.unreadable
    ]
    if not source.has(CONFIG):
        members = some_names([m.name for m in source.members])
        message = f"{source.what} without {CONFIG}: not a Keras model (members: {members})"
        if not path.lower().endswith(".keras"):  # any other zip (data, a wheel, .npz) is no model at all
            return ParseOutcome(None, (*problems, problem(path, message, "file", RESAVE_FIX)), not_a_model=message)
        # A .keras without its config is a broken model: its other members are still checked.
        problems.append(problem(path, message, "file", RESAVE_FIX))
    # A part that cannot be read is reported and the rest is still read: a broken config.json must not
    # hide the members, the weights store or the version the archive records.
    config: Any = None
    nonstandard: tuple[str, ...] = ()
    if source.has(CONFIG):
        try:
            config, nonstandard = _load_json(source, CONFIG, MAX_CONFIG_BYTES)
        except PartProblem as exc:
            problems.append(problem(path, str(exc), f"member:{CONFIG}", RESAVE_FIX))
        else:
            if not isinstance(config, Mapping) or not isinstance(config.get("class_name"), str):
                shape = describe_json(config)
                message = f'member {CONFIG} is not a Keras model ({{"class_name": ..., "config": ...}}); {shape}'
                problems.append(problem(path, message, f"member:{CONFIG}", RESAVE_FIX))
                config = None
    metadata: Mapping[str, Any] = {}
    metadata_unread = False
    if source.has(METADATA):  # optional: Keras loads without it, only the version is lost
        try:
            value, _ = _load_json(source, METADATA, MAX_METADATA_BYTES)
        except PartProblem as exc:
            problems.append(problem(path, str(exc), f"member:{METADATA}", RESAVE_FIX))
            metadata_unread = True
        else:
            metadata = value if isinstance(value, Mapping) else {}
    keras_version = _text(metadata.get("keras_version"))
    hub = _keras_hub_version(metadata)
    if hub is not None and source.kind == "dir":
        fmt = KERAS_HUB_PRESET

    store, contents = _read_store(source, problems, read_weights, preset=hub is not None)
    artifact = ir.ModelArtifact(
        path=path,
        format=fmt,
        layout="keras-hub-preset" if fmt is KERAS_HUB_PRESET else _layout(keras_version, store, source.kind, source),
        versions=ir.VersionTags(keras_version=keras_version, producer=hub, unread=metadata_unread),
        keras=ir.KerasConfig(
            config,
            config.get("compile_config"),
            training_source="compile_config",
            where=f"member {CONFIG}",
            location=f"member:{CONFIG}",
        )
        if config is not None
        else None,
        weights=contents.weights,
        has_optimizer_weights=contents.has_optimizer_weights,
        archive_members=source.members,
        npy_members=contents.npy_members,
        h5_references=contents.h5_references,
        files=tuple(dict.fromkeys(m.name for m in source.members if not m.is_dir)),
        nonstandard_json=nonstandard,
    )
    return ParseOutcome(artifact, tuple(problems))


def read(path: str, read_weights: bool = True) -> ParseOutcome:
    """A ``.keras`` zip file, or an unzipped Keras folder (one holding ``config.json``).

    ``read_weights=False`` leaves the HDF5 weights store unopened (no weights, links or store problems).
    """
    if os.path.isdir(path):
        return _read_model(_FolderSource(path), KERAS_DIR, read_weights)
    try:
        zf = zipfile.ZipFile(ranges.opened(path) or path)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, struct.error, OSError, EOFError, ValueError) as exc:
        fix = "re-download or re-export the file: a zip whose end (the central directory) is cut off cannot be read"
        return ParseOutcome(None, (problem(path, f"corrupt or truncated zip archive: {exc}", "file", fix),))
    with zf:
        crowded = too_many_members(len(zf.infolist()), "zip archive")
        if crowded:
            fix = "check where the file came from: a .keras file holds config.json, metadata.json, its weights and assets"
            return ParseOutcome(None, (problem(path, crowded, "file", fix),))
        return _read_model(_ZipSource(path, zf), KERAS_ZIP, read_weights)
