"""TensorFlow's ``DataType`` enum (``tensorflow/core/framework/types.proto``), the one table of its names.

Checked against TF 2.21's ``types_pb2`` by the fixture generator (``data_types`` in tf_answers.json).
"""

from __future__ import annotations

# number -> name, in the order of types.proto; the _REF variants are these plus 100.
_BASE_NAMES = (
    "DT_INVALID",
    "DT_FLOAT",
    "DT_DOUBLE",
    "DT_INT32",
    "DT_UINT8",
    "DT_INT16",
    "DT_INT8",
    "DT_STRING",
    "DT_COMPLEX64",
    "DT_INT64",
    "DT_BOOL",
    "DT_QINT8",
    "DT_QUINT8",
    "DT_QINT32",
    "DT_BFLOAT16",
    "DT_QINT16",
    "DT_QUINT16",
    "DT_UINT16",
    "DT_COMPLEX128",
    "DT_HALF",
    "DT_RESOURCE",
    "DT_VARIANT",
    "DT_UINT32",
    "DT_UINT64",
    "DT_FLOAT8_E5M2",
    "DT_FLOAT8_E4M3FN",
    "DT_FLOAT8_E4M3FNUZ",
    "DT_FLOAT8_E4M3B11FNUZ",
    "DT_FLOAT8_E5M2FNUZ",
    "DT_INT4",
    "DT_UINT4",
    "DT_INT2",
    "DT_UINT2",
    "DT_FLOAT4_E2M1FN",
)
_REF_OFFSET = 100
DATA_TYPES: dict[int, str] = {
    **dict(enumerate(_BASE_NAMES)),
    **{number + _REF_OFFSET: f"{name}_REF" for number, name in enumerate(_BASE_NAMES) if number},
}
DT_STRING = 7
DT_VARIANT = 21

# Bytes per element of the types a bundle stores as raw memory (TF's DataTypeSize). The sub-byte
# types (int4, int2, float4) are left out: how they are packed is not something h5lint has checked.
ELEMENT_SIZES: dict[int, int] = {
    1: 4,  # float
    2: 8,  # double
    3: 4,  # int32
    4: 1,  # uint8
    5: 2,  # int16
    6: 1,  # int8
    8: 8,  # complex64
    9: 8,  # int64
    10: 1,  # bool
    11: 1,  # qint8
    12: 1,  # quint8
    13: 4,  # qint32
    14: 2,  # bfloat16
    15: 2,  # qint16
    16: 2,  # quint16
    17: 2,  # uint16
    18: 16,  # complex128
    19: 2,  # half
    22: 4,  # uint32
    23: 8,  # uint64
    24: 1,  # float8 variants
    25: 1,
    26: 1,
    27: 1,
    28: 1,
}

# The numpy dtype each readable type streams as ('<' since a bundle's tensor bytes are little-endian).
# bfloat16 and bool are read as their raw integers and converted (numpy has no bfloat16, and a
# damaged bool byte must not become a numpy bool holding 2).
NUMPY_FORMATS: dict[int, str] = {
    1: "<f4",
    2: "<f8",
    3: "<i4",
    4: "u1",
    5: "<i2",
    6: "i1",
    8: "<c8",
    9: "<i8",
    10: "u1",
    14: "<u2",
    17: "<u2",
    18: "<c16",
    19: "<f2",
    22: "<u4",
    23: "<u8",
}
DT_BOOL = 10
DT_BFLOAT16 = 14


def dtype_name(code: int) -> str:
    return DATA_TYPES.get(code, f"DT_UNKNOWN_{code}")
