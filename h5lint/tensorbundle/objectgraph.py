"""The object graph a TF2 checkpoint stores under ``_CHECKPOINTABLE_OBJECT_GRAPH``, and variable paths.

``TrackableObjectGraph`` (``tensorflow/core/protobuf/trackable_object_graph.proto``)::

    TrackableObjectGraph  nodes=1 repeated TrackableObject (node 0 is the root)
    TrackableObject       children=1 repeated ObjectReference {node_id=1 int32, local_name=2 string}
                          attributes=2 repeated SerializedTensor {name=1, full_name=2, checkpoint_key=3}
                          slot_variables=3 repeated SlotVariableReference
                              {original_variable_node_id=1 int32, slot_name=2, slot_variable_node_id=3 int32}

A checkpoint key such as ``layer_with_weights-0/kernel/.ATTRIBUTES/VARIABLE_VALUE`` is the path of
local names from the root to the variable's object, then ``.ATTRIBUTES/`` and the attribute's name.
TensorFlow names each object by its first path in breadth-first order over the children as listed,
so the same walk here gives the path a key stands for, also where an object has several names
(tf-keras lists a layer as both ``layer_with_weights-0`` and ``layer-0``). Slot variables (a legacy
optimizer's momentum) are not children of anything; their keys are
``<variable path>/.OPTIMIZER_SLOT/<optimizer path>/<slot name>/.ATTRIBUTES/VARIABLE_VALUE``.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from typing import TYPE_CHECKING, Iterator

from ..pbwire import LENGTH_DELIMITED, VARINT, Record, WireDamage, read_varint, records
from .errors import BundleError

if TYPE_CHECKING:
    from .bundle import Bundle

OBJECT_GRAPH_KEY = "_CHECKPOINTABLE_OBJECT_GRAPH"
VARIABLE_VALUE = "VARIABLE_VALUE"
_ATTRIBUTES = "/.ATTRIBUTES/"


@dataclass(frozen=True)
class Child:
    local_name: str
    node_id: int


@dataclass(frozen=True)
class Attribute:
    name: str  # "VARIABLE_VALUE" for a variable's value
    full_name: str  # the variable's graph name ("dense/kernel"), "" when not recorded
    checkpoint_key: str


@dataclass(frozen=True)
class SlotVariable:
    original_node_id: int
    slot_name: str
    slot_node_id: int


@dataclass(frozen=True)
class Node:
    children: tuple[Child, ...]
    attributes: tuple[Attribute, ...]
    slot_variables: tuple[SlotVariable, ...]


@dataclass(frozen=True)
class ObjectGraph:
    nodes: tuple[Node, ...]

    def paths(self) -> dict[int, str]:
        """node id -> path of local names from the root ("" for the root), first breadth-first path wins."""
        found = {0: ""} if self.nodes else {}
        queue = deque([0] if self.nodes else [])
        while queue:
            node_id = queue.popleft()
            base = found[node_id]
            for child in self.nodes[node_id].children:
                if child.node_id not in found:
                    found[child.node_id] = f"{base}/{child.local_name}" if base else child.local_name
                    queue.append(child.node_id)
        return found


def _records(data: bytes, what: str) -> Iterator[Record]:
    try:
        yield from records(data)
    except WireDamage as damage:
        raise BundleError(f"{what}: the protobuf is damaged ({damage})") from None


def _text(data: bytes, record: Record, what: str) -> str:
    try:
        return data[record.start : record.end].decode("utf-8")
    except UnicodeDecodeError:
        raise BundleError(f"{what}: a string field at byte {record.start:,} is not UTF-8") from None


def _message(data: bytes, what: str) -> tuple[dict[int, str], dict[int, int]]:
    """The last string and the last int32 of every field of a flat message (as protobuf keeps them)."""
    texts: dict[int, str] = {}
    ints: dict[int, int] = {}
    for record in _records(data, what):
        if record.wire_type == LENGTH_DELIMITED:
            texts[record.field] = _text(data, record, what)
        elif record.wire_type == VARINT:
            raw = read_varint(data, record.start)[0] & 0xFFFFFFFF
            ints[record.field] = raw - (1 << 32) if raw >> 31 else raw
    return texts, ints


def _node(data: bytes, what: str) -> Node:
    children, attributes, slots = [], [], []
    for record in _records(data, what):
        if record.wire_type != LENGTH_DELIMITED:
            continue
        payload = data[record.start : record.end]
        texts, ints = _message(payload, what)
        if record.field == 1:
            children.append(Child(texts.get(2, ""), ints.get(1, 0)))
        elif record.field == 2:
            attributes.append(Attribute(texts.get(1, ""), texts.get(2, ""), texts.get(3, "")))
        elif record.field == 3:
            slots.append(SlotVariable(ints.get(1, 0), texts.get(2, ""), ints.get(3, 0)))
    return Node(tuple(children), tuple(attributes), tuple(slots))


def decode_object_graph(data: bytes, where: str) -> ObjectGraph:
    what = f"{where}: the object graph"
    nodes = []
    for record in _records(data, what):
        if record.field == 1 and record.wire_type == LENGTH_DELIMITED:
            nodes.append(_node(data[record.start : record.end], f"{what} node {len(nodes)}"))
    for number, node in enumerate(nodes):
        ids = [c.node_id for c in node.children]
        ids += [i for s in node.slot_variables for i in (s.original_node_id, s.slot_node_id)]
        for node_id in ids:
            if not 0 <= node_id < len(nodes):
                raise BundleError(f"{what} node {number} refers to node {node_id}, but there are {len(nodes):,} nodes")
    return ObjectGraph(tuple(nodes))


def _path_from_key(key: str) -> str:
    """What a key stands for without a graph: the key without its attribute suffix."""
    base, found, attribute = key.rpartition(_ATTRIBUTES)
    if not found:
        return key
    return base if attribute == VARIABLE_VALUE else f"{base}/{attribute}"


def _graph_paths(graph: ObjectGraph) -> dict[str, str]:
    paths = graph.paths()
    for optimizer_id, optimizer in enumerate(graph.nodes):
        for slot in optimizer.slot_variables:
            if slot.original_node_id in paths and optimizer_id in paths and slot.slot_node_id not in paths:
                paths[slot.slot_node_id] = (
                    f"{paths[slot.original_node_id]}/.OPTIMIZER_SLOT/{paths[optimizer_id]}/{slot.slot_name}"
                )
    by_key = {}
    for node_id, node in enumerate(graph.nodes):
        base = paths.get(node_id)
        if not base:  # unreachable from the root, or the root itself
            continue
        for attribute in node.attributes:
            by_key[attribute.checkpoint_key] = base if attribute.name == VARIABLE_VALUE else f"{base}/{attribute.name}"
    return by_key


def _variable_keys(bundle: Bundle) -> list[str]:
    return [e.key for e in bundle.entries if e.slice_of is None and e.key != OBJECT_GRAPH_KEY]


def variable_paths(bundle: Bundle) -> dict[str, str]:
    """checkpoint key -> object path ("layer_with_weights-0/kernel") for every tensor of the bundle.

    From the object graph when the bundle has one and it reaches the key's object; otherwise from
    the key itself (a TF1 name-based key such as ``dense/kernel`` is already a path).
    """
    by_key = _graph_paths(bundle.object_graph) if bundle.object_graph is not None else {}
    return {key: by_key.get(key) or _path_from_key(key) for key in _variable_keys(bundle)}


def variable_full_names(bundle: Bundle) -> dict[str, str]:
    """checkpoint key -> the variable's graph name ("dense/kernel"), where the object graph records one."""
    if bundle.object_graph is None:
        return {}
    recorded = {
        attribute.checkpoint_key: attribute.full_name
        for node in bundle.object_graph.nodes
        for attribute in node.attributes
        if attribute.full_name
    }
    return {key: recorded[key] for key in _variable_keys(bundle) if key in recorded}
