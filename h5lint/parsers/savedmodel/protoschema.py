"""Our own wire-compatible subset of the SavedModel protobuf schema, built at run time.

h5lint ships no TensorFlow ``.proto`` files and no generated ``*_pb2`` modules: the messages below
are declared from field numbers, types and names alone (facts listed in formats.md §4 and
``format-examples/extracted/proto_fields_tf2.21.txt``) and compiled into a private descriptor pool.
On the wire only numbers and types matter, and fields we do not declare are skipped; the text
format (``saved_model.pbtxt``) matches by field and enum value names, so those are TensorFlow's.
The package name is ours, so nothing here can clash with a real TensorFlow in the same process.
"""

from __future__ import annotations

import functools
from typing import Any

from google.protobuf import descriptor_pb2, descriptor_pool, message_factory

PACKAGE = "h5lint.tf"

# DataType value names (types.proto): value n is DT_<name>, and n + 100 its reference type DT_<name>_REF.
_DATA_TYPES = (
    "FLOAT DOUBLE INT32 UINT8 INT16 INT8 STRING COMPLEX64 INT64 BOOL QINT8 QUINT8 QINT32 BFLOAT16 QINT16 "
    "QUINT16 UINT16 COMPLEX128 HALF RESOURCE VARIANT UINT32 UINT64 FLOAT8_E5M2 FLOAT8_E4M3FN FLOAT8_E4M3FNUZ "
    "FLOAT8_E4M3B11FNUZ FLOAT8_E5M2FNUZ INT4 UINT4 INT2 UINT2 FLOAT4_E2M1FN"
).split()
REF_OFFSET = 100

# message -> fields as (number, name, type). A type is a scalar ("string", "int64" ...), one of
# our messages, "DataType" or "map<K,V>", optionally prefixed "repeated ". An entry ("kind:",)
# puts the fields after it into the oneof named before the colon.
_MESSAGES: dict[str, tuple[tuple[Any, ...], ...]] = {
    # saved_model.proto
    "SavedModel": ((1, "saved_model_schema_version", "int64"), (2, "meta_graphs", "repeated MetaGraphDef")),
    # meta_graph.proto
    "MetaGraphDef": (
        (1, "meta_info_def", "MetaInfoDef"),
        (2, "graph_def", "GraphDef"),
        (5, "signature_def", "map<string,SignatureDef>"),
        (6, "asset_file_def", "repeated AssetFileDef"),
        (7, "object_graph_def", "SavedObjectGraph"),
    ),
    "MetaInfoDef": (
        (1, "meta_graph_version", "string"),
        (2, "stripped_op_list", "OpList"),
        (4, "tags", "repeated string"),
        (5, "tensorflow_version", "string"),
        (6, "tensorflow_git_version", "string"),
        (7, "stripped_default_attrs", "bool"),
    ),
    "SignatureDef": (
        (1, "inputs", "map<string,TensorInfo>"),
        (2, "outputs", "map<string,TensorInfo>"),
        (3, "method_name", "string"),
    ),
    "TensorInfo": ((1, "name", "string"), (2, "dtype", "DataType"), (3, "tensor_shape", "TensorShapeProto")),
    "AssetFileDef": ((1, "tensor_info", "TensorInfo"), (2, "filename", "string")),
    # op_def.proto, graph.proto, node_def.proto, function.proto
    "OpList": ((1, "op", "repeated OpDef"),),
    "OpDef": ((1, "name", "string"), (2, "input_arg", "repeated ArgDef"), (3, "output_arg", "repeated ArgDef")),
    "ArgDef": ((1, "name", "string"), (3, "type", "DataType"), (4, "type_attr", "string")),
    "GraphDef": (
        (1, "node", "repeated NodeDef"),
        (2, "library", "FunctionDefLibrary"),
        (4, "versions", "VersionDef"),
    ),
    "NodeDef": (
        (1, "name", "string"),
        (2, "op", "string"),
        (3, "input", "repeated string"),
        (4, "device", "string"),
        (5, "attr", "map<string,AttrValue>"),
    ),
    "FunctionDefLibrary": ((1, "function", "repeated FunctionDef"),),
    "FunctionDef": ((1, "signature", "OpDef"), (3, "node_def", "repeated NodeDef"), (4, "ret", "map<string,string>")),
    # attr_value.proto: function references hide in ``func`` and ``list.func``.
    "AttrValue": (
        ("value:",),
        (1, "list", "AttrListValue"),
        (2, "s", "bytes"),
        (3, "i", "int64"),
        (4, "f", "float"),
        (5, "b", "bool"),
        (6, "type", "DataType"),
        (7, "shape", "TensorShapeProto"),
        (9, "placeholder", "string"),
        (10, "func", "NameAttrList"),
    ),
    "AttrListValue": (
        (2, "s", "repeated bytes"),
        (3, "i", "repeated int64"),
        (4, "f", "repeated float"),
        (5, "b", "repeated bool"),
        (6, "type", "repeated DataType"),
        (7, "shape", "repeated TensorShapeProto"),
        (9, "func", "repeated NameAttrList"),
    ),
    "NameAttrList": ((1, "name", "string"), (2, "attr", "map<string,AttrValue>")),
    # tensor_shape.proto, versions.proto
    "TensorShapeProto": ((2, "dim", "repeated Dim"), (3, "unknown_rank", "bool")),
    "Dim": ((1, "size", "int64"), (2, "name", "string")),
    "VersionDef": ((1, "producer", "int32"), (2, "min_consumer", "int32"), (3, "bad_consumers", "repeated int32")),
    # saved_object_graph.proto
    "SavedObjectGraph": (
        (1, "nodes", "repeated SavedObject"),
        (2, "concrete_functions", "map<string,SavedConcreteFunction>"),
    ),
    "SavedConcreteFunction": ((2, "bound_inputs", "repeated int32"),),
    "SavedObject": (
        (1, "children", "repeated ObjectReference"),
        (13, "registered_name", "string"),
        (15, "dependencies", "repeated ObjectReference"),
        ("kind:",),
        (4, "user_object", "SavedUserObject"),
        (5, "asset", "SavedAsset"),
        (6, "function", "SavedFunction"),
        (7, "variable", "SavedVariable"),
        (8, "bare_concrete_function", "SavedBareConcreteFunction"),
        (9, "constant", "SavedConstant"),
        (10, "resource", "SavedResource"),
        (12, "captured_tensor", "CapturedTensor"),
    ),
    "ObjectReference": ((1, "node_id", "int32"), (2, "local_name", "string")),
    "SavedUserObject": ((1, "identifier", "string"), (2, "version", "VersionDef"), (3, "metadata", "string")),
    "SavedAsset": ((1, "asset_file_def_index", "int32"),),
    "SavedFunction": ((1, "concrete_functions", "repeated string"),),
    "SavedVariable": (
        (1, "dtype", "DataType"),
        (2, "shape", "TensorShapeProto"),
        (3, "trainable", "bool"),
        (6, "name", "string"),
    ),
    "SavedBareConcreteFunction": ((1, "concrete_function_name", "string"),),
    "SavedConstant": ((1, "operation", "string"),),
    "SavedResource": ((1, "device", "string"),),
    "CapturedTensor": ((1, "name", "string"), (2, "concrete_function", "string")),
    # fingerprint.proto
    "FingerprintDef": (
        (1, "saved_model_checksum", "uint64"),
        (2, "graph_def_program_hash", "uint64"),
        (3, "signature_def_hash", "uint64"),
        (4, "saved_object_graph_hash", "uint64"),
        (5, "checkpoint_hash", "uint64"),
        (6, "version", "VersionDef"),
        (7, "uuid", "string"),
    ),
    # tf_keras saved_metadata.proto (keras_metadata.pb); its SavedObject is not TensorFlow's.
    "SavedMetadata": ((1, "nodes", "repeated KerasObject"),),
    "KerasObject": (
        (2, "node_id", "int32"),
        (3, "node_path", "string"),
        (4, "identifier", "string"),
        (5, "metadata", "string"),
        (6, "version", "VersionDef"),
    ),
}

_F = descriptor_pb2.FieldDescriptorProto
_SCALARS = {
    "string": _F.TYPE_STRING,
    "bytes": _F.TYPE_BYTES,
    "bool": _F.TYPE_BOOL,
    "float": _F.TYPE_FLOAT,
    "int32": _F.TYPE_INT32,
    "int64": _F.TYPE_INT64,
    "uint64": _F.TYPE_UINT64,
}


def _set_type(field: descriptor_pb2.FieldDescriptorProto, type_name: str) -> None:
    if type_name in _SCALARS:
        field.type = _SCALARS[type_name]
    elif type_name == "DataType":
        field.type = _F.TYPE_ENUM
        field.type_name = f".{PACKAGE}.DataType"
    else:
        field.type = _F.TYPE_MESSAGE
        field.type_name = f".{PACKAGE}.{type_name}"


def _add_map(message: descriptor_pb2.DescriptorProto, field: descriptor_pb2.FieldDescriptorProto, spec: str) -> None:
    """``map<K,V> name = N`` is a repeated nested ``NameEntry {K key = 1; V value = 2;}`` (protoc's naming)."""
    key_type, value_type = spec[len("map<") : -1].split(",")
    entry = message.nested_type.add(name="".join(p.capitalize() for p in field.name.split("_")) + "Entry")
    entry.options.map_entry = True
    for number, name, type_name in ((1, "key", key_type), (2, "value", value_type)):
        _set_type(entry.field.add(name=name, number=number, label=_F.LABEL_OPTIONAL), type_name)
    field.label = _F.LABEL_REPEATED
    field.type = _F.TYPE_MESSAGE
    field.type_name = f".{PACKAGE}.{message.name}.{entry.name}"


def _file_proto() -> descriptor_pb2.FileDescriptorProto:
    proto = descriptor_pb2.FileDescriptorProto(name="h5lint/savedmodel_subset.proto", package=PACKAGE, syntax="proto3")
    dtype = proto.enum_type.add(name="DataType")
    dtype.value.add(name="DT_INVALID", number=0)
    for number, name in enumerate(_DATA_TYPES, start=1):
        dtype.value.add(name=f"DT_{name}", number=number)
    for number, name in enumerate(_DATA_TYPES, start=1):
        dtype.value.add(name=f"DT_{name}_REF", number=number + REF_OFFSET)
    for message_name, fields in _MESSAGES.items():
        message = proto.message_type.add(name=message_name)
        oneof_index = None
        for entry in fields:
            if len(entry) == 1:  # ("kind:",) opens a oneof for the fields that follow
                oneof_index = len(message.oneof_decl)
                message.oneof_decl.add(name=entry[0].rstrip(":"))
                continue
            number, name, spec = entry
            field = message.field.add(name=name, number=number, label=_F.LABEL_OPTIONAL)
            if spec.startswith("repeated "):
                field.label = _F.LABEL_REPEATED
                spec = spec[len("repeated ") :]
            if spec.startswith("map<"):
                _add_map(message, field, spec)
            else:
                _set_type(field, spec)
            if oneof_index is not None:
                field.oneof_index = oneof_index
    return proto


@functools.lru_cache(maxsize=1)
def _pool() -> descriptor_pool.DescriptorPool:
    pool = descriptor_pool.DescriptorPool()
    pool.Add(_file_proto())
    return pool


@functools.lru_cache(maxsize=None)
def message_class(name: str) -> type:
    """The message class for one of the messages above, e.g. ``message_class("SavedModel")``."""
    descriptor = _pool().FindMessageTypeByName(f"{PACKAGE}.{name}")
    get_class = getattr(message_factory, "GetMessageClass", None)
    if get_class is not None:
        return get_class(descriptor)
    # protobuf < 4.22 has no GetMessageClass yet.
    return message_factory.MessageFactory(_pool()).GetPrototype(descriptor)


@functools.lru_cache(maxsize=1)
def _dtype_names() -> dict[int, str]:
    enum = _pool().FindEnumTypeByName(f"{PACKAGE}.DataType")
    return {value.number: value.name for value in enum.values}


def dtype_name(value: int) -> str:
    """``DT_FLOAT`` for 1; an unknown number (proto3 enums are open) as ``DT_<number>``."""
    return _dtype_names().get(value, f"DT_{value}")
