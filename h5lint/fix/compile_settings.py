"""Spell the compiled loss, metrics and optimizer the way Keras 3's compile rebuilds them.

What ``compile()`` recorded does not change predictions, but ``load_model`` rebuilds it by default and fails on
tf.keras spellings (``data/versions.toml`` [keras3]): short loss names Keras 3's legacy compile cannot resolve
(``"mse"`` -> ``"mean_squared_error"``, the canonical name of the same function), tf.keras loss objects with
``reduction="auto"`` (tf-keras: "defaults to SUM_OVER_BATCH_SIZE" in compile/fit, tf_keras/src/utils/losses_utils.py
ReductionV2; Keras 3 spells it ``"sum_over_batch_size"``) and the ``fn`` their wrapper records (the class implies
it), and the Keras 2.0-2.2 optimizer argument ``lr`` (``learning_rate`` since). tf-keras also names its optimizers
``Custom>Adam`` with keys Keras 3's optimizers refuse (``jit_compile``, ``is_legacy_optimizer``: what each release's
optimizers take is measured, :mod:`h5lint.keras.arguments`); Keras 3 then
falls back to a default ``Adam()`` and loses the stored hyperparameters, so those are written the Keras 3 way too.
A tf-keras ``compile_config`` records ``None`` for the execution settings it left at their defaults, which Keras 3
takes literally (``steps_per_execution=None`` breaks ``predict``); they are written as the values tf-keras used.
"""

from __future__ import annotations

from typing import Any

from ..ir import LEGACY_H5
from ..keras.arguments import newest_keras3, rejected_keys
from ..keras.builtins import builtin_in
from ..keras.knowledge import table
from ..keras.objects import LOSSES, OPTIMIZERS
from ..keras.training import canonical_loss_name
from ..keras.versions import KERAS_3
from .changes import Change, Transformation, shown
from .configs import Configs

NAME = "compile-settings"
# Keras 3's name for tf.keras's reduction "auto" (what it meant when compile() used the loss).
_REDUCTIONS = {"auto": "sum_over_batch_size"}
_MAX_DEPTH = 16
# What tf-keras's compile did with None (tf_keras/src/engine/training.py compile: "steps_per_execution or 1";
# run_eagerly and jit_compile only act when truthy); Keras 3 needs the values (keras/src/trainers/trainer.py).
_EXECUTION_DEFAULTS = {"run_eagerly": False, "steps_per_execution": 1, "jit_compile": False}


def _facts() -> Any:
    return table("versions")["keras3"]


def _loss_value(value: Any, where: str, changes: list[Change], legacy: bool, depth: int = 0) -> Any:
    """A loss as compile() recorded it (a name, an object, a dict by output or a list), spelled for Keras 3.

    ``legacy``: a training_config, which Keras 3 rebuilds through its legacy compile path; the compile_config of a
    ``.keras`` archive is rebuilt by Keras 3's own deserializer, which resolves the short names itself.
    """
    if depth > _MAX_DEPTH:
        return value
    if isinstance(value, str):
        if legacy and value in _facts()["rejected_loss_names"]:
            canonical = canonical_loss_name(value)
            changes.append(Change(NAME, where, f"renamed {where} {value!r} to {canonical!r}"))
            return canonical
        return value
    if isinstance(value, list):
        return [_loss_value(item, f"{where}[{i}]", changes, legacy, depth + 1) for i, item in enumerate(value)]
    if isinstance(value, dict) and not isinstance(value.get("class_name"), str):
        return {key: _loss_value(item, f"{where}.{key}", changes, legacy, depth + 1) for key, item in value.items()}
    if isinstance(value, dict) and isinstance(value.get("config"), dict):
        _loss_object(value, where, changes)
    return value


def _loss_object(obj: dict, where: str, changes: list[Change]) -> None:
    config = obj["config"]
    if not builtin_in(str(obj["class_name"]), LOSSES, KERAS_3):
        return  # not Keras's own class: nothing here says how Keras 3 spells it
    reduction = config.get("reduction")
    if isinstance(reduction, str) and reduction in _REDUCTIONS:
        config["reduction"] = _REDUCTIONS[reduction]
        changes.append(
            Change(NAME, f"{where}.reduction", f"set {where}.reduction {reduction!r} -> {_REDUCTIONS[reduction]!r}")
        )
    for key in _facts()["rejected_loss_keys"]:
        if key in config:
            value = config.pop(key)
            changes.append(
                Change(
                    NAME,
                    f"{where}.{key}",
                    f"dropped {where}.{key} ({shown(value)}): the class {obj['class_name']} implies it",
                )
            )


def _optimizer(obj: Any, where: str, changes: list[Change], depth: int = 0) -> None:
    if not isinstance(obj, dict) or not isinstance(obj.get("config"), dict) or depth > _MAX_DEPTH:
        return
    config, name = obj["config"], obj.get("class_name")
    if not isinstance(name, str) or not builtin_in(name.removeprefix("Custom>"), OPTIMIZERS, KERAS_3):
        return  # another optimizer class: its own config says what it takes
    if name.startswith("Custom>"):
        obj["class_name"] = name.removeprefix("Custom>")
        changes.append(Change(NAME, f"{where}.class_name", f"renamed {where} {name!r} to {obj['class_name']!r}"))
    # What the Keras 3 optimizer does not take ("Argument(s) not recognized", measured per release): tf-keras's
    # jit_compile and is_legacy_optimizer go, Keras 2.0-2.2's lr is learning_rate under its current name.
    rejected = rejected_keys(OPTIMIZERS, obj["class_name"], config, newest_keras3())
    for key in [key for key in rejected if key != "lr"]:
        value = config.pop(key)
        changes.append(Change(NAME, f"{where}.{key}", f"dropped {where}.{key} ({shown(value)}): tf-keras only"))
    if "lr" in rejected and "learning_rate" not in config:
        config["learning_rate"] = config.pop("lr")
        changes.append(Change(NAME, f"{where}.lr", f"renamed {where}.lr to learning_rate"))
    for key in ("inner_optimizer", "optimizer"):  # LossScaleOptimizer wraps the one that does the work
        _optimizer(config.get(key), f"{where}.{key}", changes, depth + 1)


def _compile(compile_config: Any, changes: list[Change], legacy: bool) -> Any:
    if not isinstance(compile_config, dict):
        return compile_config
    if "loss" in compile_config:
        compile_config["loss"] = _loss_value(compile_config["loss"], "loss", changes, legacy)
    for key in ("optimizer_config", "optimizer"):
        _optimizer(compile_config.get(key), key, changes)
    for key, value in _EXECUTION_DEFAULTS.items():
        if key in compile_config and compile_config[key] is None:
            compile_config[key] = value
            changes.append(Change(NAME, key, f"set {key} None -> {value!r} (what tf-keras used for None)"))
    return compile_config


def _apply(configs: Configs) -> tuple[Configs, tuple[Change, ...]]:
    model, compile_config = configs.edited()
    changes: list[Change] = []
    compile_config = _compile(compile_config, changes, legacy=configs.loader == LEGACY_H5)
    return Configs(model, compile_config, configs.loader), tuple(changes)


TRANSFORMATION = Transformation(
    NAME,
    "spell the compiled loss and optimizer the Keras 3 way ('mse' -> 'mean_squared_error', reduction='auto' -> "
    "'sum_over_batch_size', lr -> learning_rate, Custom>Adam -> Adam)",
    _apply,
)
