"""What a transformation is, and what it reports: one :class:`Change` per edit ("dropped lstm.time_major (False)")."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Callable

from .configs import Configs


@dataclass(frozen=True)
class Change:
    transformation: str  # the name of the transformation that made it
    location: str  # what it edited: "lstm.time_major", "training_config.loss.out_b", "config.json module"
    text: str  # for people: "dropped lstm.time_major (False)"


Apply = Callable[[Configs], "tuple[Configs, tuple[Change, ...]]"]


@dataclass(frozen=True)
class Transformation:
    """One named, exact rewrite of stored configs (each in its own module of :mod:`h5lint.fix`)."""

    name: str
    summary: str  # what it does and why it keeps the predictions
    apply: Apply


def shown(value: Any) -> str:
    """A config value as changes quote it: ``False``, ``1``, ``'auto'``, ``[null, 4]``, ``GlorotUniform(seed=None)``."""
    if isinstance(value, dict) and isinstance(value.get("class_name"), str):
        config = value.get("config") if isinstance(value.get("config"), dict) else {}
        text = f"{value['class_name']}({', '.join(f'{k}={v!r}' for k, v in config.items())})"
    elif isinstance(value, (dict, list)):
        text = json.dumps(value, separators=(", ", ": "))
    else:
        return repr(value)
    return text if len(text) <= 60 else text[:57] + "..."
