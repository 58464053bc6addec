"""h5lint.tensorbundle on real checkpoints: what it reads equals what TensorFlow itself says.

tests/fixtures/bundles/ is written by tools/make_bundle_fixtures.py with TF 2.21 / tf-keras 2.21,
which also records TF's answers in tf_answers.json (list_variables, the dtype map, a SHA-256 and
the first values of every tensor, the decoded object graph, get_checkpoint_state). Every SavedModel
bundle of sample_models/, shared/format-examples/ and shared/realworld/ must read without a
traceback and be self-consistent.
"""

from __future__ import annotations

import hashlib
import json
import math
import shutil
import struct
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest
from bundlebuild import unmask
from conftest import FORMAT_EXAMPLES, REALWORLD, SAMPLES

import h5lint.tensorbundle as tb
from h5lint.pbwire import read_varint
from h5lint.tensorbundle.dtypes import ELEMENT_SIZES, NUMPY_FORMATS
from h5lint.tensorbundle.strings import parse_string_tensor

FIXTURES = Path(__file__).parent / "fixtures" / "bundles"
ANSWERS = json.loads((FIXTURES / "tf_answers.json").read_text(encoding="utf-8"))
CHECKPOINTS = ANSWERS["checkpoints"]


def _index(name: str) -> Path:
    return FIXTURES / name / (CHECKPOINTS[name]["prefix"] + ".index")


def _savedmodel_indexes() -> list[Path]:
    roots = [SAMPLES, FORMAT_EXAMPLES, REALWORLD / "files"]
    return sorted(p for root in roots if root.exists() for p in root.rglob("variables/variables.index"))


def _values(bundle: tb.Bundle, entry: tb.BundleEntry, chunk: int = 5) -> np.ndarray:
    pieces = list(tb.tensor_chunks(bundle, entry, chunk, verify_crc=True))
    return np.concatenate(pieces) if pieces else np.zeros(0, NUMPY_FORMATS.get(entry.dtype_code, "<f4"))


def _assembled(bundle: tb.Bundle, entry: tb.BundleEntry) -> np.ndarray:
    """A partitioned tensor put together from its slice entries."""
    parts = {e.slice_spec: e for e in bundle.entries if e.slice_of == entry.key}
    full = None
    for spec in entry.slices:
        part = parts[spec]
        values = _values(bundle, part).reshape(part.shape)
        full = np.zeros(entry.shape, values.dtype) if full is None else full
        index = tuple(
            slice(None) if extent == "-" else slice(int(extent.split(",")[0]), sum(map(int, extent.split(","))))
            for extent in spec.split(":")
        )
        full[index] = values
    return full


def _first(values: np.ndarray, count: int) -> list:
    out = []
    for x in values.reshape(-1)[:count]:
        if np.iscomplexobj(x):
            out.append([_first(np.array([x.real]), 1)[0], _first(np.array([x.imag]), 1)[0]])
        elif isinstance(x, np.floating):
            out.append(float(x) if math.isfinite(x) else str(float(x)))
        elif isinstance(x, np.bool_):
            out.append(bool(x))
        else:
            out.append(int(x))
    return out


# ---- against TensorFlow's answers ----


def test_data_type_names_are_tensorflows():
    assert {name: number for number, name in tb.DATA_TYPES.items()} == ANSWERS["data_types"]


@pytest.mark.parametrize("name", sorted(CHECKPOINTS))
def test_entries_are_what_tensorflow_lists(name):
    answers = CHECKPOINTS[name]
    bundle = tb.read_index(_index(name))
    listed = [e for e in bundle.entries if e.slice_of is None]  # TF lists full tensors, not their slices
    assert [[e.key, list(e.shape)] for e in listed] == answers["list_variables"]
    assert {e.key: e.dtype for e in listed} == answers["dtypes"]
    assert bundle.header.endianness == "little" and bundle.header.version == 1
    shards = {n for n in answers["files"] if ".data-" in n}
    assert bundle.header.num_shards == len(shards)
    assert {Path(bundle.shard_path(e.shard_id)).name for e in bundle.entries if not e.sliced} == shards


@pytest.mark.parametrize("name", sorted(CHECKPOINTS))
def test_values_are_what_tensorflow_reads(name):
    bundle = tb.read_index(_index(name))
    checked = 0
    for entry in bundle.entries:
        answer = CHECKPOINTS[name]["tensors"].get(entry.key)
        if answer is None or entry.dtype_code == 7:
            continue
        values = _assembled(bundle, entry) if entry.sliced else _values(bundle, entry)
        assert hashlib.sha256(values.tobytes()).hexdigest() == answer["sha256"], entry.key
        assert _first(values, 5) == answer["first"], entry.key
        if "nan_count" in answer:
            assert int(np.isnan(values).sum()) == answer["nan_count"]
        checked += 1
    assert checked == sum(1 for t in CHECKPOINTS[name]["tensors"].values() if t["dtype"] != "DT_STRING")


def test_dtypes_stream_as_documented():
    bundle = tb.read_index(_index("dtypes_checkpoint"))
    by_name = {e.key.split("/")[0]: e for e in bundle.entries}
    kinds = {name: _values(bundle, entry).dtype for name, entry in by_name.items() if entry.dtype_code != 7}
    assert kinds["bf16"] == np.float32 and kinds["f16"] == np.float16 and kinds["flags"] == np.bool_
    assert _values(bundle, by_name["bf16"]).tolist() == [1.0, 2.5, -3.0, pytest.approx(1e30, rel=1e-2)]
    assert _values(bundle, by_name["empty"]).size == 0
    chunks = list(tb.tensor_chunks(bundle, by_name["big"], 7))
    assert [len(c) for c in chunks] == [7] * 171 + [3]  # 30 x 40 = 1,200 values, 7 at a time


def test_nan_checkpoint_values():
    bundle = tb.read_index(_index("nan_checkpoint"))
    by_path = {tb.variable_paths(bundle)[e.key]: e for e in bundle.entries if e.key != tb.OBJECT_GRAPH_KEY}
    weights = _values(bundle, by_path["weights"])
    assert np.isnan(weights).tolist() == [False, True, False, False, False, False]
    assert _values(bundle, by_path["head/bias"]).tolist() == [0.5, math.inf]
    assert _values(bundle, by_path["step"]).tolist() == [42]


@pytest.mark.parametrize("name", sorted(n for n, a in CHECKPOINTS.items() if a["object_graph"]))
def test_object_graph_is_what_tensorflow_decodes(name):
    graph = tb.read_index(_index(name)).object_graph
    decoded = {
        "nodes": [
            {
                "children": [[c.local_name, c.node_id] for c in node.children],
                "attributes": [[a.name, a.full_name, a.checkpoint_key] for a in node.attributes],
                "slot_variables": [[s.original_node_id, s.slot_name, s.slot_node_id] for s in node.slot_variables],
            }
            for node in graph.nodes
        ]
    }
    assert decoded == CHECKPOINTS[name]["object_graph"]


def test_string_tensors_match_tensorflow():
    bundle = tb.read_index(_index("dtypes_checkpoint"))
    entry = next(e for e in bundle.entries if e.key.startswith("words/"))
    answer = CHECKPOINTS["dtypes_checkpoint"]["tensors"][entry.key]
    data = (FIXTURES / "dtypes_checkpoint" / "ckpt.data-00000-of-00001").read_bytes()[
        entry.offset : entry.offset + entry.size
    ]
    parsed = parse_string_tensor(data, entry.elements, "little", "words")
    assert list(parsed.lengths) == answer["lengths"]
    strings, pos = [], parsed.data_start
    for length in parsed.lengths:
        strings.append(data[pos : pos + length])
        pos += length
    assert [s[:48].hex() for s in strings] == answer["first"]
    assert hashlib.sha256(b"".join(struct.pack("<Q", len(s)) + s for s in strings)).hexdigest() == answer["sha256"]
    assert unmask(entry.crc32c) == parsed.crc32c
    with pytest.raises(tb.BundleError, match="DT_STRING; h5lint reads the values of numeric tensors only"):
        next(tb.tensor_chunks(bundle, entry, 10))


def test_every_fixture_has_no_shard_problem_and_every_checksum_matches():
    for name in CHECKPOINTS:
        assert tb.shard_problems(tb.read_index(_index(name)), crc_budget=1 << 30) == [], name


# ---- variable paths ----


def test_keras_variable_paths_follow_the_object_graph():
    bundle = tb.read_index(_index("keras_weights"))
    paths = tb.variable_paths(bundle)
    assert paths["layer_with_weights-0/kernel/.ATTRIBUTES/VARIABLE_VALUE"] == "layer_with_weights-0/kernel"
    assert paths["optimizer/_variables/1/.ATTRIBUTES/VARIABLE_VALUE"] == "optimizer/_variables/1"
    assert tb.OBJECT_GRAPH_KEY not in paths and len(paths) == 22
    full = tb.variable_full_names(bundle)
    assert full["layer_with_weights-0/kernel/.ATTRIBUTES/VARIABLE_VALUE"] == "hidden/kernel"
    assert full["optimizer/_variables/1/.ATTRIBUTES/VARIABLE_VALUE"] == "Adam/m/hidden/kernel"
    # Every graph path is the key without its attribute suffix: the graph and the keys agree.
    assert all(key == path + "/.ATTRIBUTES/VARIABLE_VALUE" for key, path in paths.items())


def test_slot_variable_paths():
    bundle = tb.read_index(_index("legacy_optimizer"))
    slot = "weight/.OPTIMIZER_SLOT/optimizer/momentum/.ATTRIBUTES/VARIABLE_VALUE"
    assert tb.variable_paths(bundle)[slot] == "weight/.OPTIMIZER_SLOT/optimizer/momentum"
    assert tb.variable_full_names(bundle)[slot] == "SGD/Variable/momentum"


def test_name_based_keys_are_their_own_paths():
    bundle = tb.read_index(_index("partitioned_saver"))
    assert bundle.object_graph is None and bundle.object_graph_problem is None
    assert tb.variable_paths(bundle) == {"other": "other", "part": "part"}
    assert tb.variable_full_names(bundle) == {}


def test_graph_paths_prefer_the_first_breadth_first_name():
    # tf-keras names each layer twice ("layer_with_weights-0" and "layer-0"); keys use the first.
    graph = tb.read_index(_index("keras_weights")).object_graph
    assert graph.paths()[1] == "layer_with_weights-0"


# ---- partitioned tensors ----


def test_partitioned_entries_name_their_slices():
    bundle = tb.read_index(_index("partitioned_saver"))
    part = next(e for e in bundle.entries if e.key == "part")
    assert part.sliced and part.slices == ("0,3:0,2", "3,3:0,2")
    pieces = [e for e in bundle.entries if e.slice_of == "part"]
    assert [(e.slice_spec, e.shape, e.label) for e in pieces] == [
        ("0,3:0,2", (3, 2), '"part" (slice 0,3:0,2)'),
        ("3,3:0,2", (3, 2), '"part" (slice 3,3:0,2)'),
    ]
    with pytest.raises(tb.BundleError, match=r'"part" is partitioned: its values are in its slice entries'):
        next(tb.tensor_chunks(bundle, part, 4))


def test_max_shard_size_policy_splits_variables_into_slices():
    bundle = tb.read_index(_index("sharded_checkpoint"))
    w1 = next(e for e in bundle.entries if e.key == "w1/.ATTRIBUTES/VARIABLE_VALUE")
    assert w1.slices == ("0,5:0,2", "0,5:2,6")
    assert {e.shard_id for e in bundle.entries if e.slice_of == w1.key} == {0, 1}


# ---- checkpoint state ----


@pytest.mark.parametrize("name", sorted(n for n, a in CHECKPOINTS.items() if a["checkpoint_state"]))
def test_checkpoint_state(name):
    answer = CHECKPOINTS[name]["checkpoint_state"]
    state = tb.read_checkpoint_state(FIXTURES / name)
    written = (FIXTURES / name / "checkpoint").read_text()
    if state.model_checkpoint_path.startswith("/"):  # the TF1 Saver wrote its absolute prefix
        assert state.prefix is None
        assert state.problems == (
            f"model_checkpoint_path is the absolute path {state.model_checkpoint_path!r}, which h5lint does not "
            f"follow; TensorFlow uses it as it is, so tf.train.latest_checkpoint finds nothing once the folder "
            f"has moved (model.ckpt.index is in the folder: the checkpoint was moved)",
        )
    else:
        assert state.problems == ()
        assert Path(state.prefix) == FIXTURES / name / answer["latest_checkpoint"]
        assert tb.read_index(state.prefix + ".index").entries
    assert Path(state.model_checkpoint_path).name == Path(answer["model_checkpoint_path"]).name
    assert [Path(p).name for p in state.all_model_checkpoint_paths] == answer["all_model_checkpoint_paths"]
    assert state.model_checkpoint_path in written


# ---- every SavedModel bundle at hand ----


@pytest.mark.parametrize("index", _savedmodel_indexes(), ids=lambda p: p.parent.parent.name)
def test_savedmodel_bundles_are_self_consistent(index):
    bundle = tb.read_index(index)
    problems = tb.shard_problems(bundle, crc_budget=1 << 22)
    keys = {e.key for e in bundle.entries}
    for problem in problems:
        # Real-world folders may lack their shard (not stored, or an LFS pointer); nothing else may be wrong.
        assert problem.kind == "missing-shard", problem
        assert set(problem.keys) == {e.key for e in bundle.entries if not e.sliced}
    for entry in bundle.entries:
        assert entry.key in keys and entry.shard_id < bundle.header.num_shards
        if entry.dtype_code in ELEMENT_SIZES:
            assert entry.size == entry.elements * ELEMENT_SIZES[entry.dtype_code]
    if not problems:
        for entry in bundle.entries:
            if entry.dtype_code in NUMPY_FORMATS:
                assert _values(bundle, entry, 1000).size == entry.elements
    if bundle.object_graph is not None:
        paths = tb.variable_paths(bundle)
        assert set(paths) == keys - {tb.OBJECT_GRAPH_KEY}
    elif tb.OBJECT_GRAPH_KEY in keys:
        assert problems and "does not exist" in bundle.object_graph_problem


def test_savedmodel_bundles_exist():
    if not (REALWORLD / "files").exists() or not FORMAT_EXAMPLES.exists():
        pytest.skip(f"{REALWORLD} or {FORMAT_EXAMPLES} absent: only sample_models/ bundles were checked")
    assert len(_savedmodel_indexes()) >= 30


def test_savedmodel_keras_variables_map_to_layer_paths():
    bundle = tb.read_index(SAMPLES / "tfk_linear_head_bce_savedmodel" / "variables" / "variables.index")
    paths = tb.variable_paths(bundle)
    full = tb.variable_full_names(bundle)
    kernel = next(k for k in paths if k.endswith("kernel/.ATTRIBUTES/VARIABLE_VALUE"))
    assert paths[kernel] == kernel.removesuffix("/.ATTRIBUTES/VARIABLE_VALUE")
    assert full[kernel].endswith("/kernel")


# ---- the snappy index ----


def test_snappy_compressed_index_reads_like_its_source():
    plain, snappy = tb.read_index(_index("keras_weights")), tb.read_index(_index("snappy_index"))
    assert snappy.entries == plain.entries and snappy.object_graph == plain.object_graph


def test_snappy_index_is_compressed_in_many_blocks():
    data = (FIXTURES / "snappy_index" / "ckpt.index").read_bytes()
    pos = len(data) - 48
    handles = []
    for _ in range(2):  # meta-index, index
        offset, pos = read_varint(data, pos)
        size, pos = read_varint(data, pos)
        handles.append((offset, size))
    assert [data[offset + size] for offset, size in handles] == [1, 1]  # compression type: Snappy
    index_offset = handles[1][0]
    assert index_offset > 1000  # the generator cut data blocks at 160 bytes: several come before


# ---- import hygiene ----


def test_import_loads_no_numpy_h5py_or_protobuf():
    script = textwrap.dedent(
        """
        import sys
        import h5lint.tensorbundle as tb
        bundle = tb.read_index(sys.argv[1])
        tb.shard_problems(bundle, crc_budget=1 << 20)
        tb.variable_paths(bundle)
        print(",".join(sorted(m for m in sys.modules if m.split(".")[0] in ("numpy", "h5py", "google"))))
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", script, str(_index("keras_weights"))], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == ""


def test_fixtures_are_small():
    assert sum(p.stat().st_size for p in FIXTURES.rglob("*") if p.is_file()) < 300_000


def test_reading_never_writes(tmp_path):
    folder = tmp_path / "ckpt"
    shutil.copytree(FIXTURES / "keras_weights", folder)
    before = {p.name: (p.stat().st_mtime_ns, p.read_bytes()) for p in folder.iterdir()}
    bundle = tb.read_index(folder / "ckpt.index")
    tb.shard_problems(bundle, crc_budget=1 << 30)
    for entry in bundle.entries:
        if entry.dtype_code in NUMPY_FORMATS:
            _values(bundle, entry)
    tb.read_checkpoint_state(folder)
    assert {p.name: (p.stat().st_mtime_ns, p.read_bytes()) for p in folder.iterdir()} == before
