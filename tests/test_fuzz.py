"""Fuzzing: mutated HDF5, zip, protobuf and JSON never make h5lint crash, hang or balloon.

Seeds are real sample models copied to a temporary folder (sample_models/ itself is never
touched). Two kinds of mutation: bytes (flip, overwrite, truncate, insert, duplicate or delete
ranges) of a whole file or of one zip member, and structure (a node of the Keras model config
replaced by or removed for an arbitrary JSON value) wherever a config is stored: a JSON file, a
.keras member, an HDF5 attribute. Every mutant goes through the engine in-process with every
rule, and must give one report whose artifact is readable or carries H5L001, with no crashed
rule, no time-limit finding, within a few seconds, without changing the file.

Deterministic (``derandomize``) and bounded for CI; ``H5LINT_FUZZ_EXAMPLES=5000`` and
``H5LINT_FUZZ_RANDOM=1`` run a longer random search locally.
"""

from __future__ import annotations

import hashlib
import json
import os
import resource
import shutil
import sys
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path
from typing import Any, Callable

import h5py
import pytest
from conftest import SAMPLES
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from h5lint.budgets import Budgets
from h5lint.engine import lint_paths
from h5lint.findings import ArtifactReport
from h5lint.settings import resolve

# Minutes of searching: part of every CI run, left out of the quick local loop.
pytestmark = pytest.mark.slow

SETTINGS = resolve(None, {"select": ["ALL"]})
# Far above what any mutant needs (milliseconds); reaching it means a parser lacks a budget.
TIMEOUT = 20.0
# A tighter memory budget than the CLI's: libhdf5 asks for as much as a damaged length claims (up to
# 4 GiB per string), and such a request must fail, not be served.
MEMORY_MIB = 512
BUDGETS = Budgets(timeout=TIMEOUT, memory_mib=MEMORY_MIB)
MAX_RSS_GROWTH_BYTES = (MEMORY_MIB + 256) << 20

EXAMPLES = int(os.environ.get("H5LINT_FUZZ_EXAMPLES", "0")) or None


def fuzz(examples: int) -> settings:
    """Hypothesis settings for one search: ``examples`` mutants (about 5-10 ms each), the same ones every run."""
    return settings(
        max_examples=EXAMPLES or examples,
        derandomize=not os.environ.get("H5LINT_FUZZ_RANDOM"),
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )


H5_SEEDS = ("tfk_sigmoid_head_bce.h5", "tfk_stateful_bilstm.h5", "k3_sigmoid_head_bce.weights.h5")
ZIP_SEEDS = ("k3_sigmoid_head_bce.keras", "k3_lambda_nested.keras", "tfk_sigmoid_head_bce.keras")
SAVEDMODEL_SEEDS = ("tfk_sigmoid_head_bce_savedmodel", "tfk_stateful_lstm_savedmodel")
PB_MEMBERS = ("saved_model.pb", "keras_metadata.pb")
JSON_SEEDS = ("tfk_sigmoid_head_bce_arch.json", "tfjs_sigmoid_head_bce/model.json")
# TF checkpoints: a save_weights folder (object graph, optimizer state) and one whose weights H5L502 reads.
CHECKPOINT_SEEDS = ("tfk_sigmoid_head_bce_ckpt", "tfk_nonfinite_weights_ckpt")
CHECKPOINT_MEMBERS = ("ckpt.index", "ckpt.data-00000-of-00001", "checkpoint")
# SavedModel variables/: tf-keras (mapped to layers through the Keras metadata), Keras 3 export (graph heads).
VARIABLES_SEEDS = ("tfk_zero_output_kernel_savedmodel", "k3_zero_output_kernel_export")
VARIABLES_MEMBERS = ("variables/variables.index", "variables/variables.data-00000-of-00001")
CONFIG_SEEDS = ("tfk_sigmoid_head_bce_arch.json", "tfk_stateful_bilstm.h5", "k3_lambda_nested.keras")


def _seed(name: str) -> Path:
    path = SAMPLES / name
    if not path.exists():
        pytest.skip(f"sample model {name} is not there (sample_models/ is generated)")
    return path


@pytest.fixture(scope="module")
def workdir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("fuzz")


# --- byte mutations ---------------------------------------------------------------------------

OFFSET = st.integers(0, 1 << 20)  # taken modulo the length, so every offset is reachable and shrinks to 0
SPAN = st.integers(1, 64)
MUTATION = st.one_of(
    st.tuples(st.just("flip"), OFFSET, st.integers(1, 255)),
    st.tuples(st.just("overwrite"), OFFSET, st.binary(min_size=1, max_size=16)),
    st.tuples(st.just("truncate"), OFFSET),
    st.tuples(st.just("insert"), OFFSET, st.binary(min_size=1, max_size=16)),
    st.tuples(st.just("duplicate"), OFFSET, SPAN, OFFSET),
    st.tuples(st.just("delete"), OFFSET, SPAN),
)
MUTATIONS = st.lists(MUTATION, min_size=1, max_size=4)


def mutate(data: bytes, mutations: list[tuple]) -> bytes:
    buf = bytearray(data)
    for kind, at, *rest in mutations:
        at = at % (len(buf) + 1)
        if kind == "flip" and at < len(buf):
            buf[at] ^= rest[0]
        elif kind == "overwrite":
            buf[at : at + len(rest[0])] = rest[0]
        elif kind == "truncate":
            del buf[at:]
        elif kind == "insert":
            buf[at:at] = rest[0]
        elif kind == "duplicate":
            piece = buf[at : at + rest[0]]
            to = rest[1] % (len(buf) + 1)
            buf[to:to] = piece
        elif kind == "delete":
            del buf[at : at + rest[0]]
    return bytes(buf)


def _zip_with(source: Path, target: Path, change: Callable[[str, bytes], bytes]) -> None:
    """A copy of the zip ``source`` whose members went through ``change(name, data)``, same order and methods."""
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(target, "w") as zout:
        for info in zin.infolist():
            zout.writestr(info, change(info.filename, zin.read(info)))


# --- structure mutations of a Keras config ------------------------------------------------------

KERAS_KEYS = (
    "class_name", "config", "layers", "name", "inbound_nodes", "input_layers", "output_layers", "layer",
    "forward_layer", "backward_layer", "module", "registered_name", "function", "function_type", "activation",
    "units", "dtype", "batch_input_shape", "build_config", "compile_config", "loss", "metrics", "args", "kwargs",
    "keras_history", "node_index", "tensor_index", "modelTopology", "model_config", "weightsManifest", "paths",
    "weights", "shape", "stateful", "return_sequences", "cell", "from_logits",
)
JSON_LEAF = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(1 << 70), 1 << 70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=12),
    st.sampled_from(KERAS_KEYS),
)
JSON_VALUE = st.recursive(
    JSON_LEAF,
    lambda inner: st.one_of(
        st.lists(inner, max_size=5),
        st.dictionaries(st.sampled_from(KERAS_KEYS) | st.text(max_size=8), inner, max_size=5),
    ),
    max_leaves=24,
)
EDIT = st.tuples(st.sampled_from(("replace", "delete", "wrap")), st.integers(0, 1 << 16), JSON_VALUE)
EDITS = st.lists(EDIT, min_size=1, max_size=3)


def _nodes(value: Any, found: list[tuple[Any, Any]]) -> list[tuple[Any, Any]]:
    """Every (container, key) pair of a JSON tree, depth first."""
    items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    for key, child in list(items):
        found.append((value, key))
        _nodes(child, found)
    return found


def edit_config(config: Any, edits: list[tuple]) -> Any:
    for kind, index, value in edits:
        nodes = _nodes(config, [])
        if not nodes:
            return value
        parent, key = nodes[index % len(nodes)]
        if kind == "replace":
            parent[key] = value
        elif kind == "wrap":  # the same node one level deeper: lists where dicts were, and so on
            parent[key] = [parent[key]] if index % 2 else {"config": parent[key], "class_name": value}
        else:
            del parent[key]
    return config


def _dumps(value: Any) -> str:
    return json.dumps(value)  # NaN/Infinity literals, as Keras writes them


def _edit_json_text(text: str | bytes, edits: list[tuple]) -> str:
    return _dumps(edit_config(json.loads(text), edits))


# --- the check ------------------------------------------------------------------------------------


def _digest(path: Path) -> str:
    if path.is_file():
        return hashlib.sha256(path.read_bytes()).hexdigest()
    files = sorted(p for p in path.rglob("*") if p.is_file())
    return hashlib.sha256(b"".join(str(p).encode() + p.read_bytes() for p in files)).hexdigest()


def assert_survives(path: Path) -> ArtifactReport:
    artifacts = assert_all_survive(path)
    assert len(artifacts) == 1, artifacts
    return artifacts[0]


def assert_all_survive(path: Path) -> tuple[ArtifactReport, ...]:
    """Every artifact found under ``path`` (a folder whose parts were all linked away may hold none)."""
    before = _digest(path)
    report = lint_paths([str(path)], SETTINGS, jobs=1, budgets=BUDGETS)
    for artifact in report.artifacts:
        _assert_report_sane(artifact)
    assert _digest(path) == before, f"h5lint changed {path}"
    return report.artifacts


def _assert_report_sane(artifact: ArtifactReport) -> None:
    codes = {f.code for f in artifact.findings}
    assert artifact.crashed_checks == (), artifact.crashed_checks  # a crashing rule is a bug
    assert artifact.readable or "H5L001" in codes, artifact
    assert not [f for f in artifact.findings if "time limit" in f.message], artifact.findings


def _max_rss_bytes() -> int:
    # ru_maxrss is KiB on Linux, bytes on macOS.
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak if sys.platform == "darwin" else peak * 1024


def run_bounded(search: Callable[[], None]) -> None:
    """Run a hypothesis search and check the process' peak memory did not grow much on the way."""
    before = _max_rss_bytes()
    search()
    grown = _max_rss_bytes() - before
    assert grown < MAX_RSS_GROWTH_BYTES, f"peak memory grew by {grown:,} bytes while fuzzing"


def _fresh(workdir: Path, name: str) -> Path:
    target = workdir / name
    if target.is_dir():
        shutil.rmtree(target)
    elif target.exists():
        target.unlink()
    target.parent.mkdir(parents=True, exist_ok=True)
    return target


# --- the tests ------------------------------------------------------------------------------------


def test_mutated_hdf5_files(workdir):
    seeds = {name: _seed(name).read_bytes() for name in H5_SEEDS}

    @fuzz(1200)
    @given(st.sampled_from(H5_SEEDS), MUTATIONS)
    def search(seed, mutations):
        target = _fresh(workdir, "mutant.h5")
        target.write_bytes(mutate(seeds[seed], mutations))
        assert_survives(target)

    run_bounded(search)


def test_mutated_keras_zips(workdir):
    seeds = {name: _seed(name) for name in ZIP_SEEDS}

    @fuzz(1000)
    @given(st.sampled_from(ZIP_SEEDS), st.sampled_from((None, "config.json", "model.weights.h5")), MUTATIONS)
    def search(seed, member, mutations):
        target = _fresh(workdir, "mutant.keras")
        if member is None:  # the zip's own structure: headers, central directory, stored data
            target.write_bytes(mutate(seeds[seed].read_bytes(), mutations))
        else:
            _zip_with(seeds[seed], target, lambda name, data: mutate(data, mutations) if name == member else data)
        assert_survives(target)

    run_bounded(search)


def test_mutated_savedmodel_protobufs(workdir):
    seeds = {name: _seed(name) for name in SAVEDMODEL_SEEDS}

    @fuzz(600)
    @given(st.sampled_from(SAVEDMODEL_SEEDS), st.sampled_from(PB_MEMBERS), st.booleans(), MUTATIONS)
    def search(seed, member, named_alone, mutations):
        folder = _fresh(workdir, "mutant_savedmodel")
        shutil.copytree(seeds[seed], folder)
        pb = folder / member
        pb.write_bytes(mutate(pb.read_bytes(), mutations))
        # Pre-commit names a member file; it must be read as the folder it belongs to.
        assert_survives(pb if named_alone else folder)

    run_bounded(search)


def test_mutated_checkpoints(workdir):
    seeds = {name: _seed(name) for name in CHECKPOINT_SEEDS}

    @fuzz(400)
    @given(st.sampled_from(CHECKPOINT_SEEDS), st.sampled_from(CHECKPOINT_MEMBERS), st.booleans(), MUTATIONS)
    def search(seed, member, named_alone, mutations):
        folder = _fresh(workdir, "mutant_ckpt")
        shutil.copytree(seeds[seed], folder)
        part = folder / member
        part.write_bytes(mutate(part.read_bytes(), mutations))
        # Pre-commit names each file of a checkpoint; it must be read as the folder it belongs to.
        assert_survives(part if named_alone else folder)

    run_bounded(search)


def test_mutated_bare_bundles(workdir):
    """An index without its folder's checkpoint file is an artifact of its own."""
    seeds = {name: _seed(name) for name in CHECKPOINT_SEEDS}

    @fuzz(200)
    @given(st.sampled_from(CHECKPOINT_SEEDS), st.sampled_from(CHECKPOINT_MEMBERS[:2]), MUTATIONS)
    def search(seed, member, mutations):
        folder = _fresh(workdir, "mutant_bundle")
        shutil.copytree(seeds[seed], folder)
        (folder / "checkpoint").unlink()
        part = folder / member
        part.write_bytes(mutate(part.read_bytes(), mutations))
        assert_survives(folder / "ckpt.index")

    run_bounded(search)


def test_mutated_savedmodel_variables(workdir):
    seeds = {name: _seed(name) for name in VARIABLES_SEEDS}

    @fuzz(300)
    @given(st.sampled_from(VARIABLES_SEEDS), st.sampled_from(VARIABLES_MEMBERS), MUTATIONS)
    def search(seed, member, mutations):
        folder = _fresh(workdir, "mutant_variables")
        shutil.copytree(seeds[seed], folder)
        part = folder / member
        part.write_bytes(mutate(part.read_bytes(), mutations))
        assert_survives(folder)

    run_bounded(search)


def test_mutated_json_files(workdir):
    seeds = {name: _seed(name) for name in JSON_SEEDS}

    @fuzz(1000)
    @given(st.sampled_from(JSON_SEEDS), st.booleans(), MUTATIONS, EDITS)
    def search(seed, as_bytes, mutations, edits):
        folder = _fresh(workdir, "mutant_json")
        if seeds[seed].parent == SAMPLES:  # a lone file
            folder.mkdir()
        else:  # a TF.js model: model.json and its weight shards
            shutil.copytree(seeds[seed].parent, folder)
        target = folder / seeds[seed].name
        text = seeds[seed].read_bytes()
        target.write_bytes(mutate(text, mutations) if as_bytes else _edit_json_text(text, edits).encode())
        assert_survives(target)

    run_bounded(search)


def _edit_stored_config(source: Path, target: Path, edits: list[tuple]) -> None:
    """``source`` copied to ``target`` with its model config edited where that format keeps it."""
    if source.suffix == ".json":
        target.write_text(_edit_json_text(source.read_text(encoding="utf-8"), edits), encoding="utf-8")
    elif source.suffix == ".keras":
        _zip_with(source, target, lambda name, data: _edit_json_text(data, edits).encode() if name == "config.json" else data)
    else:
        shutil.copyfile(source, target)
        with h5py.File(target, "r+") as h5:
            h5.attrs["model_config"] = _edit_json_text(h5.attrs["model_config"], edits)


def test_edited_model_configs(workdir):
    seeds = {name: _seed(name) for name in CONFIG_SEEDS}

    @fuzz(600)
    @given(st.sampled_from(CONFIG_SEEDS), EDITS)
    def search(seed, edits):
        source = seeds[seed]
        target = _fresh(workdir, f"edited{source.suffix}")
        _edit_stored_config(source, target, edits)
        assert_survives(target)

    run_bounded(search)


def test_mutate_helpers_do_what_they_say():
    data = bytes(range(10))
    assert mutate(data, [("flip", 0, 0xFF)]) == b"\xff" + data[1:]
    assert mutate(data, [("truncate", 3)]) == data[:3]
    assert mutate(data, [("insert", 10, b"ab")]) == data + b"ab"
    assert mutate(data, [("duplicate", 0, 2, 4)]) == data[:4] + data[:2] + data[4:]
    assert mutate(data, [("delete", 1, 8)]) == data[:1] + data[9:]
    assert mutate(data, [("overwrite", 21, b"x")]) == data[:10] + b"x"  # 21 % 11 == 10
    assert edit_config({"a": [1, 2]}, [("replace", 1, None)]) == {"a": [None, 2]}
    assert edit_config({"a": [1, 2]}, [("delete", 0, None)]) == {}
    assert edit_config({"a": 1}, [("wrap", 1, None)]) == {"a": [1]}


# --- hostile arrangements: polyglots, encodings, links, names (issue 10) ----------------------------

LAMBDA_ZIP = "k3_lambda_os_system.keras"  # H5L101 at layer:pwn, an error, wherever it is read from
PWN = ("H5L101", "layer:pwn")
HDF5_SIGNATURE = b"\x89HDF\r\n\x1a\n"
USER_BLOCKS = [512 << shift for shift in range(6)]


def _pairs(artifact: ArtifactReport) -> set[tuple[str, str | None]]:
    return {(f.code, f.location) for f in artifact.findings}


def _stored_members(source: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(source) as zf:
        return {info.filename: zf.read(info) for info in zf.infolist()}


def _polyglot(members: dict[str, bytes], h5: bytes, arrangement: str, boundary: int, junk: bytes) -> bytes:
    """A file that is the Lambda zip and an HDF5 file at once, arranged as an attacker might."""
    import io

    def stored(entries: dict[str, bytes]) -> bytes:
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as zf:
            for name, data in entries.items():
                zf.writestr(name, data)
        return buf.getvalue()

    if arrangement == "zip-then-h5":  # an HDF5 file stored in the zip, its signature on a user-block boundary
        entries = {"metadata.json": members["metadata.json"], "config.json": members["config.json"], "x.h5": h5}
        first = stored(entries).find(HDF5_SIGNATURE)
        target = next((b for b in USER_BLOCKS if b >= first + len(junk)), None)
        if target is not None:
            entries["config.json"] = members["config.json"] + b" " * (target - first)
        entries["model.weights.h5"] = members["model.weights.h5"]
        return stored(entries)
    # An HDF5 file with the zip appended (zipfile finds it by its end record), junk between.
    return h5 + junk + stored(members)


def test_polyglots_are_read_as_every_format_they_are(workdir):
    members = _stored_members(_seed(LAMBDA_ZIP))
    h5s = {name: _seed(name).read_bytes() for name in H5_SEEDS}

    @fuzz(150)
    @given(
        st.sampled_from(H5_SEEDS),
        st.sampled_from(["zip-then-h5", "h5-then-zip"]),
        st.sampled_from(USER_BLOCKS),
        st.binary(max_size=600),
    )
    def search(h5_seed, arrangement, boundary, junk):
        target = _fresh(workdir, "polyglot.keras")
        target.write_bytes(_polyglot(members, h5s[h5_seed], arrangement, boundary, junk))
        artifact = assert_survives(target)
        assert PWN in _pairs(artifact)  # the zip's Lambda is never hidden by the HDF5 reading

    run_bounded(search)


def _escape_some(text: str, picks: list[int]) -> str:
    """JSON text with some characters of its strings written as \\uXXXX escapes (the same document)."""
    out, in_string, escaped = [], False, False
    for index, char in enumerate(text):
        if in_string and not escaped and char not in '"\\' and index % 7 in picks:
            out.append(f"\\u{ord(char):04x}")
        else:
            out.append(char)
        if char == '"' and not escaped:
            in_string = not in_string
        escaped = char == "\\" and not escaped
    return "".join(out)


def test_configs_in_every_encoding_json_accepts(workdir):
    source = _seed(LAMBDA_ZIP)
    config = _stored_members(source)["config.json"].decode("utf-8")

    @fuzz(120)
    @given(
        st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be", "utf-32", "utf-32-le", "utf-32-be"]),
        st.lists(st.integers(0, 6), max_size=3),
        st.sampled_from(["zip", "folder"]),
    )
    def search(encoding, picks, where):
        data = _escape_some(config, picks).encode(encoding)
        target = _fresh(workdir, "encoded.keras" if where == "zip" else "encoded_folder")
        if where == "zip":
            _zip_with(source, target, lambda name, d: data if name == "config.json" else d)
        else:
            target.mkdir()
            for name, member in _stored_members(source).items():
                (target / name).write_bytes(data if name == "config.json" else member)
        assert PWN in _pairs(assert_survives(target))

    run_bounded(search)


LINK_SEEDS = ("k3_sigmoid_head_bce_unzipped", "tfjs_nonfinite_weights", "tfk_sigmoid_head_bce_savedmodel")


def test_links_inside_model_folders(workdir):
    outside = _fresh(workdir, "outside")
    outside.mkdir()
    (outside / "secret.json").write_text(json.dumps({"keras_version": "9.9.9", "class_name": "Secret"}))
    (outside / "secret.bin").write_bytes(b"\xff" * 512)
    kinds = {
        "outside-file": lambda folder, member: outside / "secret.json",
        "outside-bin": lambda folder, member: outside / "secret.bin",
        "outside-dir": lambda folder, member: outside,
        "device": lambda folder, member: Path("/dev/zero"),
        "dangling": lambda folder, member: folder / "nowhere",
        "loop": lambda folder, member: folder / member,
        "inside": lambda folder, member: Path(member).name + ".orig",  # relative, to the original next to it
        "parent": lambda folder, member: Path("..") / folder.name / member,  # leaves and comes back in
    }

    @fuzz(150)
    @given(st.sampled_from(LINK_SEEDS), st.data())
    def search(seed, data):
        folder = _fresh(workdir, "linked")
        shutil.copytree(_seed(seed), folder)
        members = sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())
        chosen = data.draw(st.lists(st.sampled_from(members), min_size=1, max_size=3, unique=True))
        for member in chosen:
            kind = data.draw(st.sampled_from(sorted(kinds)))
            path = folder / member
            if kind == "inside":
                path.rename(path.with_name(path.name + ".orig"))
            else:
                path.unlink()
            path.symlink_to(kinds[kind](folder, member))
        for artifact in assert_all_survive(folder):
            text = json.dumps([[f.message, f.location] for f in artifact.findings]) + str(artifact.versions)
            assert "9.9.9" not in text and "Secret" not in text

    run_bounded(search)


NAME_CHARACTERS = st.characters(codec=None, exclude_categories=())  # every code point, lone surrogates too
HOSTILE_NAMES = st.one_of(
    st.text(NAME_CHARACTERS, max_size=40),
    st.sampled_from(["\n::error file=x,line=1::forged", "::add-mask::secret", "\x1b]0;title\x07", "a\rb", "\ud800"]),
    st.builds(lambda n: "N" * n, st.integers(0, 300_000)),
)


def test_hostile_names_in_every_output_format(workdir):
    from h5lint.reporters import render

    source = _seed(LAMBDA_ZIP)
    config = json.loads(_stored_members(source)["config.json"])
    formats = ("concise", "full", "json", "sarif", "github", "gitlab", "junit")
    clean = lint_paths([str(source)], SETTINGS, jobs=1, budgets=BUDGETS)
    # Whatever the name, a report grows by a bounded amount (SARIF carries the whole rule catalog anyway).
    ceiling = {output_format: len(render(output_format, clean)) + 20_000 for output_format in formats}

    @fuzz(150)
    @given(HOSTILE_NAMES, st.sampled_from(["name", "class_name", "module"]))
    def search(name, field):
        edited = json.loads(json.dumps(config))
        layer = next(layer for layer in edited["config"]["layers"] if layer["config"]["name"] == "pwn")
        if field == "name":
            layer["config"]["name"] = layer["name"] = name
        else:
            layer[field] = name
        target = _fresh(workdir, "named.keras")
        text = json.dumps(edited)  # \\uXXXX escapes for control characters and lone surrogates
        _zip_with(source, target, lambda member, d: text.encode() if member == "config.json" else d)
        report = lint_paths([str(target)], SETTINGS, jobs=1, budgets=BUDGETS)
        assert report.artifacts[0].crashed_checks == ()
        for output_format in formats:
            out = render(output_format, report)
            out.encode("utf-8", "surrogateescape")  # every reporter's output can be written
            assert len(out) < ceiling[output_format]
            lines = out.splitlines()
            if output_format in ("concise", "full"):
                assert not any(line.startswith("::") for line in lines) and "\x1b" not in out and "\r" not in out
            if output_format == "github":
                assert all(line.startswith("::") for line in lines if line) and "\r" not in out
            if output_format == "gitlab":
                json.loads(out.encode("utf-8"))
            if output_format == "junit":
                ET.fromstring(out.encode("utf-8"))

    run_bounded(search)
