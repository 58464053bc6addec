"""Write tf.keras mixed-precision ``Policy`` objects as Keras 3 ``DTypePolicy`` objects.

tf.keras serializes a layer's policy as ``{"class_name": "Policy", "config": {"name": "mixed_float16"}}``; Keras
3's loaders do not know the class and keep the bare string ("'str' object has no attribute
'quantization_mode'"). Keras 3 names the same policy ``DTypePolicy`` with the same ``name`` (compute and
variable dtypes are derived from the name in both: keras/src/dtype_policies/dtype_policy.py,
tf_keras/src/mixed_precision/policy.py), which is what Keras 3 itself writes.
"""

from __future__ import annotations

from ..keras.knowledge import table
from .changes import Change, Transformation
from .configs import Configs
from .walk import layer_entries

NAME = "dtype-policies"
# Policy names both lines derive the same compute and variable dtypes from.
_NAMES = frozenset({"float16", "float32", "float64", "bfloat16", "mixed_float16", "mixed_bfloat16"})


def _apply(configs: Configs) -> tuple[Configs, tuple[Change, ...]]:
    legacy = set(table("versions")["keras3"]["legacy_dtype_policies"])
    model, compile_config = configs.edited()
    changes = []
    for entry in layer_entries(model):
        dtype = entry.config.get("dtype")
        if not isinstance(dtype, dict) or str(dtype.get("class_name")) not in legacy:
            continue
        inner = dtype.get("config")
        name = inner.get("name") if isinstance(inner, dict) else None
        if not isinstance(name, str) or name not in _NAMES:
            continue  # a policy Keras 3 has no name for: the file is refused for it
        entry.config["dtype"] = {
            "module": "keras",
            "class_name": "DTypePolicy",
            "config": {"name": name},
            "registered_name": None,
        }
        where = f"{entry.location}.dtype"
        changes.append(
            Change(
                NAME, where, f"rewrote {where} from tf.keras {dtype['class_name']}({name!r}) to DTypePolicy({name!r})"
            )
        )
    return Configs(model, compile_config, configs.loader), tuple(changes)


TRANSFORMATION = Transformation(
    NAME, "write tf.keras mixed-precision Policy objects as Keras 3 DTypePolicy objects of the same name", _apply
)
