"""H5L204 activation-loss-mismatch: a sigmoid/softmax head trained with a loss made for another head."""

from __future__ import annotations

from typing import Iterator

from h5lint.checks import RuleContext
from h5lint.findings import Hit, Severity
from h5lint.keras.heads import (
    BINARY,
    CATEGORICAL,
    PROBABILITY,
    REGRESSION,
    SIGMOID,
    SOFTMAX,
    Activation,
    Head,
    describe,
    describe_loss,
    loss_expects,
    renormalises,
    route,
    use_activation,
)
from h5lint.keras.model import KerasModel
from h5lint.keras.structure import Loss


def _units(act: Activation) -> str:
    if act.units is None:
        return "its units"
    return "1 unit" if act.units == 1 else f"{act.units} units"


def _sigmoid_categorical(head: Head, act: Activation, loss: Loss) -> Hit:
    start = f"Output '{head.output.name}' comes from {describe(act)}{route(head)}"
    if act.units == 1 and renormalises(loss):
        return Hit(
            f"{start}, a single sigmoid unit, but is compiled with {describe_loss(loss)}, which normalises the "
            "predictions over the last axis: one value always normalises to 1.0, so the loss is 0 for "
            "every sample (and integer label 1 is out of range for the sparse variant); the model "
            "learns nothing.",
            f"output:{head.output.name}",
            "keep the single sigmoid unit and compile with binary_crossentropy",
            Severity.ERROR,
        )
    return Hit(
        f"{start}, independent sigmoids over {_units(act)}, but is compiled with {describe_loss(loss)}, "
        "which expects one probability distribution over the last axis: the sigmoids do not sum to 1, so "
        "training optimises something else than the scores predict() returns, and those scores are not "
        "class probabilities.",
        f"output:{head.output.name}",
        f"for one class per sample {use_activation(act, 'softmax')}; for several labels per sample keep "
        "sigmoid and compile with binary_crossentropy",
    )


def _softmax_binary(head: Head, act: Activation, loss: Loss) -> Hit | None:
    start = f"Output '{head.output.name}' comes from {describe(act)}{route(head)}"
    if act.units is None or act.units == 1:
        return None  # unknown width: no guessing; one unit is H5L203's
    if act.units == 2:
        return Hit(
            f"{start}, a softmax over 2 units, and is compiled with {describe_loss(loss)}: this equals a single sigmoid "
            "only when the labels are one-hot with 2 columns; a single 0/1 label column is broadcast "
            "against both units and the loss is smallest at 0.5/0.5.",
            f"output:{head.output.name}",
            "use keras.layers.Dense(1, activation='sigmoid') with binary_crossentropy, or keep the 2 softmax "
            "units and compile with categorical_crossentropy (one-hot labels) or "
            "sparse_categorical_crossentropy (integer labels)",
            Severity.INFO,
        )
    return Hit(
        f"{start}, a softmax over {act.units} units, but is compiled with {describe_loss(loss)}, which scores each unit as "
        "an independent yes/no probability: softmax makes the units compete (they sum to 1), so a sample "
        "cannot have two labels, and 'accuracy' becomes binary_accuracy, which scores every unit "
        "separately and looks far better than the model is.",
        f"output:{head.output.name}",
        "for one class per sample compile with categorical_crossentropy (one-hot labels) or "
        f"sparse_categorical_crossentropy (integer labels); for several labels per sample "
        f"{use_activation(act, 'sigmoid')}",
    )


def _classification_fix(act: Activation) -> str:
    if act.kind == SOFTMAX:
        return "for classification compile with categorical_crossentropy"
    if act.units == 1:
        return "for classification compile with binary_crossentropy"
    return (
        f"for one class per sample {use_activation(act, 'softmax')} and compile with categorical_crossentropy; "
        "for independent labels compile with binary_crossentropy"
    )


def _squashed_regression(head: Head, act: Activation, loss: Loss) -> Hit:
    return Hit(
        f"Output '{head.output.name}' comes from {describe(act)}{route(head)}, which squashes predictions "
        f"into [0, 1], but is compiled with {describe_loss(loss)}, a regression loss: predictions can never leave (0, 1) "
        f"and the {act.name} flattens the gradients of confident mistakes, so a classifier trained this "
        "way learns slowly and a regression on unscaled targets cannot fit. This is intended only when "
        "the targets are values in [0, 1] on purpose (image pixels, scaled quantities).",
        f"output:{head.output.name}",
        f"{_classification_fix(act)}; for regression {use_activation(act, 'linear')}; "
        "if the targets are in [0, 1] by design, ignore H5L204 for this file (per-file-ignores)",
    )


def check(model: KerasModel, ctx: RuleContext) -> Iterator[Hit]:
    for head in model.heads:
        loss, act = head.output.loss, head.activation
        # from_logits=True with a squashed head is H5L202's (the activation itself is the problem).
        if loss is None or act is None or loss.from_logits or act.kind not in PROBABILITY:
            continue
        if act.kind == SOFTMAX and act.units == 1:
            continue  # always 1.0 whatever the loss: H5L203's, and a loss fix here would keep the constant
        expects = loss_expects(loss)
        hit: Hit | None = None
        if act.kind == SIGMOID and expects == CATEGORICAL:
            hit = _sigmoid_categorical(head, act, loss)
        elif act.kind == SOFTMAX and expects == BINARY:
            hit = _softmax_binary(head, act, loss)
        elif expects == REGRESSION:
            hit = _squashed_regression(head, act, loss)
        if hit is not None:
            yield hit
