"""Read a TensorFlow SavedModel folder: graph, signatures, ops, object graph and Keras metadata.

``saved_model.pb`` (or ``saved_model.pbtxt``) is read with our own subset schema (protoschema);
the Keras model config comes from ``keras_metadata.pb`` (tf.keras/tf-keras, TF >= 2.5) or from the
root object's metadata inside ``saved_model.pb`` (TF 2.0-2.4). ``variables/`` is a checkpoint, read by
the checkpoint parser's bundle reader: its index, its data shards (present, long enough, checksums),
and its variables as weights mapped to Keras layers through the object graph, their values streamed
only when a rule asks. The graph is kept as a summary of the nodes that tell how outputs and losses
are computed (:class:`~h5lint.ir.GraphSummary`), which matters for models without a Keras config.

A folder is often incomplete in the wild (copied without ``variables/``, ``saved_model.pb``
renamed, ``keras_metadata.pb`` mangled by git). Each missing or damaged part is one H5L004
problem naming it, and whatever can still be read is; H5L001 is kept for when the graph cannot be
read at all.
"""

from __future__ import annotations

import os
import re
from collections import Counter, deque
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from sys import intern
from typing import Any, Iterable

from google.protobuf import message as pb_message
from google.protobuf import text_format

from ... import ir, pbwire, safeio
from ...codes import INCOMPLETE, UNREADABLE
from ...findings import Hit, ParseOutcome, Problem
from ...jsonutil import JsonProblem, parse_json
from ..checkpoint.read import BundleRead, read_bundle
from ..parts import PartProblem, open_part, read_file_capped
from . import (
    EXPERIMENTAL_EXPORT_JSON,
    FINGERPRINT,
    GRAPH_CPB,
    GRAPH_FILES,
    GRAPH_PB,
    GRAPH_PBTXT,
    KERAS_METADATA,
    SAVEDMODEL,
)
from .library import Library, split
from .protoschema import dtype_name, message_class

NOT_A_GRAPH = frozenset({KERAS_METADATA, FINGERPRINT})
FINGERPRINT_HASHES = (
    "saved_model_checksum",
    "graph_def_program_hash",
    "signature_def_hash",
    "saved_object_graph_hash",
    "checkpoint_hash",
)

MAX_PROTO_BYTES = 1 << 30
MAX_MEMBER_FILES = 100_000
MAX_RENAMED_CANDIDATES = 16
MAX_SHARDS = 1024
# Ops that create variables in a graph (TF2 resource variables, TF1 ref variables).
VARIABLE_OPS = frozenset({"VarHandleOp", "VariableV2", "Variable"})
VARIABLES = "variables/"
VARIABLES_INDEX = "variables.index"
VARIABLES_EFFECT = "tf.saved_model.load and load_model fail because the weights cannot be restored"
# The attributes that say which dtype a node outputs: most ops' "T", Cast's "DstT", ReadVariableOp's "dtype".
DTYPE_ATTRS = ("T", "DstT", "dtype")
SHARD_NAME = re.compile(r"variables\.data-(\d{5})-of-(\d{5})")
VERSION_FIELD = re.compile(rb'"(keras_version|backend)": "([\x20-\x21\x23-\x5b\x5d-\x7e]{1,64})"')
# tf-keras names the object-graph child of a layer that owns weights "layer_with_weights-N".
WEIGHTS_CHILD = "layer_with_weights-"

FIX_REEXPORT = "re-export the model (model.save(path) or tf.saved_model.save), or fetch an intact copy of the folder"
FIX_COPY = (
    "copy the whole SavedModel folder (saved_model.pb, variables/, assets/, keras_metadata.pb, "
    "fingerprint.pb), or re-export it"
)
FIX_TEXT_DAMAGE = (
    "restore the original file or re-save the model, and commit .pb files as binary "
    "(.gitattributes: '*.pb binary')"
)
FIX_OVER_BUDGET = "check this model with TensorFlow itself; h5lint reads protobuf files up to 1 GiB"
DECODE_ERRORS = (pb_message.DecodeError, RecursionError)


class _Unusable(ValueError):
    """A member that cannot be used; the message says why, ``fix`` what to do."""

    def __init__(self, message: str, fix: str = FIX_REEXPORT) -> None:
        super().__init__(message)
        self.fix = fix


def _problem(code: str, location: str, message: str, fix: str) -> Problem:
    return Problem(code, Hit(message, location, fix))


# --- member files -------------------------------------------------------------------------------


def _member_files(folder: Path) -> tuple[str, ...]:
    """Every file under the folder, relative and sorted; symlinked folders are not entered."""
    found: list[str] = []
    pending = [folder]
    while pending and len(found) < MAX_MEMBER_FILES:
        current = pending.pop()
        try:
            entries = list(os.scandir(current))
        except OSError:
            continue
        for entry in entries:
            if entry.is_dir(follow_symlinks=False):
                pending.append(Path(entry.path))
            elif entry.is_file():
                found.append(Path(entry.path).relative_to(folder).as_posix())
    return tuple(sorted(found[:MAX_MEMBER_FILES]))


def _read_member(path: Path, folder: Path) -> bytes:
    """The bytes of a protobuf member inside ``folder``, within h5lint's size budget."""
    try:
        with open_part(path, folder) as fh:
            size = os.fstat(fh.fileno()).st_size
            if size > MAX_PROTO_BYTES:
                raise _Unusable(
                    f"it is {size:,} bytes, over h5lint's budget of {MAX_PROTO_BYTES:,} bytes for a protobuf file",
                    FIX_OVER_BUDGET,
                )
            return fh.read()
    except PartProblem as exc:
        raise _Unusable(f"it {exc}") from None
    except OSError as exc:
        raise _Unusable(f"it cannot be read ({exc.strerror or exc})") from None


def _binary_damage(data: bytes, message_name: str) -> str:
    """Where ``data`` (which should hold ``message_name``) breaks, and what a text tool did to it if that shows."""
    _, undone = pbwire.undo_text_damage(data)
    return "; ".join((pbwire.describe_damage(data, message_class(message_name).DESCRIPTOR), *undone))


# --- the graph: saved_model.pb / .pbtxt ---------------------------------------------------------


def _binary_savedmodel(data: bytes) -> Any | None:
    model = message_class("SavedModel")()
    try:
        model.ParseFromString(data)
    except DECODE_ERRORS:
        return None
    return model


def _parse_savedmodel(data: bytes, text: bool) -> tuple[Any, Library]:
    """The SavedModel and its function library: a binary one parsed without the library, which is then read
    one function at a time (:mod:`.library`)."""
    if not text:
        cut = split(data)
        model = _binary_savedmodel(cut[0]) if cut is not None else None
        if cut is not None and model is not None:
            return model, cut[1]
        model = _binary_savedmodel(data)
        if model is None:
            raise _Unusable(f"protobuf does not parse: {_binary_damage(data, 'SavedModel')}; re-export it")
        return model, Library()
    model = message_class("SavedModel")()
    try:
        text_format.Parse(data.decode("utf-8"), model, allow_unknown_field=True)
    except UnicodeDecodeError as exc:
        raise _Unusable(f"text format is not UTF-8 (bad byte at offset {exc.start:,}); re-export it") from None
    except text_format.ParseError as exc:
        raise _Unusable(f"text format does not parse: {exc}; re-export it") from None
    except RecursionError:
        raise _Unusable("text format nests too deeply to read") from None
    return model, Library()


def _has_graph(model: Any) -> bool:
    return any(mg.meta_info_def.ByteSize() or mg.graph_def.ByteSize() for mg in model.meta_graphs)


@dataclass(frozen=True)
class _GraphFile:
    name: str | None  # the member read, None when the folder has no graph file at all
    model: Any = None  # the parsed SavedModel (without its function library), None when it could not be read
    library: _LibraryFacts | None = None  # what the function library says, read in one pass


def _renamed_graph(folder: Path) -> _GraphFile | None:
    """A ``*.pb`` other than the known members that parses as a SavedModel (saved_model.pb renamed)."""
    candidates = sorted(p for p in folder.glob("*.pb") if p.name not in NOT_A_GRAPH and p.is_file())
    for path in candidates[:MAX_RENAMED_CANDIDATES]:
        try:
            model = _binary_savedmodel(_read_member(path, folder))
        except _Unusable:
            continue
        if model is not None and _has_graph(model):
            return _GraphFile(path.name, model, _library_facts(model, Library()))
    return None


def _read_graph(folder: Path, problems: list[Problem]) -> _GraphFile:
    for name in (GRAPH_PB, GRAPH_PBTXT):
        path = folder / name
        if not path.is_file():
            continue
        try:
            data = _read_member(path, folder)
            model, library = _parse_savedmodel(data, text=name == GRAPH_PBTXT)
            if not model.meta_graphs:
                raise _Unusable("it holds no MetaGraphDef, so there is no graph to load; re-export it")
            facts = _library_facts(model, library)
            if facts is None:  # a function the framing walk let through does not parse: say what the whole does
                model = _binary_savedmodel(data)
                if model is None:
                    raise _Unusable(f"protobuf does not parse: {_binary_damage(data, 'SavedModel')}; re-export it")
                facts = _library_facts(model, Library())
            del data, library  # the library's functions are summarised; their bytes and messages can go
        except _Unusable as exc:
            problems.append(_problem(UNREADABLE, f"member:{name}", f"{path}: {exc}", exc.fix))
            return _GraphFile(name)
        return _GraphFile(name, model, facts)
    if (folder / GRAPH_CPB).is_file():
        message = f"{folder / GRAPH_CPB}: chunked SavedModel (saved_model.cpb, proto splitter) is not supported yet"
        problems.append(_problem(UNREADABLE, f"member:{GRAPH_CPB}", message, "check this graph with TensorFlow itself"))
        return _GraphFile(GRAPH_CPB)
    renamed = _renamed_graph(folder)
    if renamed is None:
        return _GraphFile(None)
    message = (
        f"{folder}: {GRAPH_PB} is missing; {renamed.name} looks like it, renamed — TF only loads {GRAPH_PB} "
        f"(h5lint read {renamed.name})"
    )
    problems.append(_problem(INCOMPLETE, f"member:{GRAPH_PB}", message, f"rename {renamed.name} to {GRAPH_PB}"))
    return renamed


@dataclass(frozen=True)
class _LibraryFacts:
    ops: tuple[ir.OpUse, ...]  # every op by where it occurs, sorted by op
    function_names: tuple[str, ...]  # the library's functions, in file order
    functions: Mapping[str, ir.GraphFunction]  # their summaries, without captures (the checkpoint says those)


def _library_facts(model: Any, library: Library) -> _LibraryFacts | None:
    """Ops by where they occur (a NodeDef naming a library function is a call, not an op) and the summary of
    every library function, in one pass that holds one function at a time; None when a function does not parse."""
    places: dict[str, set[str]] = {}
    names: dict[str, None] = {}
    functions: dict[str, ir.GraphFunction] = {}
    try:
        for index, mg in enumerate(model.meta_graphs):
            here: dict[str, set[str]] = {}
            local: set[str] = set()
            for node in mg.graph_def.node:
                if node.op:
                    here.setdefault(node.op, set()).add("graph")
            for fn in library.functions(index, mg):
                signature = fn.signature
                local.add(signature.name)
                names.setdefault(signature.name)
                for node in fn.node_def:
                    if node.op:
                        here.setdefault(node.op, set()).add(signature.name)
                if signature.name not in functions:
                    functions[signature.name] = ir.GraphFunction(
                        args=tuple(arg.name for arg in signature.input_arg),
                        returns=tuple(fn.ret.get(arg.name, "") for arg in signature.output_arg),
                        nodes=_kept(fn.node_def),
                    )
            for op, where in here.items():
                if op not in local:
                    places.setdefault(op, set()).update(where)
    except DECODE_ERRORS:
        return None
    ops = tuple(ir.OpUse(op, tuple(sorted(where))) for op, where in sorted(places.items()))
    return _LibraryFacts(ops, tuple(names), functions)


def _tensor_specs(entries: Mapping[str, Any]) -> tuple[ir.TensorSpec, ...]:
    specs = []
    for name in sorted(entries):
        info = entries[name]
        shape = info.tensor_shape
        known = info.HasField("tensor_shape") and not shape.unknown_rank
        dims = tuple(d.size for d in shape.dim) if known else None
        specs.append(ir.TensorSpec(name, dtype_name(info.dtype), dims, info.name or None))
    return tuple(specs)


def _signatures(meta_graphs: Iterable[Any]) -> tuple[ir.Signature, ...]:
    signatures = []
    for mg in meta_graphs:
        for key in sorted(mg.signature_def):
            sig = mg.signature_def[key]
            signatures.append(ir.Signature(key, sig.method_name, _tensor_specs(sig.inputs), _tensor_specs(sig.outputs)))
    return tuple(signatures)


def _object_nodes(meta_graphs: Iterable[Any]) -> list[Any]:
    return [node for mg in meta_graphs for node in mg.object_graph_def.nodes]


def _user_identifiers(nodes: Iterable[Any]) -> tuple[str, ...]:
    return tuple(
        node.user_object.identifier
        for node in nodes
        if node.WhichOneof("kind") == "user_object" and node.user_object.identifier
    )


def _legacy_root_metadata(model: Any) -> str:
    """The Keras JSON TF 2.0-2.4 kept in the root object (node 0) of the first object graph."""
    nodes = model.meta_graphs[0].object_graph_def.nodes
    return nodes[0].user_object.metadata if nodes and nodes[0].WhichOneof("kind") == "user_object" else ""


def _variables_needed(model: Any) -> str | None:
    """Why the graph needs a variables checkpoint, or None when it has no variables."""
    saved = sum(1 for node in _object_nodes(model.meta_graphs) if node.WhichOneof("kind") == "variable")
    if saved:
        return f"the object graph has {saved} variable(s)"
    ops = sum(1 for mg in model.meta_graphs for node in mg.graph_def.node if node.op in VARIABLE_OPS)
    return f"the graph creates {ops} variable(s)" if ops else None


def _first_text(values: Iterable[str]) -> str | None:
    return next((v for v in values if v), None)


# --- keras_metadata.pb --------------------------------------------------------------------------


@dataclass(frozen=True)
class _KerasFile:
    """What keras_metadata.pb yields: the Keras objects that parse, and for a root object cut
    off by damage, the version strings left in its text."""

    nodes: tuple[Any, ...]
    fragment: Mapping[str, str] = field(default_factory=dict)

    @property
    def root(self) -> Any:
        return next((n for n in self.nodes if n.node_path == "root"), None)


def _version_fragment(data: bytes) -> dict[str, str]:
    """``keras_version``/``backend`` as written in the (partial) metadata JSON; tf-keras records them
    in the root object and in nested models alike, so the first occurrence is the writer's."""
    found: dict[str, str] = {}
    for match in VERSION_FIELD.finditer(data):
        found.setdefault(match.group(1).decode(), match.group(2).decode("ascii"))
    return found


def _salvage_keras_file(data: bytes) -> tuple[_KerasFile, tuple[str, ...]]:
    """The Keras objects that still parse after undoing text-tool damage, and what was undone.

    Framing can survive where a record's inside does not (a text tool turning a CR length byte
    into LF), so a broken record is skipped rather than ending the salvage.
    """
    repaired, undone = pbwire.undo_text_damage(data)
    payloads, _ = pbwire.leading_records(repaired, 1)  # SavedMetadata.nodes = 1
    nodes = []
    for payload in payloads:
        node = message_class("KerasObject")()
        try:
            node.ParseFromString(payload)
        except DECODE_ERRORS:
            continue
        nodes.append(node)
    salvaged = _KerasFile(tuple(nodes))
    if salvaged.root is None:
        salvaged = replace(salvaged, fragment=_version_fragment(repaired))
    return salvaged, undone


def _salvage_note(salvaged: _KerasFile) -> str:
    notes = [f"h5lint read {len(salvaged.nodes)} of its Keras objects anyway"] if salvaged.nodes else []
    if salvaged.root is None and "keras_version" in salvaged.fragment:
        version = salvaged.fragment["keras_version"]
        notes.append(f"the root model's config is lost, but its keras_version {version} is legible")
    return "; ".join(notes) or "h5lint ignores it"


def _read_keras_file(folder: Path, problems: list[Problem]) -> _KerasFile | None:
    """keras_metadata.pb, as much of it as survives damage; None when the folder has none."""
    path = folder / KERAS_METADATA
    if not path.is_file():
        return None
    location = f"member:{KERAS_METADATA}"
    try:
        data = _read_member(path, folder)
    except _Unusable as exc:
        problems.append(_problem(UNREADABLE, location, f"{path}: {exc}", exc.fix))
        return _KerasFile(())
    metadata = message_class("SavedMetadata")()
    try:
        metadata.ParseFromString(data)
    except DECODE_ERRORS:
        salvaged, undone = _salvage_keras_file(data)
        message = (
            f"{path}: protobuf does not parse ({_binary_damage(data, 'SavedMetadata')}); "
            f"tf_keras load_model stops with 'Cannot parse keras metadata'; {_salvage_note(salvaged)}"
        )
        problems.append(_problem(INCOMPLETE, location, message, FIX_TEXT_DAMAGE if undone else FIX_REEXPORT))
        return salvaged
    if not metadata.nodes:
        message = f"{path}: holds no Keras objects; tf_keras load_model cannot rebuild the Keras model from it"
        problems.append(_problem(INCOMPLETE, location, message, FIX_REEXPORT))
    return _KerasFile(tuple(metadata.nodes))


# --- the Keras model config ---------------------------------------------------------------------


@dataclass(frozen=True)
class _KerasRoot:
    """The root model's Keras metadata JSON and where it came from."""

    metadata: Mapping[str, Any]
    nonstandard: tuple[str, ...]
    where: str  # the file it was read from
    location: str  # "member:keras_metadata.pb", or the graph file's member (TF 2.0-2.4)


def _root_metadata(text: str, where: str, location: str, problems: list[Problem]) -> _KerasRoot | None:
    try:
        value, nonstandard = parse_json(text, f"{where} (root object metadata)")
    except JsonProblem as exc:
        problems.append(_problem(INCOMPLETE, location, f"{where}: {exc}", FIX_REEXPORT))
        return None
    if not isinstance(value, Mapping):
        message = f"{where}: the root object metadata is not a JSON object"
        problems.append(_problem(INCOMPLETE, location, message, FIX_REEXPORT))
        return None
    return _KerasRoot(value, nonstandard, where, location)


def _model_config(metadata: Mapping[str, Any]) -> Any:
    """``{"class_name", "config"}``: ``model_config`` when recorded (tf-keras), else the root's own keys
    (third-party writers such as TensorFlow.NET, formats.md pitfall 13)."""
    model_config = metadata.get("model_config")
    if isinstance(model_config, Mapping) and "class_name" in model_config:
        return model_config
    if isinstance(metadata.get("class_name"), str):
        return {"class_name": metadata["class_name"], "config": metadata.get("config")}
    return None


def _keras_config(root: _KerasRoot) -> ir.KerasConfig:
    where = root.location.removeprefix("member:")
    return ir.KerasConfig(
        _model_config(root.metadata),
        root.metadata.get("training_config"),
        training_source="keras_metadata",
        where=f"member {where}",
        location=root.location,
    )


# --- completeness checks ------------------------------------------------------------------------


def _shards_without_index(variables: Path, folder: Path) -> list[Problem]:
    """Data shards missing beside a missing index, as far as the names of those present tell."""
    try:
        names = os.listdir(variables)
    except OSError:
        names = []
    present = {}
    for name in names:
        match = SHARD_NAME.fullmatch(name)
        if match and 0 < int(match.group(2)) <= MAX_SHARDS:
            present[name] = int(match.group(2))
    total = max(present.values(), default=1)
    problems = []
    for shard in range(total):
        name = f"variables.data-{shard:05d}-of-{total:05d}"
        if name not in present:
            message = f"{folder}: variables/{name} is missing (weights data shard {shard + 1} of {total})"
            message += f"; {VARIABLES_EFFECT}"
            problems.append(_problem(INCOMPLETE, f"member:{VARIABLES}{name}", message, FIX_COPY))
    return problems


def _variables(
    folder: Path, needed: str | None, layer_names: Mapping[str, str]
) -> tuple[BundleRead | None, list[Problem]]:
    """The checkpoint in ``variables/`` and what is wrong with it; a missing part matters only when the
    graph has variables (``needed`` says why it has)."""
    variables = folder / "variables"
    index = variables / VARIABLES_INDEX
    if not variables.is_dir():
        if needed is None:
            return None, []
        message = f"{folder}: variables/ is missing, but {needed}; {VARIABLES_EFFECT}"
        return None, [_problem(INCOMPLETE, f"member:{VARIABLES}", message, FIX_COPY)]
    leads_to = safeio.escapes(variables, folder)
    if leads_to is not None:
        message = f"{folder}: variables/ is a link to {leads_to}, outside the SavedModel folder; h5lint does not follow it"
        return None, [_problem(UNREADABLE, f"member:{VARIABLES}", message, FIX_COPY)]
    if not index.is_file():
        if needed is None:
            return None, []
        message = f"{folder}: variables/{VARIABLES_INDEX} is missing, but {needed}; {VARIABLES_EFFECT}"
        missing = _problem(INCOMPLETE, f"member:{VARIABLES}{VARIABLES_INDEX}", message, FIX_COPY)
        return None, [missing, *_shards_without_index(variables, folder)]
    contents = read_bundle(index, str(folder), VARIABLES, VARIABLES_EFFECT, FIX_COPY, layer_names)
    if isinstance(contents, Problem):
        return None, [contents]
    return contents, list(contents.problems)


def _metadata_name(text: str) -> str | None:
    try:
        value, _ = parse_json(text, "layer metadata")
    except JsonProblem:
        return None
    name = value.get("name") if isinstance(value, Mapping) else None
    return name if isinstance(name, str) and name else None


def _layer_names(keras_file: _KerasFile | None, model: Any) -> dict[str, str]:
    """The Keras layer each child of the root object is ("layer_with_weights-0" -> "hidden"), from its
    metadata: keras_metadata.pb's "root.<child>" nodes, or TF 2.0-2.4's copy in the object graph."""
    texts: dict[str, str] = {}
    if keras_file is not None:
        for node in keras_file.nodes:
            child = node.node_path.removeprefix("root.")
            if child != node.node_path and "." not in child:
                texts.setdefault(child, node.metadata)
    elif model is not None and model.meta_graphs:
        nodes = model.meta_graphs[0].object_graph_def.nodes
        for ref in nodes[0].children if nodes else ():
            node = nodes[ref.node_id] if 0 <= ref.node_id < len(nodes) else None
            if node is not None and node.WhichOneof("kind") == "user_object":
                texts.setdefault(ref.local_name, node.user_object.metadata)
    names = {child: _metadata_name(text) for child, text in texts.items() if text}
    return {child: name for child, name in names.items() if name}


# --- the graph summary --------------------------------------------------------------------------


def _object_paths(nodes: Any) -> dict[int, str]:
    """node id -> path of child names from the root: the first path breadth-first, as TF names the
    checkpoint key of every object (the same walk as the checkpoint's own object graph)."""
    found = {0: ""} if nodes else {}
    queue = deque(found)
    while queue:
        node_id = queue.popleft()
        for ref in nodes[node_id].children:
            if ref.node_id not in found and 0 <= ref.node_id < len(nodes):
                found[ref.node_id] = f"{found[node_id]}/{ref.local_name}" if found[node_id] else ref.local_name
                queue.append(ref.node_id)
    return found


def _capture_keys(model: Any, variables: BundleRead | None) -> dict[str, tuple[str | None, ...]]:
    """Concrete function -> the checkpoint key of each variable it captures (its bound inputs).

    A bound input is a node of the saved object graph; the checkpoint names the same object by the same
    path of child names from the root (TF's loader restores variables/ by walking both from the root).
    """
    if variables is None:
        return {}
    key_of_path = {path: variables.stored_as.get(key) for key, path in variables.paths.items()}
    captures: dict[str, tuple[str | None, ...]] = {}
    for mg in model.meta_graphs:
        graph = mg.object_graph_def
        paths = _object_paths(graph.nodes)
        for name, function in graph.concrete_functions.items():
            keys = tuple(key_of_path.get(paths.get(node_id, "")) for node_id in function.bound_inputs)
            captures.setdefault(name, keys)
    return captures


def _summary_node(node: Any) -> ir.GraphNode:
    dtype = None
    for name in DTYPE_ATTRS:
        if name in node.attr and node.attr[name].WhichOneof("value") == "type":
            dtype = dtype_name(node.attr[name].type)
            break
    function = node.attr["f"].func.name if "f" in node.attr and node.attr["f"].WhichOneof("value") == "func" else ""
    # Interned: a library of thousands of functions repeats the same op, node and tensor names in each.
    inputs = tuple(intern(i) for i in node.input if not i.startswith("^"))
    return ir.GraphNode(intern(node.op), inputs, dtype, intern(function) if function else None)


def _kept(nodes: Iterable[Any]) -> dict[str, ir.GraphNode]:
    return {intern(node.name): _summary_node(node) for node in nodes if node.op in ir.SUMMARY_OPS}


def _summary(model: Any, library: _LibraryFacts, variables: BundleRead | None) -> ir.GraphSummary:
    captures = _capture_keys(model, variables)
    graph: dict[str, ir.GraphNode] = {}
    for mg in model.meta_graphs:
        for name, node in _kept(mg.graph_def.node).items():
            graph.setdefault(name, node)
    functions = {name: replace(fn, captures=captures.get(name, ())) for name, fn in library.functions.items()}
    return ir.GraphSummary(ir.GraphFunction(nodes=graph), functions)


def _asset_problems(folder: Path, model: Any) -> list[Problem]:
    problems = []
    for mg in model.meta_graphs:
        for asset in mg.asset_file_def:
            name = asset.filename
            plain = name and "/" not in name and "\\" not in name and name not in (".", "..")
            if plain and not (folder / "assets" / name).is_file():
                message = f"{folder}: assets/{name} is missing, but the graph reads it as an asset"
                problems.append(_problem(INCOMPLETE, f"member:assets/{name}", message, FIX_COPY))
    return problems


def _keras_objects_without_metadata(folder: Path, identifiers: Iterable[str]) -> Problem | None:
    counts = Counter(i for i in identifiers if i.startswith("_tf_keras_"))
    if not counts:
        return None
    listed = ", ".join(f"{name} x{n}" for name, n in sorted(counts.items()))
    message = (
        f"{folder}: {KERAS_METADATA} is missing, but the object graph holds Keras objects ({listed}) without "
        "their metadata; tf_keras load_model cannot rebuild the Keras model (no layers, no fit()), "
        "only tf.saved_model.load works"
    )
    return _problem(INCOMPLETE, f"member:{KERAS_METADATA}", message, FIX_COPY)


# --- fingerprint.pb -----------------------------------------------------------------------------


def _fingerprint(folder: Path) -> Mapping[str, Any] | None:
    """FingerprintDef fields; optional for loading, so a damaged one is simply not reported here."""
    path = folder / FINGERPRINT
    if not path.is_file():
        return None
    fingerprint = message_class("FingerprintDef")()
    try:
        fingerprint.ParseFromString(_read_member(path, folder))
    except (_Unusable, *DECODE_ERRORS):
        return None
    values: dict[str, Any] = {name: int(getattr(fingerprint, name)) for name in FINGERPRINT_HASHES}
    values["uuid"] = fingerprint.uuid
    values["producer"] = fingerprint.version.producer
    return values


# --- putting it together ------------------------------------------------------------------------


@dataclass(frozen=True)
class _Contents:
    """What the folder's graph (or, without one, its Keras metadata) says."""

    info: ir.SavedModelInfo
    variables_needed: str | None  # why a variables checkpoint is needed; None when it is not
    tensorflow_version: str | None = None
    tensorflow_git_version: str | None = None


def _graph_member(folder: Path) -> str | None:
    return next((name for name in GRAPH_FILES if (folder / name).is_file()), None)


def _graph_contents(folder: Path, model: Any, library: _LibraryFacts, keras: bool) -> _Contents:
    ops, functions = library.ops, library.function_names
    meta_infos = [mg.meta_info_def for mg in model.meta_graphs]
    info = ir.SavedModelInfo(
        graph_member=_graph_member(folder),
        tags=tuple(tuple(m.tags) for m in meta_infos),
        signatures=_signatures(model.meta_graphs),
        ops=ops,
        object_identifiers=_user_identifiers(_object_nodes(model.meta_graphs)),
        function_names=functions,
        fingerprint=_fingerprint(folder),
        has_keras_metadata=keras,
        schema_version=model.saved_model_schema_version or None,
        asset_files=tuple(dict.fromkeys(a.filename for mg in model.meta_graphs for a in mg.asset_file_def)),
    )
    return _Contents(
        info,
        _variables_needed(model),
        _first_text(m.tensorflow_version for m in meta_infos),
        _first_text(m.tensorflow_git_version for m in meta_infos),
    )


def _keras_only_contents(folder: Path, keras_file: _KerasFile) -> _Contents:
    info = ir.SavedModelInfo(
        graph_member=_graph_member(folder),
        tags=(),
        signatures=(),
        ops=(),
        object_identifiers=tuple(n.identifier for n in keras_file.nodes if n.identifier),
        fingerprint=_fingerprint(folder),
        has_keras_metadata=True,
    )
    weights = any(WEIGHTS_CHILD in n.node_path for n in keras_file.nodes)
    return _Contents(info, "the Keras metadata lists layers with weights" if weights else None)


def _keras_root(
    folder: Path, graph: _GraphFile, keras_file: _KerasFile | None, problems: list[Problem]
) -> _KerasRoot | None:
    """The root model's Keras metadata: keras_metadata.pb's "root" node (or the versions left of a
    damaged one), else TF 2.0-2.4's copy in the graph."""
    where, location = str(folder / KERAS_METADATA), f"member:{KERAS_METADATA}"
    if keras_file is not None and keras_file.root is not None:
        return _root_metadata(keras_file.root.metadata, where, location, problems)
    if keras_file is not None and keras_file.fragment:
        return _KerasRoot(keras_file.fragment, (), where, location)
    legacy = _legacy_root_metadata(graph.model) if graph.model is not None else ""
    if legacy:
        return _root_metadata(legacy, str(folder / str(graph.name)), f"member:{graph.name}", problems)
    return _experimental_export(folder, problems)


MAX_EXPORT_JSON_BYTES = 64 << 20


def _experimental_export(folder: Path, problems: list[Problem]) -> _KerasRoot | None:
    """tf.keras 1.x ``tf.keras.experimental.export_saved_model``: the model's ``to_json()`` in assets."""
    file = folder / EXPERIMENTAL_EXPORT_JSON
    if not file.is_file():
        return None
    location = f"member:{EXPERIMENTAL_EXPORT_JSON}"
    try:
        text = read_file_capped(file, MAX_EXPORT_JSON_BYTES, folder)
    except PartProblem as exc:
        problems.append(_problem(INCOMPLETE, location, f"{file}: {exc}", FIX_REEXPORT))
        return None
    root = _root_metadata(text.decode("utf-8", "replace"), str(file), location, problems)
    return root if root is not None and _model_config(root.metadata) is not None else None


def _completeness_problems(
    folder: Path, graph: _GraphFile, keras_file: _KerasFile | None, contents: _Contents
) -> list[Problem]:
    problems = []
    if graph.model is not None:
        problems += _asset_problems(folder, graph.model)
        if keras_file is None and not contents.info.has_keras_metadata:
            missing = _keras_objects_without_metadata(folder, contents.info.object_identifiers)
            problems += [missing] if missing else []
    elif graph.name is None:
        message = (
            f"{folder}: {GRAPH_PB} is missing, only Keras metadata is there; TensorFlow cannot load the "
            f"folder (h5lint read the Keras config from {KERAS_METADATA})"
        )
        problems.append(_problem(INCOMPLETE, f"member:{GRAPH_PB}", message, FIX_COPY))
    return problems


def _layout(graph: _GraphFile, root: _KerasRoot | None) -> str:
    if graph.model is None:
        return "keras-metadata-only"
    if graph.name == GRAPH_PBTXT:
        return "pbtxt"
    if root is None:
        return "tf"
    if root.location == f"member:{EXPERIMENTAL_EXPORT_JSON}":
        return "tf.keras-experimental-export"
    return "keras-metadata" if root.location == f"member:{KERAS_METADATA}" else "keras-legacy-metadata"


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def read(path: str, read_weights: bool = True) -> ParseOutcome:
    folder = Path(path)
    problems: list[Problem] = []
    graph = _read_graph(folder, problems)
    keras_file = _read_keras_file(folder, problems)
    root = _keras_root(folder, graph, keras_file, problems)
    if graph.model is None and root is None:
        if not any(p.code == UNREADABLE for p in problems):
            readable = f"{GRAPH_PB}, {GRAPH_PBTXT} or {KERAS_METADATA}"
            message = f"{folder}: no readable {readable}, so there is nothing to load"
            problems.append(_problem(UNREADABLE, "file", message, FIX_COPY))
        return ParseOutcome(None, tuple(problems))

    if graph.model is not None:
        assert graph.library is not None  # read with the model
        contents = _graph_contents(folder, graph.model, graph.library, keras=root is not None)
    else:
        contents = _keras_only_contents(folder, keras_file or _KerasFile(()))
    problems += _completeness_problems(folder, graph, keras_file, contents)
    variables, variable_problems = _variables(
        folder, contents.variables_needed, _layer_names(keras_file, graph.model)
    )
    problems += variable_problems
    info = contents.info
    if graph.model is not None and graph.library is not None:
        info = replace(info, graph=_summary(graph.model, graph.library, variables))

    metadata: Mapping[str, Any] = root.metadata if root is not None else {}
    keras_version = _text(metadata.get("keras_version"))
    artifact = ir.ModelArtifact(
        path=str(folder),
        format=SAVEDMODEL,
        layout=_layout(graph, root),
        versions=ir.VersionTags(
            keras_version=keras_version,
            backend=_text(metadata.get("backend")),
            tensorflow_version=contents.tensorflow_version,
            tensorflow_git_version=contents.tensorflow_git_version,
            writer=None if root is not None else "tensorflow",
        ),
        keras=_keras_config(root) if root is not None else None,
        weights=variables.weights if variables is not None else None,
        has_optimizer_weights=variables is not None and variables.has_optimizer_weights,
        savedmodel=info,
        files=_member_files(folder),
        nonstandard_json=root.nonstandard if root is not None else (),
    )
    return ParseOutcome(artifact, tuple(problems))
