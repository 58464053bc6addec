"""Plan a fix: refuse, or run every transformation on a copy of the configs and check that the target then loads.

A plan is computed without writing anything (``--diff`` shows it); :mod:`.write` writes it. After the
transformations the copy is judged again by the semantic layer's :func:`~h5lint.keras.loadability.reasons` (what
H5L403 reports): anything left is a refusal, so ``fix`` never writes a copy h5lint itself says will not load.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from ..keras.loadability import reasons
from ..keras.model import KerasModel, interpret
from ..keras.versions import Target
from . import (
    arguments,
    axes,
    compile_settings,
    dtype_policies,
    initializers,
    inputs,
    modules,
    nested_models,
    sequential_lists,
)
from .changes import Change, Transformation
from .configs import Configs, config_sha256, configs_of, documents
from .refusals import refusals

FIXED = "fixed"
NOTHING_TO_FIX = "nothing-to-fix"
REFUSED = "refused"

# In this order: layer lists become dicts before anything walks them; modules are named before arguments are
# judged (a wrapped layer given a module is read by Keras 3's own deserializer).
TRANSFORMATIONS: tuple[Transformation, ...] = (
    sequential_lists.TRANSFORMATION,
    modules.TRANSFORMATION,
    inputs.TRANSFORMATION,
    arguments.TRANSFORMATION,
    axes.TRANSFORMATION,
    initializers.TRANSFORMATION,
    dtype_policies.TRANSFORMATION,
    nested_models.TRANSFORMATION,
    compile_settings.TRANSFORMATION,
)


@dataclass(frozen=True)
class FixPlan:
    path: str
    format: str
    target: str
    status: str  # FIXED, NOTHING_TO_FIX or REFUSED
    changes: tuple[Change, ...] = ()
    refusals: tuple[str, ...] = ()
    # The stored documents by name (model_config, training_config, config.json, architecture), before and after.
    before: Mapping[str, Any] = field(default_factory=dict, compare=False)
    after: Mapping[str, Any] = field(default_factory=dict, compare=False)

    @property
    def config_sha256(self) -> str | None:
        """Hash of the canonical fixed configs (what the generator verified with the real loaders)."""
        return config_sha256(self.after) if self.status == FIXED else None


def fixed_model(model: KerasModel, configs: Configs) -> KerasModel:
    """The semantic model of the artifact as it would read with ``configs`` stored."""
    artifact = model.artifact
    assert artifact.keras is not None
    stored = documents(artifact.format.name, configs)
    model_config = next(iter(stored.values()))
    keras = replace(artifact.keras, model_config=model_config, training_config=configs.compile)
    return interpret(replace(artifact, keras=keras))


def plan_fix(model: KerasModel, target: Target) -> FixPlan:
    fmt = model.format.name
    refused = refusals(model, target)
    if refused:
        return FixPlan(model.path, fmt, str(target), REFUSED, refusals=refused)
    configs = configs_of(model.artifact)
    before = documents(fmt, configs)
    changes: list[Change] = []
    for transformation in TRANSFORMATIONS:
        configs, made = transformation.apply(configs)
        changes += made
    after = documents(fmt, configs)
    left = reasons(fixed_model(model, configs), target)
    if left:
        texts = tuple(f"after the {len(changes)} changes fix can make, {r.text}" for r in left)
        return FixPlan(model.path, fmt, str(target), REFUSED, tuple(changes), texts, before, after)
    status = FIXED if changes else NOTHING_TO_FIX
    return FixPlan(model.path, fmt, str(target), status, tuple(changes), (), before, after)
