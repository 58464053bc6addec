"""Broken checkpoints, made here from the real fixtures: each gives one exact BundleError or ShardProblem.

The fixtures are copied to tmp_path and edited there (tests/fixtures/ is never touched). Index edits
that must keep the table valid rebuild it with tests/bundlebuild.py from the real entries.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import numpy as np
import pytest
from bundlebuild import (
    bundle_index,
    crc32c_bitwise,
    entry_proto,
    header_proto,
    mask,
    unmask,
)

import h5lint.tensorbundle as tb
from h5lint.tensorbundle.sstable import read_table

FIXTURES = Path(__file__).parent / "fixtures" / "bundles"
SHARD = "ckpt.data-00000-of-00001"
KERNEL = "layer_with_weights-0/kernel/.ATTRIBUTES/VARIABLE_VALUE"


@pytest.fixture
def ckpt(tmp_path) -> Path:
    """A copy of the tf-keras save_weights checkpoint folder."""
    folder = tmp_path / "ckpt_folder"
    shutil.copytree(FIXTURES / "keras_weights", folder)
    return folder


def _entry(bundle: tb.Bundle, key: str) -> tb.BundleEntry:
    return next(e for e in bundle.entries if e.key == key)


def _flip(path: Path, offset: int, bit: int = 0x40) -> None:
    data = bytearray(path.read_bytes())
    data[offset] ^= bit
    path.write_bytes(bytes(data))


def _raw_entries(index: Path) -> list[tuple[bytes, bytes]]:
    return read_table(index.read_bytes(), str(index), max_bytes=1 << 20, max_entries=10_000)


# ---- the six cases of the brief ----


def test_index_without_its_data_shard(ckpt):
    (ckpt / SHARD).unlink()
    bundle = tb.read_index(ckpt / "ckpt.index")  # the index itself is intact
    assert bundle.object_graph is None
    assert bundle.object_graph_problem == f"{ckpt / SHARD}: does not exist"
    [problem] = tb.shard_problems(bundle)
    assert problem.kind == "missing-shard" and problem.shard == SHARD
    assert set(problem.keys) == {e.key for e in bundle.entries} and len(problem.keys) == 23
    assert problem.message == (
        f'{ckpt / SHARD}: does not exist (23 tensor(s) stored there: "{KERNEL}", '
        '"layer_with_weights-0/bias/.ATTRIBUTES/VARIABLE_VALUE", "layer_with_weights-1/gamma/.ATTRIBUTES/VARIABLE_VALUE", '
        '"layer_with_weights-1/beta/.ATTRIBUTES/VARIABLE_VALUE", '
        '"layer_with_weights-1/moving_mean/.ATTRIBUTES/VARIABLE_VALUE" and 18 more)'
    )
    with pytest.raises(tb.BundleError, match=f"^{ckpt / SHARD}: does not exist$"):
        next(tb.tensor_chunks(bundle, _entry(bundle, KERNEL), 10))


def test_shard_cut_short(ckpt):
    shard = ckpt / SHARD
    shard.write_bytes(shard.read_bytes()[:1000])
    bundle = tb.read_index(ckpt / "ckpt.index")
    assert bundle.object_graph_problem == f"_CHECKPOINTABLE_OBJECT_GRAPH: {SHARD} ends before its bytes do"
    assert tb.shard_problems(bundle, crc_budget=1 << 20) == [
        tb.ShardProblem(
            "short-shard",
            SHARD,
            ("_CHECKPOINTABLE_OBJECT_GRAPH",),
            f'{SHARD} is 1,000 bytes, but "_CHECKPOINTABLE_OBJECT_GRAPH" needs bytes 452-3,166',
        )
    ]


def test_shard_cut_before_several_tensors(ckpt):
    shard = ckpt / SHARD
    shard.write_bytes(shard.read_bytes()[:100])
    bundle = tb.read_index(ckpt / "ckpt.index")
    [problem] = tb.shard_problems(bundle)
    ends = {e.key: e.offset + e.size for e in bundle.entries}
    assert problem.kind == "short-shard" and set(problem.keys) == {k for k, end in ends.items() if end > 100}
    assert problem.message.startswith(
        f"{SHARD} is 100 bytes, but {len(problem.keys)} tensors end past it, up to byte 3,166: "
    )
    entry = _entry(bundle, "optimizer/_variables/12/.ATTRIBUTES/VARIABLE_VALUE")
    assert entry.offset + entry.size > 100
    with pytest.raises(tb.BundleError, match="past the end of its shard"):
        next(tb.tensor_chunks(bundle, entry, 10))


def test_flipped_data_byte_is_a_checksum_mismatch(ckpt):
    bundle = tb.read_index(ckpt / "ckpt.index")
    kernel = _entry(bundle, KERNEL)
    before = np.concatenate(list(tb.tensor_chunks(bundle, kernel, 100, verify_crc=True)))
    _flip(ckpt / SHARD, kernel.offset + 5)
    data = (ckpt / SHARD).read_bytes()[kernel.offset : kernel.offset + kernel.size]
    computed = crc32c_bitwise(data)
    stored = unmask(kernel.crc32c)
    assert tb.shard_problems(bundle) == []  # without a CRC budget the bytes are not read
    assert tb.shard_problems(bundle, crc_budget=1 << 20) == [
        tb.ShardProblem(
            "crc-mismatch",
            SHARD,
            (KERNEL,),
            f'{SHARD}: "{KERNEL}": checksum mismatch: the index stores CRC-32C 0x{stored:08x}, '
            f"its 48 bytes give 0x{computed:08x}",
        )
    ]
    chunks = []
    with pytest.raises(tb.BundleError) as raised:
        for chunk in tb.tensor_chunks(bundle, kernel, 5, verify_crc=True):
            chunks.append(chunk)
    assert str(raised.value) == (
        f'{SHARD}: "{KERNEL}": checksum mismatch: the index stores CRC-32C 0x{stored:08x}, its bytes give 0x{computed:08x}'
    )
    assert len(chunks) == 3 and not np.array_equal(np.concatenate(chunks), before)  # every piece came first
    assert len(list(tb.tensor_chunks(bundle, kernel, 5))) == 3  # not asked to verify: no error


def test_flipped_index_byte_is_a_block_checksum_mismatch(ckpt):
    index = ckpt / "ckpt.index"
    original = index.read_bytes()
    _flip(index, 100, 0x01)
    block_size = 1281  # the single data block: bytes 0-1,281, then its type byte and CRC
    stored = unmask(int.from_bytes(original[block_size + 1 : block_size + 5], "little"))
    computed = crc32c_bitwise(index.read_bytes()[: block_size + 1])
    assert crc32c_bitwise(original[: block_size + 1]) == stored
    with pytest.raises(tb.BundleError) as raised:
        tb.read_index(index)
    assert str(raised.value) == (
        f"{index}: checksum mismatch in the data block 0 at offset 0 (1,281 bytes): "
        f"stored CRC-32C 0x{stored:08x}, computed 0x{computed:08x}"
    )


def test_flipped_index_block_crc_itself(ckpt):
    index = ckpt / "ckpt.index"
    _flip(index, 1281 + 2)  # inside the stored CRC of data block 0
    with pytest.raises(tb.BundleError, match=r"checksum mismatch in the data block 0 at offset 0 \(1,281 bytes\)"):
        tb.read_index(index)


def test_truncated_index(ckpt):
    index = ckpt / "ckpt.index"
    data = index.read_bytes()
    index.write_bytes(data[:-10])
    with pytest.raises(tb.BundleError) as raised:
        tb.read_index(index)
    assert str(raised.value) == (
        f"{index}: the last 8 bytes are 0x0000000000000000, not the table magic number 0xdb4775248b80fb57 "
        "(not a TensorFlow checkpoint index, or cut short)"
    )
    index.write_bytes(data[:40])
    with pytest.raises(tb.BundleError) as raised:
        tb.read_index(index)
    assert str(raised.value) == f"{index}: 40 bytes is shorter than the 48-byte table footer"
    index.write_bytes(b"")
    with pytest.raises(tb.BundleError, match="0 bytes is shorter than the 48-byte table footer"):
        tb.read_index(index)


def test_wrong_footer_magic(ckpt):
    index = ckpt / "ckpt.index"
    _flip(index, len(index.read_bytes()) - 1, 0xFF)
    with pytest.raises(tb.BundleError) as raised:
        tb.read_index(index)
    assert str(raised.value) == (
        f"{index}: the last 8 bytes are 0x244775248b80fb57, not the table magic number 0xdb4775248b80fb57 "
        "(not a TensorFlow checkpoint index, or cut short)"
    )


# ---- more damage, from the real files ----


def test_damaged_object_graph_leaves_the_entries_readable(ckpt):
    bundle = tb.read_index(ckpt / "ckpt.index")
    graph = _entry(bundle, tb.OBJECT_GRAPH_KEY)
    _flip(ckpt / SHARD, graph.offset + graph.size - 1)  # the last byte of the serialized graph
    damaged = tb.read_index(ckpt / "ckpt.index")
    assert damaged.entries == bundle.entries and damaged.object_graph is None
    assert damaged.object_graph_problem.startswith(
        f"{ckpt / SHARD}: _CHECKPOINTABLE_OBJECT_GRAPH: checksum mismatch (stored 0x"
    )
    [problem] = tb.shard_problems(damaged, crc_budget=1 << 20)
    assert problem.kind == "crc-mismatch" and problem.keys == (tb.OBJECT_GRAPH_KEY,)
    # Without the graph, paths come from the keys, which agree with it on real checkpoints.
    assert tb.variable_paths(damaged) == tb.variable_paths(bundle)


def test_damaged_string_lengths(ckpt):
    bundle = tb.read_index(ckpt / "ckpt.index")
    graph = _entry(bundle, tb.OBJECT_GRAPH_KEY)
    _flip(ckpt / SHARD, graph.offset, 0x01)  # the varint length of the one string
    damaged = tb.read_index(ckpt / "ckpt.index")
    assert "checksum mismatch in the string lengths" in damaged.object_graph_problem
    [problem] = tb.shard_problems(damaged, crc_budget=1 << 20)
    assert problem.kind == "bad-string-tensor"
    assert problem.message.startswith(f'{SHARD}: "{tb.OBJECT_GRAPH_KEY}": checksum mismatch in the string lengths')


def test_crc_budget_leaves_big_tensors_unchecked(ckpt):
    bundle = tb.read_index(ckpt / "ckpt.index")
    [problem] = tb.shard_problems(bundle, crc_budget=100)
    # Tensors are checked in file order while the budget lasts; one too big for what is left is skipped.
    left, skipped = 100, []
    for entry in sorted(bundle.entries, key=lambda e: e.offset):
        if entry.size > left:
            skipped.append(entry.key)
        else:
            left -= entry.size
    assert problem.kind == "crc-unchecked" and problem.shard == "" and list(problem.keys) == skipped
    assert problem.message.startswith(f"checksums not verified for {len(skipped)} tensor(s) (")
    assert problem.message.endswith("): DT_VARIANT (not checked by h5lint), or past the 100-byte budget")
    assert tb.shard_problems(bundle, crc_budget=sum(e.size for e in bundle.entries)) == []


def _rebuilt(folder: Path, prefix: str, edit) -> Path:
    index = folder / f"{prefix}.index"
    entries = edit(_raw_entries(index))
    index.write_bytes(bundle_index(entries))
    return index


def test_dtype_size_mismatch(ckpt):
    def shrink(entries):
        out = []
        for key, value in entries:
            if key == KERNEL.encode():
                value = entry_proto(dtype=1, dims=(3, 4), offset=0, size=40, crc=1)
            out.append((key, value))
        return out

    bundle = tb.read_index(_rebuilt(ckpt, "ckpt", shrink))
    assert tb.shard_problems(bundle) == [
        tb.ShardProblem(
            "dtype-size-mismatch",
            SHARD,
            (KERNEL,),
            f'"{KERNEL}" is DT_FLOAT of shape (3, 4): 12 elements of 4 bytes make 48 bytes, but the index gives it 40',
        )
    ]
    with pytest.raises(tb.BundleError, match=r"is 12 x 4 bytes of DT_FLOAT, but the index gives it 40"):
        next(tb.tensor_chunks(bundle, _entry(bundle, KERNEL), 10))


def test_overlapping_tensors(ckpt):
    bundle = tb.read_index(ckpt / "ckpt.index")
    bias = _entry(bundle, "layer_with_weights-0/bias/.ATTRIBUTES/VARIABLE_VALUE")
    kernel = _entry(bundle, KERNEL)

    def alias(entries):
        # The bias claims the kernel's first 16 bytes: two keys read the same data.
        changed = entry_proto(dtype=1, dims=(4,), offset=kernel.offset, size=16, crc=bias.crc32c)
        return [(k, changed if k == bias.key.encode() else v) for k, v in entries]

    aliased = tb.read_index(_rebuilt(ckpt, "ckpt", alias))
    problems = tb.shard_problems(aliased)
    assert [p.kind for p in problems] == ["overlapping-tensors"]
    assert problems[0].keys in {(bias.key, KERNEL), (KERNEL, bias.key)}
    assert problems[0].message.endswith("overlap") and "bytes 0-16" in problems[0].message


def test_missing_slice(tmp_path):
    folder = tmp_path / "part"
    shutil.copytree(FIXTURES / "partitioned_saver", folder)
    index = _rebuilt(
        folder, "model.ckpt", lambda entries: [e for e in entries if not e[0].endswith(b"\x83\x83\x80\x82")]
    )
    bundle = tb.read_index(index)
    assert tb.shard_problems(bundle) == [
        tb.ShardProblem(
            "missing-slice", "", ("part",), '"part" is partitioned, but the index has no entry for its slice(s) 3,3:0,2'
        )
    ]


def test_absolute_checkpoint_path_is_reported_not_followed(tmp_path):
    folder = tmp_path / "moved"
    shutil.copytree(FIXTURES / "nan_checkpoint", folder)
    (folder / "checkpoint").write_text(
        'model_checkpoint_path: "/etc/ckpt-1"\nall_model_checkpoint_paths: "/etc/ckpt-1"\n'
        "all_model_checkpoint_timestamps: 1712345678.25\nlast_preserved_timestamp: 1712345670.5\n"
    )
    state = tb.read_checkpoint_state(folder)
    assert state.prefix is None and state.model_checkpoint_path == "/etc/ckpt-1"
    assert state.problems == (
        "model_checkpoint_path is the absolute path '/etc/ckpt-1', which h5lint does not follow; TensorFlow uses "
        "it as it is, so tf.train.latest_checkpoint finds nothing once the folder has moved "
        "(ckpt-1.index is in the folder: the checkpoint was moved)",
    )


@pytest.mark.parametrize(
    "written", ["../ckpt-1", "a/../../ckpt-1", "..", "C:\\\\ckpt-1", "\\\\\\\\server\\\\share\\\\ckpt"]
)
def test_checkpoint_paths_out_of_the_folder(tmp_path, written):
    folder = tmp_path / "ckpt"
    shutil.copytree(FIXTURES / "nan_checkpoint", folder)
    (folder / "checkpoint").write_text(f'model_checkpoint_path: "{written}"\n')
    state = tb.read_checkpoint_state(folder / "checkpoint")
    assert state.prefix is None
    [problem] = state.problems
    assert "h5lint does not follow" in problem


def test_checkpoint_path_through_a_link_out_of_the_folder(tmp_path):
    folder = tmp_path / "ckpt"
    shutil.copytree(FIXTURES / "nan_checkpoint", folder)
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (folder / "sub").symlink_to(outside)
    (folder / "checkpoint").write_text('model_checkpoint_path: "sub/ckpt-1"\n')
    state = tb.read_checkpoint_state(folder)
    assert state.prefix is None
    assert state.problems == (
        "model_checkpoint_path 'sub/ckpt-1' goes through a link out of the checkpoint folder; h5lint does not follow it",
    )


def test_checkpoint_state_text_format(tmp_path):
    (tmp_path / "checkpoint").write_text(
        "# written by hand\n"
        "model_checkpoint_path: 'sub/ck' \"pt\\x2d\\0632\"\n"
        'all_model_checkpoint_paths: "ckpt-1" all_model_checkpoint_paths: "sub/ckpt-32"\n'
    )
    state = tb.read_checkpoint_state(tmp_path)
    assert state.model_checkpoint_path == "sub/ckpt-32"
    assert state.all_model_checkpoint_paths == ("ckpt-1", "sub/ckpt-32")
    assert state.prefix == os.path.join(str(tmp_path), "sub/ckpt-32") and state.problems == ()


@pytest.mark.parametrize(
    "text, message",
    [
        ("model_checkpoint_path { }", "line 1: '{ }' is not part of a checkpoint state"),
        ('model_checkpoint_path "ckpt"', "line 1: expected 'name: value'"),
        ("\n\nmodel_checkpoint_path: : 3", "line 3: expected 'name: value'"),
        ('model_checkpoint_path: "unterminated\n"', "line 1: '\"unterminated\\n\"' is not part of a checkpoint state"),
        ('model_checkpoint_path: "\\xff"', "a quoted path is not UTF-8 once unescaped"),
    ],
)
def test_checkpoint_state_syntax_errors(tmp_path, text, message):
    (tmp_path / "checkpoint").write_text(text)
    with pytest.raises(tb.BundleError) as raised:
        tb.read_checkpoint_state(tmp_path)
    assert str(raised.value) == f"{tmp_path / 'checkpoint'}: {message}"


def test_checkpoint_state_without_a_path(tmp_path):
    (tmp_path / "checkpoint").write_text('all_model_checkpoint_paths: "ckpt-1"\n')
    assert tb.read_checkpoint_state(tmp_path).problems == ("the checkpoint state names no model_checkpoint_path",)


# ---- files that are not what they seem ----


def test_shard_linked_out_of_the_folder(ckpt, tmp_path):
    outside = tmp_path / "secret.bin"
    outside.write_bytes((ckpt / SHARD).read_bytes())
    (ckpt / SHARD).unlink()
    (ckpt / SHARD).symlink_to(outside)
    bundle = tb.read_index(ckpt / "ckpt.index")
    message = f"{ckpt / SHARD}: is a link to {outside}, outside the artifact; h5lint does not follow it"
    assert bundle.object_graph_problem == message
    [problem] = tb.shard_problems(bundle, crc_budget=1 << 20)
    assert problem.kind == "shard-outside-folder" and len(problem.keys) == 23
    assert problem.message.startswith(message + " (23 tensor(s) stored there: ")
    with pytest.raises(tb.BundleError, match="outside the artifact"):
        next(tb.tensor_chunks(bundle, _entry(bundle, KERNEL), 10))


def test_shard_linked_inside_the_folder_is_read(ckpt):
    (ckpt / "real.bin").write_bytes((ckpt / SHARD).read_bytes())
    (ckpt / SHARD).unlink()
    (ckpt / SHARD).symlink_to("real.bin")
    bundle = tb.read_index(ckpt / "ckpt.index")
    assert bundle.object_graph is not None and tb.shard_problems(bundle, crc_budget=1 << 20) == []


def test_index_linked_out_of_the_folder(ckpt, tmp_path):
    outside = tmp_path / "other.index"
    outside.write_bytes((ckpt / "ckpt.index").read_bytes())
    (ckpt / "ckpt.index").unlink()
    (ckpt / "ckpt.index").symlink_to(outside)
    with pytest.raises(tb.BundleError, match="outside the artifact; h5lint does not follow it"):
        tb.read_index(ckpt / "ckpt.index")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this platform")
def test_fifo_shard_is_not_opened_for_reading(ckpt):
    (ckpt / SHARD).unlink()
    os.mkfifo(ckpt / SHARD)  # opening it for a blocking read would hang forever
    bundle = tb.read_index(ckpt / "ckpt.index")
    assert bundle.object_graph_problem == f"{ckpt / SHARD}: is not a regular file (a FIFO, socket or device); h5lint does not open it"
    [problem] = tb.shard_problems(bundle, crc_budget=1 << 20)
    assert problem.kind == "unreadable-shard"


def test_directory_index(ckpt):
    (ckpt / "x.index").mkdir()
    with pytest.raises(tb.BundleError, match=r"x.index: is not a regular file"):
        tb.read_index(ckpt / "x.index")


def test_index_must_be_named_index(ckpt):
    with pytest.raises(tb.BundleError, match=r"a bundle index is named <prefix>.index"):
        tb.read_index(ckpt / "ckpt")


def test_missing_index(ckpt):
    with pytest.raises(tb.BundleError, match=r"nothing.index: does not exist"):
        tb.read_index(ckpt / "nothing.index")


def test_header_entry_is_required(tmp_path):
    index = tmp_path / "h.index"
    index.write_bytes(bundle_index([(b"a", entry_proto())]))
    with pytest.raises(
        tb.BundleError, match=r"no bundle header \(the entry with the empty key comes first in every bundle\)"
    ):
        tb.read_index(index)


def test_header_only_bundle(tmp_path):
    index = tmp_path / "h.index"
    index.write_bytes(bundle_index([(b"", header_proto())]))
    bundle = tb.read_index(index)
    assert bundle.entries == () and bundle.object_graph is None and tb.shard_problems(bundle, crc_budget=10) == []


def test_masked_crc_helpers_agree():
    assert unmask(mask(0x12345678)) == 0x12345678
