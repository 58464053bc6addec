#!/usr/bin/env python
"""Write the tensor-bundle test fixtures (``tests/fixtures/bundles/``) with real TensorFlow, and what TF says of them.

Run from the repository root with the TensorFlow venv (h5lint and its tests never import TensorFlow)::

    PYTHONPATH=.cache/genextra /work/venvs/tf221/bin/python tools/make_bundle_fixtures.py

``.cache/genextra`` holds ``cramjam`` (``pip install --target .cache/genextra cramjam``): its Snappy
compressor writes the one index whose blocks are compressed, as TensorFlow < 1.2 wrote them.

Every checkpoint is written by a real TF 2.21 / tf-keras 2.21 writer, except ``snappy_index/ckpt.index``,
which this script rebuilds from a real index with Snappy-compressed blocks (TF itself stopped compressing
indexes in 1.2 but still reads them); TF then reads it back before anything is recorded.
``tf_answers.json`` records, per checkpoint, what TF itself says: ``tf.train.list_variables``, the dtype
map of ``tf.train.load_checkpoint``, a SHA-256 and the first values of every tensor, the decoded
``_CHECKPOINTABLE_OBJECT_GRAPH``, ``tf.train.get_checkpoint_state``; and TF's ``DataType`` enum.
Broken cases are not stored: the tests make them from these files.
"""

from __future__ import annotations

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import hashlib  # noqa: E402
import json  # noqa: E402
import shutil  # noqa: E402
import struct  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

import tensorflow as tf  # noqa: E402
import tf_keras  # noqa: E402
from tensorflow.core.framework import types_pb2  # noqa: E402
from tensorflow.core.protobuf import trackable_object_graph_pb2  # noqa: E402

tf.get_logger().setLevel("ERROR")

OUT = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "bundles"
# The TF1 Saver records the absolute prefix in ``checkpoint``; a fixed scratch folder keeps it reproducible.
SCRATCH = Path(tempfile.gettempdir()) / "h5lint-bundle-fixtures"
MAX_TOTAL_BYTES = 300_000


def keras_weights(folder: Path) -> str:
    """tf-keras ``save_weights`` in the TF checkpoint format, after one Adam step (slot variables)."""
    tf_keras.utils.set_random_seed(7)
    model = tf_keras.Sequential(
        [
            tf_keras.layers.Input((3,)),
            tf_keras.layers.Dense(4, activation="relu", name="hidden"),
            tf_keras.layers.BatchNormalization(name="norm"),
            tf_keras.layers.Dense(2, name="out"),
        ]
    )
    model.compile(optimizer=tf_keras.optimizers.Adam(0.01), loss="mse")
    model.fit(np.ones((4, 3), np.float32), np.zeros((4, 2), np.float32), epochs=1, verbose=0)
    model.save_weights(str(folder / "ckpt"))
    return str(folder / "ckpt")


def legacy_optimizer(folder: Path) -> str:
    """A legacy tf-keras optimizer, whose momentum lives in the object graph's ``slot_variables``."""
    variable = tf.Variable(np.array([1.0, -2.0], np.float32))
    optimizer = tf_keras.optimizers.legacy.SGD(0.1, momentum=0.9)
    optimizer.apply_gradients([(tf.constant([0.5, 0.5]), variable)])
    return tf.train.Checkpoint(weight=variable, optimizer=optimizer).write(str(folder / "ckpt"))


def nan_checkpoint(folder: Path) -> str:
    """``tf.train.Checkpoint.save``: a NaN and an inf among the values, a nested object, a counter."""
    inner = tf.train.Checkpoint(bias=tf.Variable(np.array([0.5, np.inf], np.float32)))
    ckpt = tf.train.Checkpoint(
        weights=tf.Variable(np.array([[1.0, np.nan, 3.0], [4.0, 5.0, 6.0]], np.float32)),
        step=tf.Variable(42, dtype=tf.int64),
        head=inner,
    )
    return ckpt.save(str(folder / "ckpt"))


def sharded_checkpoint(folder: Path) -> str:
    """Several data shards from one process: TF 2.15+ ``MaxShardSizePolicy``."""
    variables = {f"w{i}": tf.Variable(np.arange(i * 40, i * 40 + 40, dtype=np.float32).reshape(5, 8)) for i in range(3)}
    policy = tf.train.experimental.MaxShardSizePolicy(max_shard_size=200)
    options = tf.train.CheckpointOptions(experimental_sharding_callback=policy)
    return tf.train.Checkpoint(**variables).save(str(folder / "ckpt"), options=options)


def dtypes_checkpoint(folder: Path) -> str:
    """One variable per dtype the bundle stores as raw bytes, a string tensor, an empty and a larger tensor."""
    rng = np.random.default_rng(3)
    values = {
        "f32": np.array([1.5, -0.0, 3.25e-8], np.float32),
        "f64": np.array([[np.pi, -1e300]], np.float64),
        "f16": np.array([1.5, -2.0, np.inf, 65504.0], np.float16),
        "bf16": tf.constant([1.0, 2.5, -3.0, 1e30], tf.bfloat16),
        "i8": np.array([-128, 0, 127], np.int8),
        "u8": np.array([0, 255], np.uint8),
        "i16": np.array([-32768, 7], np.int16),
        "u16": np.array([65535, 1], np.uint16),
        "i32": np.array([[1, -2], [3, -4]], np.int32),
        "i64": np.array([-(2**63), 2**63 - 1], np.int64),
        "u32": np.array([2**32 - 1], np.uint32),
        "u64": np.array([2**64 - 1], np.uint64),
        "flags": np.array([True, False, True]),
        "c64": np.array([1 + 2j, -0.5j], np.complex64),
        "c128": np.array([3 - 4j], np.complex128),
        "scalar": np.float32(2.0),
        "empty": np.zeros((0, 3), np.float32),
        "words": np.array([b"kernel", b"", "\u00e9t\u00e9".encode(), b"x" * 300]),
        "big": rng.standard_normal((30, 40)).astype(np.float32),
    }
    variables = {}
    for name, value in values.items():
        try:
            variables[name] = tf.Variable(value)
        except (TypeError, ValueError, tf.errors.OpError) as exc:  # a dtype this TF cannot hold in a variable
            print(f"  skipping {name}: {exc}", file=sys.stderr)
    return tf.train.Checkpoint(**variables).write(str(folder / "ckpt"))


def partitioned_saver(folder: Path) -> str:
    """TF1 ``Saver(sharded=True)`` over two CPU devices, with a partitioned variable (slice entries)."""
    v1 = tf.compat.v1
    graph = tf.Graph()
    with graph.as_default():
        with tf.device("/cpu:0"):
            part = v1.get_variable(
                "part",
                shape=(6, 2),
                dtype=tf.float32,
                initializer=v1.zeros_initializer(),
                partitioner=v1.fixed_size_partitioner(2),
            )
        with tf.device("/cpu:1"):
            v1.get_variable("other", initializer=np.array([7, 8, 9], np.int64))
        saver = v1.train.Saver(sharded=True)
        with v1.Session(graph=graph) as session:
            session.run(v1.global_variables_initializer())
            for i, piece in enumerate(part):
                session.run(piece.assign(np.arange(6 * i, 6 * i + 6, dtype=np.float32).reshape(3, 2) + 0.5))
            prefix = saver.save(session, str(folder / "model.ckpt"), write_meta_graph=False)
    return prefix


# ---- an independent, minimal SSTable reader/writer, only to rebuild one real index with Snappy blocks ----

MAGIC = 0xDB4775248B80FB57


def _varint(data: bytes, pos: int) -> tuple[int, int]:
    value = shift = 0
    while True:
        byte = data[pos]
        value |= (byte & 0x7F) << shift
        pos += 1
        shift += 7
        if byte < 0x80:
            return value, pos


def _put_varint(value: int) -> bytes:
    out = bytearray()
    while value >= 0x80:
        out.append(value & 0x7F | 0x80)
        value >>= 7
    out.append(value)
    return bytes(out)


def _block_entries(block: bytes) -> list[tuple[bytes, bytes]]:
    restarts = struct.unpack_from("<I", block, len(block) - 4)[0]
    end = len(block) - 4 * (restarts + 1)
    pos, key, out = 0, b"", []
    while pos < end:
        shared, pos = _varint(block, pos)
        unshared, pos = _varint(block, pos)
        size, pos = _varint(block, pos)
        key = key[:shared] + block[pos : pos + unshared]
        pos += unshared
        out.append((key, block[pos : pos + size]))
        pos += size
    return out


def table_entries(data: bytes) -> list[tuple[bytes, bytes]]:
    footer = data[-48:]
    assert struct.unpack("<Q", footer[-8:])[0] == MAGIC
    _, pos = _varint(footer, 0)
    _, pos = _varint(footer, pos)
    index_offset, pos = _varint(footer, pos)
    index_size, _ = _varint(footer, pos)
    entries = []
    for _, handle in _block_entries(data[index_offset : index_offset + index_size]):
        offset, pos = _varint(handle, 0)
        size, _ = _varint(handle, pos)
        assert data[offset + size] == 0, "the source index is already compressed"
        entries += _block_entries(data[offset : offset + size])
    return entries


def _block(entries: list[tuple[bytes, bytes]], restart_interval: int) -> bytes:
    out, restarts, last = bytearray(), [], b""
    for i, (key, value) in enumerate(entries):
        shared = 0
        if i % restart_interval:
            while shared < min(len(key), len(last)) and key[shared] == last[shared]:
                shared += 1
        else:
            restarts.append(len(out))
        out += _put_varint(shared) + _put_varint(len(key) - shared) + _put_varint(len(value))
        out += key[shared:] + value
        last = key
    for offset in restarts or [0]:
        out += struct.pack("<I", offset)
    return bytes(out + struct.pack("<I", len(restarts or [0])))


def write_snappy_table(entries: list[tuple[bytes, bytes]], block_bytes: int, restart_interval: int) -> bytes:
    import cramjam
    import google_crc32c

    def masked_crc(payload: bytes) -> int:
        crc = google_crc32c.value(payload)
        return (((crc >> 15) | (crc << 17)) + 0xA282EAD8) & 0xFFFFFFFF

    out = bytearray()

    def put_block(raw: bytes) -> bytes:
        body = bytes(cramjam.snappy.compress_raw(raw))
        handle = _put_varint(len(out)) + _put_varint(len(body))
        out.extend(body + b"\x01" + struct.pack("<I", masked_crc(body + b"\x01")))
        return handle

    index, group, size = [], [], 0
    for key, value in entries:
        group.append((key, value))
        size += len(key) + len(value)
        if size >= block_bytes:
            index.append((group[-1][0], put_block(_block(group, restart_interval))))
            group, size = [], 0
    if group:
        index.append((group[-1][0], put_block(_block(group, restart_interval))))
    metaindex = put_block(_block([], restart_interval))
    index_handle = put_block(_block(index, 1))
    footer = (metaindex + index_handle).ljust(40, b"\0") + struct.pack("<Q", MAGIC)
    return bytes(out + footer)


def snappy_index(folder: Path, source_prefix: str) -> str:
    """The keras checkpoint's index rebuilt with small Snappy-compressed blocks; TF must read it back."""
    source = Path(source_prefix)
    for data_file in source.parent.glob(source.name + ".data-*"):
        shutil.copyfile(data_file, folder / data_file.name.replace(source.name, "ckpt", 1))
    entries = table_entries((source.parent / (source.name + ".index")).read_bytes())
    (folder / "ckpt.index").write_bytes(write_snappy_table(entries, block_bytes=160, restart_interval=3))
    return str(folder / "ckpt")


# ---- what TF says ----


def _canonical(value: np.ndarray) -> np.ndarray:
    # What a reader that never imports TF can yield: bfloat16 widened to float32, little-endian bytes.
    if value.dtype.name == "bfloat16":
        value = value.astype(np.float32)
    return np.ascontiguousarray(value).astype(value.dtype.newbyteorder("<"))


def _json_number(x):
    if isinstance(x, (complex, np.complexfloating)):
        return [_json_number(float(x.real)), _json_number(float(x.imag))]
    if isinstance(x, (float, np.floating)):
        return float(x) if np.isfinite(x) else str(float(x))
    if isinstance(x, (np.bool_, bool)):
        return bool(x)
    return int(x)


def object_graph(reader) -> dict | None:
    if not reader.has_tensor("_CHECKPOINTABLE_OBJECT_GRAPH"):
        return None
    graph = trackable_object_graph_pb2.TrackableObjectGraph()
    graph.ParseFromString(reader.get_tensor("_CHECKPOINTABLE_OBJECT_GRAPH"))
    return {
        "nodes": [
            {
                "children": [[c.local_name, c.node_id] for c in node.children],
                "attributes": [[a.name, a.full_name, a.checkpoint_key] for a in node.attributes],
                "slot_variables": [
                    [s.original_variable_node_id, s.slot_name, s.slot_variable_node_id] for s in node.slot_variables
                ],
            }
            for node in graph.nodes
        ]
    }


def tf_answers(prefix: str, folder: Path) -> dict:
    reader = tf.train.load_checkpoint(prefix)
    dtypes = reader.get_variable_to_dtype_map()
    tensors = {}
    for name, shape in tf.train.list_variables(prefix):
        value = reader.get_tensor(name)
        record = {"shape": list(shape), "dtype": types_pb2.DataType.Name(dtypes[name].as_datatype_enum)}
        if dtypes[name] == tf.string:
            flat = [bytes(x) for x in np.asarray(value, dtype=object).reshape(-1)]
            record["count"] = len(flat)
            record["lengths"] = [len(x) for x in flat[:8]]
            record["first"] = [x[:48].hex() for x in flat[:4]]
            record["sha256"] = hashlib.sha256(b"".join(struct.pack("<Q", len(x)) + x for x in flat)).hexdigest()
        else:
            canonical = _canonical(np.asarray(value))
            flat = canonical.reshape(-1)
            record["sha256"] = hashlib.sha256(canonical.tobytes()).hexdigest()
            record["first"] = [_json_number(x) for x in flat[:5]]
            if canonical.dtype.kind in "fc":
                record["nan_count"] = int(np.isnan(flat).sum())
        tensors[name] = record
    state = tf.train.get_checkpoint_state(str(folder))
    latest = tf.train.latest_checkpoint(str(folder))
    return {
        "prefix": Path(prefix).name,
        "files": sorted(p.name for p in folder.iterdir()),
        "list_variables": [[name, list(shape)] for name, shape in tf.train.list_variables(prefix)],
        "dtypes": {name: types_pb2.DataType.Name(d.as_datatype_enum) for name, d in sorted(dtypes.items())},
        "tensors": tensors,
        "object_graph": object_graph(reader),
        # get_checkpoint_state joins a relative path to the folder: record it relative again, so the
        # answers do not depend on where this script ran (the file itself keeps what TF wrote).
        "checkpoint_state": None
        if state is None
        else {
            "model_checkpoint_path": os.path.relpath(state.model_checkpoint_path, folder),
            "all_model_checkpoint_paths": [os.path.relpath(p, folder) for p in state.all_model_checkpoint_paths],
            "latest_checkpoint": None if latest is None else os.path.relpath(latest, folder),
        },
    }


def main() -> None:
    cpu = tf.config.list_physical_devices("CPU")[0]
    tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)
    shutil.rmtree(SCRATCH, ignore_errors=True)
    writers = [
        keras_weights,
        legacy_optimizer,
        nan_checkpoint,
        sharded_checkpoint,
        dtypes_checkpoint,
        partitioned_saver,
    ]
    prefixes = {}
    for writer in writers:
        folder = SCRATCH / writer.__name__
        folder.mkdir(parents=True)
        prefixes[writer.__name__] = writer(folder)
    folder = SCRATCH / "snappy_index"
    folder.mkdir()
    prefixes["snappy_index"] = snappy_index(folder, prefixes["keras_weights"])

    answers = {
        "tensorflow": tf.__version__,
        "tf_keras": tf_keras.__version__,
        "data_types": {v.name: v.number for v in types_pb2.DataType.DESCRIPTOR.values},
        "checkpoints": {},
    }
    for name, prefix in prefixes.items():
        answers["checkpoints"][name] = tf_answers(prefix, SCRATCH / name)
        print(f"{name}: {len(answers['checkpoints'][name]['list_variables'])} variables")
    # The snappy index must say exactly what its uncompressed source says.
    for key in ("list_variables", "dtypes", "tensors", "object_graph"):
        assert answers["checkpoints"]["snappy_index"][key] == answers["checkpoints"]["keras_weights"][key], key

    shutil.rmtree(OUT, ignore_errors=True)
    shutil.copytree(SCRATCH, OUT)
    (OUT / "tf_answers.json").write_text(json.dumps(answers, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    total = sum(p.stat().st_size for p in OUT.rglob("*") if p.is_file())
    assert total < MAX_TOTAL_BYTES, f"fixtures take {total:,} bytes"
    print(f"wrote {OUT} ({total:,} bytes)")


if __name__ == "__main__":
    main()
