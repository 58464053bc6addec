"""Which Keras line wrote a file, from the version string it records."""

from __future__ import annotations

from .ir import keras_major


def writer_for(keras_version: str | None) -> str | None:
    """``keras-1``, ``keras-2`` (standalone), ``tf.keras``, ``tf-keras`` or ``keras-3``."""
    major = keras_major(keras_version)
    if major is None:
        return None
    if major == 1:
        return "keras-1"
    if major >= 3:
        return "keras-3"
    version = keras_version or ""
    if version.endswith("-tf"):
        return "tf.keras"
    parts = version.split(".")
    minor = int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else 0
    if minor <= 3:
        return "keras-2"  # standalone Keras 2.0-2.3 (tf.keras marked itself "-tf" then)
    if minor <= 15:
        return "tf.keras"
    return "tf-keras"  # the tf-keras package, 2.16 and later
