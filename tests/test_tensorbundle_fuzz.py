"""Hostile input for h5lint.tensorbundle: only BundleError escapes, and the work stays bounded.

Two kinds: real index files (and their shards) mutated by hypothesis, and hand-built tables,
protobufs and Snappy streams that each break one rule a reader must not trust. Bounded work is
checked by counting the bytes the reader asks of the files (no wall-clock asserts); memory by the
budgets passed to read_index and by tracemalloc.

Deterministic (``derandomize``) and bounded for the default run; ``H5LINT_FUZZ_EXAMPLES=5000``
also runs the longer search marked ``slow`` (``H5LINT_FUZZ_RANDOM=1`` for a random one).
"""

from __future__ import annotations

import os
import shutil
import struct
import tracemalloc
from contextlib import contextmanager
from pathlib import Path

import pytest
from bundlebuild import (
    block,
    bundle_index,
    crc32c_bitwise,
    entry_proto,
    field_bytes,
    field_varint,
    footer,
    handle,
    header_proto,
    mask,
    shape_proto,
    snappy_copy1,
    snappy_copy2,
    snappy_copy4,
    snappy_literal,
    snappy_literals,
    table,
    trailer,
    varint,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import h5lint.tensorbundle as tb
from h5lint.pbwire import read_varint
from h5lint.tensorbundle import crc32c, files, snappy
from h5lint.tensorbundle.dtypes import NUMPY_FORMATS
from h5lint.tensorbundle.sstable import read_table

FIXTURES = Path(__file__).parent / "fixtures" / "bundles"
SEEDS = [
    "keras_weights",
    "nan_checkpoint",
    "sharded_checkpoint",
    "partitioned_saver",
    "snappy_index",
    "dtypes_checkpoint",
]
LONG_SEARCH = int(os.environ.get("H5LINT_FUZZ_EXAMPLES", "0"))
BUDGET = dict(max_bytes=1 << 20, max_entries=2_000, max_object_graph_bytes=1 << 18)


def fuzz(examples: int) -> settings:
    return settings(
        max_examples=examples,
        derandomize=not os.environ.get("H5LINT_FUZZ_RANDOM"),
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )


@contextmanager
def counted_reads():
    """Counts the bytes every read of a bundle file returns."""
    real = files.read_exactly
    total = [0]

    def counting(handle, offset, size, path):
        data = real(handle, offset, size, path)
        total[0] += len(data)
        return data

    files.read_exactly = counting
    try:
        yield total
    finally:
        files.read_exactly = real


def exercise(index: Path) -> None:
    """Everything a caller does with a bundle; BundleError is the only exception allowed out."""
    try:
        bundle = tb.read_index(index, **BUDGET)
    except tb.BundleError:
        return
    tb.shard_problems(bundle, crc_budget=1 << 16)
    tb.variable_paths(bundle)
    tb.variable_full_names(bundle)
    for entry in bundle.entries:
        if entry.dtype_code in NUMPY_FORMATS and entry.size <= 1 << 16:
            try:
                for _ in tb.tensor_chunks(bundle, entry, 256, verify_crc=True):
                    pass
            except tb.BundleError:
                pass


def exercise_bounded(index: Path) -> None:
    folder_bytes = sum(p.stat().st_size for p in index.parent.iterdir() if p.is_file())
    tracemalloc.start()
    try:
        with counted_reads() as read:
            exercise(index)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    # The index once, the object graph once, checksums and values at most once per entry.
    assert read[0] <= (BUDGET["max_entries"] + 3) * folder_bytes
    assert peak < 16 << 20


# ---- mutations of real files ----


@pytest.fixture(scope="module")
def work(tmp_path_factory) -> Path:
    """Copies of the fixtures that mutants overwrite (and restore) one example after another."""
    return tmp_path_factory.mktemp("bundle-fuzz")


def _seed_folder(work: Path, name: str) -> tuple[Path, Path]:
    folder = work / name
    if not folder.exists():
        shutil.copytree(FIXTURES / name, folder)
    index = next(folder.glob("*.index"))
    return folder, index


mutation = st.one_of(
    st.tuples(st.just("flip"), st.integers(0, 1 << 20), st.integers(1, 255)),
    st.tuples(st.just("set"), st.integers(0, 1 << 20), st.binary(min_size=1, max_size=12)),
    st.tuples(st.just("truncate"), st.integers(0, 1 << 20), st.just(b"")),
    st.tuples(st.just("insert"), st.integers(0, 1 << 20), st.binary(min_size=1, max_size=12)),
    st.tuples(st.just("delete"), st.integers(0, 1 << 20), st.integers(1, 40)),
)


def _mutate(data: bytes, operations) -> bytes:
    out = bytearray(data)
    for kind, where, what in operations:
        pos = where % (len(out) + 1)
        if kind == "flip" and out:
            out[min(pos, len(out) - 1)] ^= what
        elif kind == "set":
            out[pos : pos + len(what)] = what
        elif kind == "truncate":
            del out[pos:]
        elif kind == "insert":
            out[pos:pos] = what
        elif kind == "delete":
            del out[pos : pos + what]
    return bytes(out)


def _run_mutated(work: Path, seed: str, target: str, operations) -> None:
    folder, index = _seed_folder(work, seed)
    victim = index if target == "index" else sorted(folder.glob("*.data-*"))[0]
    original = (FIXTURES / seed / victim.name).read_bytes()
    victim.write_bytes(_mutate(original, operations))
    try:
        exercise_bounded(index)
    finally:
        victim.write_bytes(original)


@fuzz(150)
@given(st.sampled_from(SEEDS), st.lists(mutation, min_size=1, max_size=4))
def test_mutated_index_files(work, seed, operations):
    _run_mutated(work, seed, "index", operations)


@fuzz(60)
@given(st.sampled_from(SEEDS), st.lists(mutation, min_size=1, max_size=4))
def test_mutated_data_shards(work, seed, operations):
    _run_mutated(work, seed, "shard", operations)


@fuzz(100)
@given(st.sampled_from(SEEDS), st.integers(0, 1 << 16), st.integers(1, 255))
def test_every_single_byte_flip_fails_cleanly(work, seed, where, bit):
    # Every index byte is covered by a block checksum or is part of the footer; only the footer's zero
    # padding may change unnoticed (TensorFlow skips it too).
    _, index = _seed_folder(work, seed)
    original = (FIXTURES / seed / index.name).read_bytes()
    pos = where % len(original)
    index.write_bytes(_mutate(original, [("flip", pos, bit)]))
    try:
        bundle = tb.read_index(index, **BUDGET)
    except tb.BundleError:
        return
    finally:
        index.write_bytes(original)
    padding_start = len(original) - 48 + len(_footer_handles(original))
    assert padding_start <= pos < len(original) - 8
    assert bundle == tb.read_index(index, **BUDGET)


def _footer_handles(index: bytes) -> bytes:
    pos = len(index) - 48
    for _ in range(4):
        _, pos = read_varint(index, pos)
    return index[len(index) - 48 : pos]


@pytest.mark.slow
@pytest.mark.skipif(not LONG_SEARCH, reason="the long search runs with H5LINT_FUZZ_EXAMPLES=<examples>")
@fuzz(max(LONG_SEARCH, 1))
@given(st.sampled_from(SEEDS), st.sampled_from(["index", "shard"]), st.lists(mutation, min_size=1, max_size=8))
def test_long_mutation_search(work, seed, target, operations):
    _run_mutated(work, seed, target, operations)


@fuzz(100)
@given(st.binary(max_size=600))
def test_random_bytes_as_an_index(work, data):
    index = work / "random.index"
    index.write_bytes(data)
    exercise_bounded(index)


@fuzz(100)
@given(st.lists(st.tuples(st.binary(max_size=12), st.binary(max_size=40)), max_size=12), st.booleans())
def test_random_entries_in_a_valid_table(work, entries, compress):
    """Valid tables whose values are arbitrary bytes: the protobuf layer must hold."""
    unique = sorted({key: value for key, value in entries}.items())
    index = work / "entries.index"
    index.write_bytes(
        bundle_index(
            [(b"", header_proto())] + [(k, v) for k, v in unique if k],
            per_block=3,
            compress=snappy_literals if compress else None,
        )
    )
    exercise_bounded(index)


# ---- CRC-32C ----


def test_crc32c_check_value():
    assert crc32c.value(b"123456789") == 0xE3069283  # the CRC-32C check value
    assert crc32c.value(b"") == 0


@pytest.mark.parametrize("size", [1, 255, 256, 257, 4095, 4096, 4097, 8192 + 300, 3 * 4096 + 255])
def test_crc32c_around_block_sizes(size):
    data = bytes((i * 131 + size) & 0xFF for i in range(size))
    assert crc32c.value(data) == crc32c_bitwise(data)


@fuzz(40)
@given(st.binary(max_size=6000), st.binary(max_size=600))
def test_crc32c_extends(first, second):
    assert crc32c.value(first + second) == crc32c_bitwise(first + second)
    assert crc32c.extend(crc32c.value(first), second) == crc32c.value(first + second)
    assert crc32c.unmask(crc32c.mask(crc32c.value(first))) == crc32c.value(first)
    assert crc32c.mask(crc32c.value(first)) == mask(crc32c_bitwise(first))


# ---- Snappy ----


def test_snappy_literals_and_copies():
    stream = varint(17) + snappy_literal(b"xab") + snappy_copy2(2, 4) + snappy_copy1(6, 4) + snappy_copy4(1, 6)
    assert snappy.decompress(stream, 100, "t") == b"xab" + b"abab" + b"abab" + b"b" * 6


def test_snappy_long_literals():
    for size in (60, 61, 300, 70_000):
        data = bytes(i % 251 for i in range(size))
        assert snappy.decompress(varint(size) + snappy_literal(data), 1 << 20, "t") == data


@pytest.mark.parametrize(
    "stream, message",
    [
        (varint(4) + snappy_copy2(1, 4), "t: Snappy copy at byte 1 reaches 1 bytes back, but only 0 bytes precede it"),
        (
            varint(8) + snappy_literal(b"abcd") + snappy_copy2(0, 4),
            "t: Snappy copy at byte 6 reaches 0 bytes back, but only 4 bytes precede it",
        ),
        (
            varint(8) + snappy_literal(b"abcd") + snappy_copy4(5, 4),
            "t: Snappy copy at byte 6 reaches 5 bytes back, but only 4 bytes precede it",
        ),
        (
            varint(8) + snappy_literal(b"abcd") + snappy_copy1(2000, 4),
            "t: Snappy copy at byte 6 reaches 2,000 bytes back, but only 4 bytes precede it",
        ),
        (
            varint(5) + snappy_literal(b"abcd") + snappy_copy2(1, 2),
            "t: Snappy copy at byte 6 overflows the announced 5 bytes",
        ),
        (varint(3) + snappy_literal(b"abcd"), "t: Snappy literal at byte 1 overflows the announced 3 bytes"),
        (varint(9) + snappy_literal(b"abcd"), "t: Snappy data ends after 4 of the announced 9 bytes"),
        (varint(9) + bytes([10 << 2]) + b"ab", "t: Snappy literal at byte 1 runs 11 bytes past the end"),
        (varint(9) + bytes([62 << 2]) + b"\x01", "t: Snappy literal at byte 1 is cut off"),
        (varint(9) + snappy_literal(b"abcd") + b"\x02\x01", "t: Snappy copy at byte 6 is cut off"),
        (varint(9) + snappy_literal(b"abcd") + b"\x01", "t: Snappy copy at byte 6 is cut off"),
        (varint(2**32 - 1), "t: Snappy data claims 4,294,967,295 uncompressed bytes, over the 1,000 allowed"),
        (b"\xff\xff\xff\xff\xff\x01", "t: the Snappy length preamble is damaged"),
        (b"\xff\xff\xff\xff\x7f", "t: the Snappy length preamble is damaged"),
        (b"", "t: the Snappy length preamble is damaged"),
    ],
)
def test_hostile_snappy(stream, message):
    with pytest.raises(tb.BundleError) as raised:
        snappy.decompress(stream, 1000, "t")
    assert str(raised.value) == message


@fuzz(200)
@given(st.binary(max_size=300))
def test_random_snappy(data):
    try:
        out = snappy.decompress(data, 4096, "t")
    except tb.BundleError:
        return
    assert len(out) <= 4096


def test_snappy_repeat_is_bounded_by_the_announced_length():
    # 1 literal byte then copies of length 64 at offset 1: 2 bytes of input per 64 bytes of output.
    stream = varint(1 + 64 * 1000) + snappy_literal(b"z") + snappy_copy2(1, 64) * 1000
    assert snappy.decompress(stream, 1 << 20, "t") == b"z" * 64_001
    with pytest.raises(tb.BundleError, match="claims 64,001 uncompressed bytes, over the 64,000 allowed"):
        snappy.decompress(stream, 64_000, "t")


# ---- hand-built hostile tables ----

HEADER = (b"", header_proto())


def _read(data: bytes, **budget) -> list:
    return read_table(data, "x.index", **{**dict(max_bytes=1 << 20, max_entries=1000), **budget})


def _fails(data: bytes, message: str, **budget) -> None:
    with pytest.raises(tb.BundleError) as raised:
        _read(data, **budget)
    assert str(raised.value) == f"x.index: {message}"


def _raw_table(blocks: list[tuple[bytes, bytes | None]], meta_at=None, index_at=None, index_contents=None) -> bytes:
    """Blocks placed one after another (contents, trailer or None for a correct one); handles by hand."""
    out = bytearray()
    where = []
    for contents, tail in blocks:
        where.append((len(out), len(contents)))
        out += contents + (tail if tail is not None else trailer(contents))
    meta = handle(*(meta_at or where[-2]))
    index = handle(*(index_at or where[-1]))
    return bytes(out + footer(meta, index))


def test_valid_hand_built_table_reads():
    data = bundle_index([HEADER, (b"a", entry_proto()), (b"b", entry_proto())], per_block=2)
    assert [k for k, _ in _read(data)] == [b"", b"a", b"b"]


def test_block_past_the_footer():
    data = bytearray(bundle_index([HEADER]))
    body_end = len(data) - 48
    data[-48:-8] = (handle(0, 5) + handle(100, 10_000)).ljust(40, b"\0")
    _fails(
        bytes(data),
        f"the index block claims bytes 100-10,105 (with its 5-byte trailer), past the start of the footer at {body_end}",
    )


def test_damaged_footer_handle():
    data = bytearray(bundle_index([HEADER]))
    data[-48:-8] = b"\xff" * 40
    body_end = len(data) - 48
    _fails(
        bytes(data),
        f"the block handle of the meta-index block is damaged (at offset {body_end} a varint is longer than 10 bytes)",
    )


def test_overlapping_meta_index_and_index_blocks():
    empty = block([])
    data = _raw_table([(empty, None)], meta_at=(0, len(empty)), index_at=(0, len(empty)))
    _fails(data, "the meta-index block at offset 0 and the index block at offset 0 overlap")


def test_index_naming_one_block_twice():
    data_block = block([HEADER])
    index = block([(b"", handle(0, len(data_block))), (b"\x01", handle(0, len(data_block)))], restart_interval=1)
    data = _raw_table([(data_block, None), (block([]), None), (index, None)])
    end = len(data_block) + 5
    _fails(
        data,
        f"the data block 1 at offset 0 starts before the end of data block 0 (byte {end}): the index names blocks out of order or twice",
    )


def test_index_looping_back():
    first, second = block([HEADER]), block([(b"a", entry_proto())])
    index = block(
        [(b"", handle(0, len(first))), (b"a", handle(len(first) + 5, len(second))), (b"b", handle(0, len(first)))],
        restart_interval=1,
    )
    data = _raw_table([(first, None), (second, None), (block([]), None), (index, None)])
    with pytest.raises(tb.BundleError, match="data block 2 at offset 0 starts before the end of data block 1"):
        _read(data)


def test_data_block_overlapping_the_index_block():
    empty = block([])
    index_offset = len(empty) + 5
    index = block([(b"", handle(index_offset, 4))], restart_interval=1)  # "data block" = the index block itself
    data = _raw_table([(empty, None), (index, None)])
    _fails(data, f"the data block 0 at offset {index_offset} overlaps the index block at offset {index_offset}")


def test_handle_with_stray_bytes():
    data_block = block([HEADER])
    index = block([(b"", handle(0, len(data_block)) + b"\x00")], restart_interval=1)
    _fails(
        _raw_table([(data_block, None), (block([]), None), (index, None)]),
        "index entry 0 has 1 stray bytes after its block handle",
    )


def test_unknown_compression_type():
    contents = block([HEADER])
    tail = trailer(contents, kind=7)
    data = _raw_table([(contents, tail), (block([]), None), (block([(b"", handle(0, len(contents)))], 1), None)])
    _fails(data, "the data block 0 at offset 0 has compression type 7 (0 none and 1 Snappy exist)")


def test_bad_snappy_block_names_the_block():
    body = varint(10) + snappy_copy2(1, 4)
    data = _raw_table([(body, trailer(body, 1)), (block([]), None), (block([(b"", handle(0, len(body)))], 1), None)])
    _fails(data, "data block 0 at offset 0: Snappy copy at byte 1 reaches 1 bytes back, but only 0 bytes precede it")


def test_snappy_block_over_the_budget():
    contents = block([HEADER, (b"k", b"v" * 1000)])
    data = bundle_index([HEADER, (b"k", b"v" * 1000)], compress=snappy_literals)
    assert len(_read(data, max_bytes=4000)) == 2
    with pytest.raises(
        tb.BundleError,
        match=f"^x.index: data block 0 at offset 0: Snappy data claims {len(contents):,} uncompressed bytes, over the",
    ):
        _read(data, max_bytes=500)


def test_restart_count_larger_than_the_block():
    contents = block([HEADER])[:-4] + struct.pack("<I", 1_000_000_000)
    data = _raw_table([(contents, None), (block([]), None), (block([(b"", handle(0, len(contents)))], 1), None)])
    _fails(
        data,
        f"the data block 0 at offset 0 claims 1,000,000,000 restart points, more than its {len(contents)} bytes hold",
    )


@pytest.mark.parametrize(
    "restarts, message",
    [
        (
            [4],
            "restart point 0 of the data block 0 at offset 0 (byte 4) is not the start of an entry that shares no key bytes, in order",
        ),
        (
            [0, 0],
            "restart point 1 of the data block 0 at offset 0 (byte 0) is not the start of an entry that shares no key bytes, in order",
        ),
        (
            [0, 1 << 31],
            "restart point 1 of the data block 0 at offset 0 (byte 2,147,483,648) is not the start of an entry that shares no key bytes, in order",
        ),
        ([], "the data block 0 at offset 0 has entries but no restart point (TensorFlow would read none of them)"),
    ],
)
def test_restart_points_off_the_entries(restarts, message):
    entries = block([HEADER, (b"a", b"1")], restart_interval=100)[:-8]  # drop the restart array
    contents = entries + b"".join(struct.pack("<I", r) for r in restarts) + struct.pack("<I", len(restarts))
    data = _raw_table([(contents, None), (block([]), None), (block([(b"a", handle(0, len(contents)))], 1), None)])
    _fails(data, message)


def _single_block(raw_entries: bytes) -> bytes:
    contents = raw_entries + struct.pack("<II", 0, 1)
    return _raw_table(
        [(contents, None), (block([]), None), (block([(b"\xff" * 4, handle(0, len(contents)))], 1), None)]
    )


def test_huge_key_length():
    _fails(
        _single_block(varint(0) + varint(2**31) + varint(0) + b"abc"),
        "entry at byte 0 of the data block 0 at offset 0 claims 2,147,483,648 bytes of key and value, but only 3 remain before the restart array",
    )


def test_shared_prefix_longer_than_the_previous_key():
    _fails(
        _single_block(varint(0) + varint(1) + varint(0) + b"a" + varint(5) + varint(1) + varint(0) + b"b"),
        "entry at byte 4 of the data block 0 at offset 0 shares 5 bytes with a previous key of 1 bytes",
    )


def test_damaged_entry_varint():
    _fails(
        _single_block(b"\x00\x80\x80"),
        "entry at byte 0 of the data block 0 at offset 0 is damaged (at offset 1 a varint runs past the end of its message (offset 3))",
    )


def test_prefix_compression_cannot_blow_up_memory():
    # A 4,000-byte key, then 20,000 entries of 4 bytes that each repeat it with one more byte: 80 MB of
    # keys from 84 KB on disk. The decoded-bytes budget stops it.
    raw = varint(0) + varint(4000) + varint(0) + b"k" * 4000
    raw += b"".join(varint(4000) + varint(1) + varint(0) + bytes([1 + i % 250]) for i in range(20_000))
    data = _single_block(raw)
    tracemalloc.start()
    try:
        with pytest.raises(tb.BundleError, match=r"takes the decoded index past 1,048,576 bytes"):
            _read(data, max_entries=1_000_000)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 8 << 20


def test_entry_count_budget():
    data = bundle_index([HEADER] + [(b"k%05d" % i, b"") for i in range(50)], per_block=10)
    with pytest.raises(
        tb.BundleError,
        match=r"^x.index: the entry at byte \d+ of the data block 3 at offset [\d,]+ takes the index past 40 entries$",
    ):
        _read(data, max_entries=40)


def test_unsorted_and_duplicate_keys():
    duplicate = block([HEADER, (b"a", b""), (b"a", b"")], restart_interval=1)
    data = _raw_table([(duplicate, None), (block([]), None), (block([(b"b", handle(0, len(duplicate)))], 1), None)])
    _fails(
        data,
        'key "a" in the data block 0 at offset 0 does not sort after the key before it ("a"): keys must be unique and in order',
    )
    first, second = block([HEADER, (b"m", b"")]), block([(b"c", b"")])
    data = table([(first, b"m"), (second, b"c")])
    with pytest.raises(
        tb.BundleError, match='key "c" in the data block 1 at offset .* does not sort after the key before it \\("m"\\)'
    ):
        _read(data)


def test_separator_that_does_not_separate():
    first, second = block([HEADER, (b"m", b"")]), block([(b"x", b"")])
    data = table([(first, b"a"), (second, b"z")])  # "a" sorts before the block's last key "m"
    with pytest.raises(
        tb.BundleError, match=r'index entry 0 \(separator "a"\) does not separate the keys of the data block 0'
    ):
        _read(data)


def test_block_too_short_for_its_restart_count():
    _fails(
        _raw_table([(b"ab", None), (block([]), None), (block([(b"", handle(0, 2))], 1), None)]),
        "the data block 0 at offset 0 is 2 bytes, too short for its restart count",
    )


def test_long_keys_are_cut_in_messages():
    key = b"k" * 10_000
    data = block([HEADER, (key, b""), (key, b"")], restart_interval=1)
    with pytest.raises(tb.BundleError) as raised:
        _read(_raw_table([(data, None), (block([]), None), (block([(key, handle(0, len(data)))], 1), None)]))
    assert len(str(raised.value)) < 500 and "(10,000 characters)" in str(raised.value)


# ---- hostile headers and entries ----


def _bundle(tmp_path: Path, entries: list[tuple[bytes, bytes]], shard: bytes | None = b"", num_shards: int = 1) -> Path:
    index = tmp_path / "b.index"
    index.write_bytes(bundle_index(sorted(entries)))
    if shard is not None:
        (tmp_path / f"b.data-00000-of-{num_shards:05d}").write_bytes(shard)
    return index


def _index_fails(tmp_path: Path, entries, message: str) -> None:
    index = _bundle(tmp_path, entries)
    with pytest.raises(tb.BundleError) as raised:
        tb.read_index(index)
    assert str(raised.value) == f"{index}: {message}"


@pytest.mark.parametrize(
    "header, message",
    [
        (
            header_proto(num_shards=10**9),
            "the bundle header claims 1,000,000,000 data shards (h5lint accepts 1 to 100,000)",
        ),
        (header_proto(num_shards=0), "the bundle header claims 0 data shards (h5lint accepts 1 to 100,000)"),
        (header_proto(num_shards=-1), "the bundle header claims -1 data shards (h5lint accepts 1 to 100,000)"),
        (header_proto(endianness=5), "the bundle header names endianness 5 (0 little and 1 big exist)"),
        (
            b"\x0a\xff",
            "the bundle header: the protobuf is damaged (at offset 1 a varint runs past the end of its message (offset 2))",
        ),
    ],
)
def test_hostile_headers(tmp_path, header, message):
    _index_fails(tmp_path, [(b"", header)], message)


def test_int32_header_field_keeps_its_low_32_bits(tmp_path):
    # As protobuf parses int32: a 64-bit varint 2**32 + 3 is 3 shards.
    index = _bundle(tmp_path, [(b"", field_varint(1, 2**32 + 3))], shard=None)
    assert tb.read_index(index).header == tb.BundleHeader(num_shards=3, endianness="little", version=None)


@pytest.mark.parametrize(
    "value, message",
    [
        (entry_proto(shard_id=1), 'entry "w" is in data shard 1, but the header counts 1 shards'),
        (entry_proto(shard_id=-2), 'entry "w" is in data shard -2, but the header counts 1 shards'),
        (entry_proto(offset=-1), 'entry "w" has offset -1 and size 0'),
        (entry_proto(size=-5), 'entry "w" has offset 0 and size -5'),
        (entry_proto(dims=(3, -1)), 'entry "w" has a dimension of size -1'),
        (
            entry_proto(dims=(2**40, 2**40)),
            'entry "w" has shape (1099511627776, 1099511627776), more than 2**63 - 1 elements',
        ),
        (entry_proto(dims=(1,) * 255), 'entry "w" has 255 dimensions (TensorFlow allows 254)'),
        (
            field_varint(1, 1) + field_bytes(2, shape_proto((), unknown_rank=True)),
            'entry "w" has a shape of unknown rank',
        ),
        (
            field_bytes(2, b"\x12\x05\x08"),
            'entry "w" shape: the protobuf is damaged (at offset 0 field 2 declares 5 bytes but only 1 remain)',
        ),
        (
            b"\x08",
            'entry "w": the protobuf is damaged (at offset 1 a varint runs past the end of its message (offset 1))',
        ),
        (
            b"\x0b",
            'entry "w": the protobuf is damaged (at offset 0 field 1 has wire type 3, which these files never use)',
        ),
    ],
)
def test_hostile_entries(tmp_path, value, message):
    _index_fails(tmp_path, [(b"", header_proto()), (b"w", value)], message)


def test_partitioned_entries_ignore_their_own_location(tmp_path):
    # TensorFlow ignores shard_id/offset/size of a partitioned tensor; so does h5lint.
    value = entry_proto(shard_id=7, offset=-1, dims=(4,)) + field_bytes(7, field_bytes(1, field_varint(2, 4)))
    index = _bundle(tmp_path, [(b"", header_proto()), (b"w", value)])
    [entry] = tb.read_index(index).entries
    assert entry.sliced and entry.slices == ("0,4",)
    assert [p.kind for p in tb.shard_problems(tb.read_index(index))] == ["missing-slice"]


def test_wrong_wire_types_are_unknown_fields(tmp_path):
    # dtype as a fixed32 and crc32c as a varint: protobuf skips both as unknown fields.
    value = struct.pack("<B", 1 << 3 | 5) + b"\x01\x00\x00\x00" + field_varint(6, 99) + field_bytes(2, b"")
    index = _bundle(tmp_path, [(b"", header_proto()), (b"w", value)])
    [entry] = tb.read_index(index).entries
    assert (entry.dtype, entry.dtype_code, entry.crc32c) == ("DT_INVALID", 0, None)


def test_huge_claimed_shape_allocates_nothing(tmp_path):
    entry = entry_proto(dtype=1, dims=(2**31, 2**31), size=8, crc=mask(crc32c_bitwise(b"\0" * 8)))
    index = _bundle(tmp_path, [(b"", header_proto()), (b"w", entry)], shard=b"\0" * 8)
    bundle = tb.read_index(index)
    [problem] = tb.shard_problems(bundle, crc_budget=1 << 20)
    assert problem.kind == "dtype-size-mismatch" and "4,611,686,018,427,387,904 elements" in problem.message
    with pytest.raises(tb.BundleError, match="is 4,611,686,018,427,387,904 x 4 bytes of DT_FLOAT"):
        next(tb.tensor_chunks(bundle, bundle.entries[0], 10))


def test_huge_consistent_size_is_a_short_shard(tmp_path):
    entry = entry_proto(dtype=1, dims=(2**30, 2**30), size=2**62)
    index = _bundle(tmp_path, [(b"", header_proto()), (b"w", entry)], shard=b"\0" * 8)
    bundle = tb.read_index(index)
    assert tb.shard_problems(bundle, crc_budget=1 << 20) == [
        tb.ShardProblem(
            "short-shard",
            "b.data-00000-of-00001",
            ("w",),
            'b.data-00000-of-00001 is 8 bytes, but "w" needs bytes 0-4,611,686,018,427,387,904',
        )
    ]
    with pytest.raises(tb.BundleError, match="past the end of its shard"):
        next(tb.tensor_chunks(bundle, bundle.entries[0], 10))


def test_64_bit_size_wraps_negative_as_in_protobuf(tmp_path):
    _index_fails(
        tmp_path, [(b"", header_proto()), (b"w", entry_proto(size=2**64 - 4))], 'entry "w" has offset 0 and size -4'
    )


def test_unknown_and_unreadable_dtypes(tmp_path):
    index = _bundle(
        tmp_path,
        [
            (b"", header_proto()),
            (b"q", entry_proto(dtype=11, dims=(2,), size=2)),
            (b"u", entry_proto(dtype=77, dims=(1,), size=3)),
        ],
        shard=b"\0" * 8,
    )
    bundle = tb.read_index(index)
    assert [(e.dtype, e.dtype_code) for e in bundle.entries] == [("DT_QINT8", 11), ("DT_UNKNOWN_77", 77)]
    for entry in bundle.entries:
        with pytest.raises(tb.BundleError, match="h5lint reads the values of numeric tensors only"):
            next(tb.tensor_chunks(bundle, entry, 10))
    assert tb.shard_problems(bundle, crc_budget=100)[-1].kind == "crc-mismatch"  # crc absent: TF would refuse too


def test_big_endian_bundles_are_read_but_not_their_values(tmp_path):
    index = _bundle(
        tmp_path, [(b"", header_proto(endianness=1)), (b"w", entry_proto(dims=(1,), size=4))], shard=b"\0" * 4
    )
    bundle = tb.read_index(index)
    assert bundle.header.endianness == "big"
    with pytest.raises(tb.BundleError, match="the bundle's tensor data is big-endian; h5lint reads little-endian only"):
        next(tb.tensor_chunks(bundle, bundle.entries[0], 10))


def test_tensor_chunks_needs_a_positive_chunk(tmp_path):
    index = _bundle(tmp_path, [(b"", header_proto()), (b"w", entry_proto(dims=(1,), size=4))], shard=b"\0" * 4)
    bundle = tb.read_index(index)
    with pytest.raises(ValueError, match="max_elements must be at least 1"):
        next(tb.tensor_chunks(bundle, bundle.entries[0], 0))


# ---- hostile object graphs ----


def _string_scalar(payload: bytes) -> tuple[bytes, int]:
    """A DT_STRING scalar as the bundle stores it, and its masked entry CRC."""
    length_crc = mask(crc32c_bitwise(struct.pack("<I", len(payload))))
    raw_checksum = struct.pack("<I", length_crc)
    data = varint(len(payload)) + raw_checksum + payload
    register = crc32c_bitwise(raw_checksum + payload, crc32c_bitwise(struct.pack("<I", len(payload))))
    return data, mask(register)


def _graph_bundle(tmp_path: Path, graph: bytes) -> tb.Bundle:
    data, crc = _string_scalar(graph)
    value = entry_proto(dtype=7, size=len(data), crc=crc)
    return tb.read_index(_bundle(tmp_path, [(b"", header_proto()), (tb.OBJECT_GRAPH_KEY.encode(), value)], shard=data))


def _node(children=(), attributes=()) -> bytes:
    out = b"".join(field_bytes(1, field_varint(1, node) + field_bytes(2, name.encode())) for name, node in children)
    return out + b"".join(field_bytes(2, b"".join(field_bytes(i + 1, s) for i, s in enumerate(a))) for a in attributes)


def test_hand_built_object_graph(tmp_path):
    graph = field_bytes(1, _node([("a", 1), ("loop", 0)])) + field_bytes(
        1, _node([("b", 1)], [(b"VARIABLE_VALUE", b"x/y", b"a/.ATTRIBUTES/VARIABLE_VALUE")])
    )
    bundle = _graph_bundle(tmp_path, graph)
    assert bundle.object_graph_problem is None
    assert bundle.object_graph.paths() == {0: "", 1: "a"}  # cycles are walked once


@pytest.mark.parametrize(
    "graph, problem",
    [
        (field_bytes(1, _node([("a", 5)])), "the object graph node 0 refers to node 5, but there are 1 nodes"),
        (field_bytes(1, _node([("a", -1)])), "the object graph node 0 refers to node -1, but there are 1 nodes"),
        (
            field_bytes(1, field_bytes(1, field_bytes(2, b"\xff"))),
            "the object graph node 0: a string field at byte 2 is not UTF-8",
        ),
        (
            b"\x0a\x09",
            "the object graph: the protobuf is damaged (at offset 0 field 1 declares 9 bytes but only 0 remain)",
        ),
    ],
)
def test_hostile_object_graphs(tmp_path, graph, problem):
    bundle = _graph_bundle(tmp_path, graph)
    assert bundle.object_graph is None
    assert (
        bundle.object_graph_problem == f"{tmp_path / 'b.data-00000-of-00001'}: _CHECKPOINTABLE_OBJECT_GRAPH: {problem}"
    )


def test_object_graph_of_the_wrong_type(tmp_path):
    index = _bundle(
        tmp_path,
        [(b"", header_proto()), (tb.OBJECT_GRAPH_KEY.encode(), entry_proto(dtype=1, dims=(1,), size=4))],
        shard=b"\0" * 4,
    )
    assert (
        tb.read_index(index).object_graph_problem
        == "_CHECKPOINTABLE_OBJECT_GRAPH is DT_FLOAT of shape (1,), not a string scalar"
    )


def test_object_graph_over_its_budget(tmp_path):
    data, crc = _string_scalar(b"\0" * 5000)
    index = _bundle(
        tmp_path,
        [(b"", header_proto()), (tb.OBJECT_GRAPH_KEY.encode(), entry_proto(dtype=7, size=len(data), crc=crc))],
        shard=data,
    )
    bundle = tb.read_index(index, max_object_graph_bytes=1000)
    assert (
        bundle.object_graph_problem == "_CHECKPOINTABLE_OBJECT_GRAPH is 5,006 bytes, over the 1,000 bytes h5lint reads"
    )


def test_string_lengths_past_the_tensor(tmp_path):
    data, crc = _string_scalar(b"abc")
    index = _bundle(
        tmp_path,
        [(b"", header_proto()), (tb.OBJECT_GRAPH_KEY.encode(), entry_proto(dtype=7, size=len(data) - 1, crc=crc))],
        shard=data,
    )
    assert tb.read_index(index).object_graph_problem.endswith(
        "_CHECKPOINTABLE_OBJECT_GRAPH: the string lengths add up to 3 bytes, but the tensor holds 2 after them"
    )
