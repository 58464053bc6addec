"""The rule API: what a check receives (:class:`RuleContext`) and how the engine finds every check.

Rules live in the top-level ``rules/`` folder (package ``h5lint.rules``), one folder per rule.
"""

from __future__ import annotations

import functools
import importlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Callable, Iterator

from .findings import Hit
from .keras.model import KerasModel
from .keras.versions import DEFAULT_TARGET, Target


@dataclass(frozen=True)
class RuleContext:
    """What a check may know besides the model: its code and options, the target, project declarations."""

    code: str = ""
    options: Mapping[str, Any] = field(default_factory=dict)
    # The runtime the model will be loaded with (settings' target, else the current Keras line).
    target: Target = DEFAULT_TARGET
    # Names the project declares it registers itself (custom-objects = [...] in [tool.h5lint]).
    custom_objects: frozenset[str] = frozenset()


Check = Callable[[KerasModel, RuleContext], Iterator[Hit]]


@functools.lru_cache(maxsize=1)
def all_checks() -> Mapping[str, Check]:
    """The check of every rule that has one, by code."""
    from .catalog import RULES_PACKAGE, load_catalog

    return {
        code: importlib.import_module(f"{RULES_PACKAGE}.{spec.folder}.check").check
        for code, spec in load_catalog().items()
        if not spec.raised_by_parser
    }
