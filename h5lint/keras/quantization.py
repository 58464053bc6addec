"""Which quantization mode a stored Keras 3 layer is in (``model.quantize("int8")`` and friends).

Keras 3 records it in the layer's dtype policy: ``{"class_name": "QuantizedDTypePolicy", "config":
{"mode": "int8", "source_name": "float32"}}`` (``"int4/128"`` carries a block size; Keras 3.3-3.7
wrote ``{"name": "int8_from_float32"}``), and since 3.13 also in a ``quantization_config`` object. The
modes each release knows are in ``data/versions.toml`` ``[keras3.quantization_modes]``.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any

from .knowledge import table
from .refs import as_dict, as_str
from .structure import Layer


@functools.lru_cache(maxsize=1)
def modes() -> Mapping[str, str]:
    """Quantization mode -> the first Keras 3 release that has it."""
    return table("versions")["keras3"]["quantization_modes"]


def _mode_of(text: str | None) -> str | None:
    if not text:
        return None
    mode = text.split("_from_", 1)[0].split("/", 1)[0]
    return mode if mode in modes() else None


def mode(layer: Layer) -> str | None:
    """The layer's quantization mode (``"int8"``, ``"int4"``, ``"float8"``, ``"gptq"``, ``"awq"``), None if
    it is not quantized."""
    dtype: Any = layer.config.get("dtype")
    if isinstance(dtype, str):
        return _mode_of(dtype)
    config = as_dict(as_dict(dtype).get("config"))
    return _mode_of(as_str(config.get("mode"))) or _mode_of(as_str(config.get("name")))


def kernel_layout(layer: Layer) -> bool:
    """Whether variable 0 of the layer is its kernel in the float kernel's shape and meaning."""
    quantized = mode(layer)
    if quantized is None:
        return True
    return bool(table("layer_weights")["quantized"].get(quantized, {}).get("kernel_layout", False))
