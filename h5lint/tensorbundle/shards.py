"""What is wrong with a bundle's data shards, as the index describes them.

Without reading tensor bytes: a shard that is missing, a link out of the folder, not a regular
file; a shard shorter than an entry's ``offset + size``; tensors whose byte ranges overlap; a
numeric entry whose size is not elements x element size; a partitioned tensor whose slice entry is
missing. With ``crc_budget`` > 0, also the CRC-32C of each tensor's bytes, in shard and offset order,
until the budget is spent (pure-Python CRC runs at tens of MB/s, so checking a multi-GB checkpoint is
the caller's decision); tensors left unchecked are listed in one ``crc-unchecked`` problem.
"""

from __future__ import annotations

import os
from collections import defaultdict
from dataclasses import dataclass

from . import crc32c, files
from .bundle import Bundle
from .dtypes import DT_STRING, DT_VARIANT, ELEMENT_SIZES
from .entries import BundleEntry
from .errors import BundleError
from .strings import parse_string_tensor

MISSING_SHARD = "missing-shard"
SHARD_OUTSIDE_FOLDER = "shard-outside-folder"
UNREADABLE_SHARD = "unreadable-shard"
SHORT_SHARD = "short-shard"
OVERLAPPING_TENSORS = "overlapping-tensors"
DTYPE_SIZE_MISMATCH = "dtype-size-mismatch"
MISSING_SLICE = "missing-slice"
CRC_MISMATCH = "crc-mismatch"
BAD_STRING_TENSOR = "bad-string-tensor"
CRC_UNCHECKED = "crc-unchecked"

_OPEN_PROBLEMS = {
    files.MISSING: MISSING_SHARD,
    files.OUTSIDE: SHARD_OUTSIDE_FOLDER,
    files.NOT_A_FILE: UNREADABLE_SHARD,
    files.UNREADABLE: UNREADABLE_SHARD,
}
_READ_PIECE = 1 << 20  # bytes read at a time while checksumming


@dataclass(frozen=True)
class ShardProblem:
    kind: str  # one of the constants above
    shard: str  # the data file's name ("ckpt.data-00000-of-00001"), "" for a problem of the index alone
    keys: tuple[str, ...]  # the entries affected, as BundleEntry.key
    message: str


def _labels(entries: list[BundleEntry], limit: int = 5) -> str:
    shown = ", ".join(e.label for e in entries[:limit])
    return shown + (f" and {len(entries) - limit:,} more" if len(entries) > limit else "")


def _size_problems(bundle: Bundle) -> list[ShardProblem]:
    problems = []
    for entry in bundle.entries:
        if entry.sliced:
            continue
        shard = os.path.basename(bundle.shard_path(entry.shard_id))
        item = ELEMENT_SIZES.get(entry.dtype_code)
        if item is not None and entry.size != entry.elements * item:
            message = (
                f"{entry.label} is {entry.dtype} of shape {entry.shape}: {entry.elements:,} elements of {item} bytes "
                f"make {entry.elements * item:,} bytes, but the index gives it {entry.size:,}"
            )
            problems.append(ShardProblem(DTYPE_SIZE_MISMATCH, shard, (entry.key,), message))
        elif entry.dtype_code == DT_STRING and entry.elements and entry.size < entry.elements + 4:
            message = (
                f"{entry.label} holds {entry.elements:,} strings, which take at least {entry.elements + 4:,} bytes "
                f"(a length each and a checksum), but the index gives it {entry.size:,}"
            )
            problems.append(ShardProblem(DTYPE_SIZE_MISMATCH, shard, (entry.key,), message))
    return problems


def _slice_problems(bundle: Bundle) -> list[ShardProblem]:
    stored = {(e.slice_of, e.slice_spec) for e in bundle.entries if e.slice_of is not None}
    problems = []
    for entry in bundle.entries:
        missing = [spec for spec in entry.slices if (entry.key, spec) not in stored]
        if missing:
            message = f"{entry.label} is partitioned, but the index has no entry for its slice(s) {', '.join(missing)}"
            problems.append(ShardProblem(MISSING_SLICE, "", (entry.key,), message))
    return problems


def _short_shard(shard: str, size: int, past_end: list[BundleEntry]) -> ShardProblem:
    if len(past_end) == 1:
        entry = past_end[0]
        message = (
            f"{shard} is {size:,} bytes, but {entry.label} needs bytes {entry.offset:,}-{entry.offset + entry.size:,}"
        )
    else:
        end = max(e.offset + e.size for e in past_end)
        message = f"{shard} is {size:,} bytes, but {len(past_end):,} tensors end past it, up to byte {end:,}: {_labels(past_end)}"
    return ShardProblem(SHORT_SHARD, shard, tuple(e.key for e in past_end), message)


def _layout_problems(shard: str, size: int, entries: list[BundleEntry]) -> list[ShardProblem]:
    past_end = [e for e in entries if e.offset + e.size > size]
    problems = [_short_shard(shard, size, past_end)] if past_end else []
    placed = sorted((e for e in entries if e.size), key=lambda e: (e.offset, e.size))
    for before, after in zip(placed, placed[1:]):
        if after.offset < before.offset + before.size:
            message = (
                f"{shard}: {before.label} (bytes {before.offset:,}-{before.offset + before.size:,}) and "
                f"{after.label} (bytes {after.offset:,}-{after.offset + after.size:,}) overlap"
            )
            problems.append(ShardProblem(OVERLAPPING_TENSORS, shard, (before.key, after.key), message))
    return problems


def _stream_crc(handle, entry: BundleEntry, path: str) -> int:
    register = 0
    done = 0
    while done < entry.size:
        piece = files.read_exactly(handle, entry.offset + done, min(_READ_PIECE, entry.size - done), path)
        register = crc32c.extend(register, piece)
        done += len(piece)
    return register


def _crc_problem(bundle: Bundle, handle, entry: BundleEntry, path: str) -> ShardProblem | None:
    shard = os.path.basename(path)
    where = f"{shard}: {entry.label}"
    if entry.dtype_code == DT_STRING:
        data = files.read_exactly(handle, entry.offset, entry.size, path)
        try:
            computed = parse_string_tensor(data, entry.elements, bundle.header.endianness, where).crc32c
        except BundleError as exc:
            return ShardProblem(BAD_STRING_TENSOR, shard, (entry.key,), str(exc))
    else:
        computed = _stream_crc(handle, entry, path)
    if entry.crc32c is not None and crc32c.unmask(entry.crc32c) == computed:
        return None
    stored = "no checksum" if entry.crc32c is None else f"CRC-32C 0x{crc32c.unmask(entry.crc32c):08x}"
    message = f"{where}: checksum mismatch: the index stores {stored}, its {entry.size:,} bytes give 0x{computed:08x}"
    return ShardProblem(CRC_MISMATCH, shard, (entry.key,), message)


def shard_problems(bundle: Bundle, *, crc_budget: int = 0) -> list[ShardProblem]:
    """Every problem of ``bundle``'s shards; tensor checksums verified over at most ``crc_budget`` bytes."""
    problems = _size_problems(bundle) + _slice_problems(bundle)
    by_shard: dict[int, list[BundleEntry]] = defaultdict(list)
    for entry in bundle.entries:
        if not entry.sliced:
            by_shard[entry.shard_id].append(entry)
    unchecked: list[BundleEntry] = []
    budget = crc_budget
    for shard_id in sorted(by_shard):
        entries = sorted(by_shard[shard_id], key=lambda e: e.offset)
        path = bundle.shard_path(shard_id)
        shard = os.path.basename(path)
        try:
            handle = files.open_inside(path)
        except files.FileProblem as exc:
            message = f"{exc} ({len(entries):,} tensor(s) stored there: {_labels(entries)})"
            problems.append(ShardProblem(_OPEN_PROBLEMS[exc.kind], shard, tuple(e.key for e in entries), message))
            continue
        with handle:
            size = files.file_size(handle)
            problems += _layout_problems(shard, size, entries)
            if crc_budget <= 0:
                continue
            for entry in entries:
                if entry.offset + entry.size > size:  # reported as short-shard already
                    continue
                if entry.dtype_code == DT_VARIANT or entry.size > budget:
                    unchecked.append(entry)
                    continue
                budget -= entry.size
                try:
                    problem = _crc_problem(bundle, handle, entry, path)
                except files.FileProblem as exc:
                    problem = ShardProblem(UNREADABLE_SHARD, shard, (entry.key,), str(exc))
                if problem:
                    problems.append(problem)
    if unchecked:
        message = (
            f"checksums not verified for {len(unchecked):,} tensor(s) ({_labels(unchecked)}): DT_VARIANT "
            f"(not checked by h5lint), or past the {crc_budget:,}-byte budget"
        )
        problems.append(ShardProblem(CRC_UNCHECKED, "", tuple(e.key for e in unchecked), message))
    return problems
