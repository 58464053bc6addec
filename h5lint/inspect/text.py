"""``h5lint inspect`` for people: a header, a layer table that fits the terminal, then what only the file knows.

::

    sample_models/tfk_stateful_lstm.h5: h5-full, keras 2.21.0 (tf-keras), backend tensorflow
    Model "stateful_lstm" (Functional), input inp (2, 3, 1) float32
    Layer (type)        Key config             Activation  Params  Trainable  Connected to
    inp (InputLayer)                                            0  yes
    lstm (LSTM)         units=2, stateful=...  tanh            32  yes        inp[0][0]
    ...
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..keras.summary import LayerRow, ModelSummary, OutputSummary
from ..reporters._describe import load_lines
from .items import Unreadable

_HEADERS = ("Layer (type)", "Key config", "Activation", "Params", "Trainable", "Connected to")
# Columns that give up width first when the table is wider than the terminal, and the least each keeps.
_SHRINKABLE = {5: 12, 1: 14, 0: 16, 2: 8}
_GAP = "  "


def _value(value: Any) -> str:
    if isinstance(value, list):
        return "(" + ", ".join(_value(v) for v in value) + ("," if len(value) == 1 else "") + ")"
    return str(value)


def _cells(row: LayerRow) -> list[str]:
    name = f"{'  ' * row.depth}{row.name} ({row.class_name})"
    config = ", ".join(f"{k}={_value(v)}" for k, v in row.key_config)
    params = "?" if row.params is None else f"{row.params:,}"
    trainable = {True: "yes", False: "no", None: ""}[row.trainable]
    marks = [m for m, on in (("Lambda", row.is_lambda), ("stateful", row.stateful)) if on]
    if marks:
        config = ", ".join([config, *marks]) if config else ", ".join(marks)
    return [name, config, row.activation or "", params, trainable, ", ".join(row.inbound)]


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: max(1, width - 1)] + "…"


def _table(rows: Sequence[Sequence[str]], width: int) -> list[str]:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    excess = sum(widths) + len(_GAP) * (len(widths) - 1) - width
    for column, least in _SHRINKABLE.items():
        if excess <= 0:
            break
        give = min(excess, max(0, widths[column] - least))
        widths[column] -= give
        excess -= give
    out = []
    for row in rows:
        cells = [_cut(cell, widths[i]) for i, cell in enumerate(row)]
        cells[3] = cells[3].rjust(widths[3])  # numbers line up on the right
        out.append(_GAP.join(c.ljust(widths[i]) if i != 3 else c for i, c in enumerate(cells)).rstrip())
    return out


def _shape(shape: tuple[int | None, ...] | None) -> str:
    if shape is None:
        return "(shape not recorded)"
    return "(" + ", ".join("None" if d is None else str(d) for d in shape) + ("," if len(shape) == 1 else "") + ")"


def _output(output: OutputSummary) -> str:
    text = f"{output.name}: {output.activation or 'unknown activation'}"
    if output.loss is not None:
        text += f", loss {output.loss}" + (" (from_logits=True)" if output.from_logits else "")
    if output.loss_weight is not None:
        text += f" x{output.loss_weight:g}"
    if output.metrics:
        text += f", metrics {', '.join(output.metrics)}"
    return text


def _bytes(count: int | None) -> str:
    if count is None:
        return "? bytes"
    for unit in ("B", "KiB", "MiB", "GiB"):
        if count < 1024 or unit == "GiB":
            return f"{count:,} B" if unit == "B" else f"{count:,.1f} {unit}"
        count /= 1024  # type: ignore[assignment]
    return f"{count} B"


def _header(summary: ModelSummary) -> list[str]:
    v = summary.versions
    tags = [summary.format + (f" ({summary.layout})" if summary.layout else "")]
    if v.keras_version:
        tags.append(f"keras {v.keras_version}" + (f" ({v.writer})" if v.writer else ""))
    if v.backend:
        tags.append(f"backend {v.backend}")
    if v.tensorflow_version:
        tags.append(f"tensorflow {v.tensorflow_version}")
    if v.producer:
        tags.append(v.producer)
    lines = [f"{summary.path}: {', '.join(tags)}"]
    if summary.model_class is not None:
        model = f'Model "{summary.model_name}" ({summary.model_class}, {summary.kind})'
        inputs = "; ".join(f"{i.name} {_shape(i.shape)} {i.dtype or ''}".rstrip() for i in summary.inputs)
        lines.append(model + (f", inputs: {inputs}" if inputs else ""))
    return lines


def _facts(summary: ModelSummary) -> list[str]:
    lines = []
    weights = summary.weights
    if weights is not None:
        dtypes = ", ".join(f"{dtype} {count:,}" for dtype, count in weights.by_dtype.items())
        lines.append(
            f"Total params: {weights.parameters:,} ({_bytes(weights.bytes)}) in {weights.arrays} arrays"
            + (f" [{dtypes}]" if dtypes else "")
        )
        if weights.unassigned:
            lines.append(f"Stored for no layer of the model: {', '.join(weights.unassigned)}")
    elif summary.layers:
        lines.append("Total params: unknown (the format stores no weights h5lint can see)")
    lines += [f"Output {_output(o)}" for o in summary.outputs]
    if summary.optimizer:
        rate = f" (learning_rate {summary.learning_rate})" if summary.learning_rate is not None else ""
        lines.append(f"Optimizer: {summary.optimizer}{rate}")
    if summary.dtype_policies:
        lines.append("Dtype policy: " + ", ".join(f"{name} ({n} layers)" for name, n in summary.dtype_policies.items()))
    for label, values in (
        ("Nested models", summary.nested_models),
        ("Custom objects", summary.custom_objects),
        ("Third-party packages", summary.third_party),
        ("Lambda layers", summary.lambda_layers),
        ("Stateful layers", summary.stateful_layers),
    ):
        if values:
            lines.append(f"{label}: {', '.join(values)}")
    for signature in summary.signatures:
        ins = ", ".join(f"{t.name} {_shape(t.shape)} {t.dtype}" for t in signature.inputs)
        outs = ", ".join(f"{t.name} {_shape(t.shape)} {t.dtype}" for t in signature.outputs)
        lines.append(f"Signature {signature.key}: ({ins}) -> ({outs})")
    if summary.problem:
        lines.append(f"Problem: {summary.problem}")
    if summary.load is not None:
        lines += [line[0].upper() + line[1:] if i == 0 else line for i, line in enumerate(load_lines(summary.load))]
    return lines


def _one(summary: ModelSummary, width: int) -> list[str]:
    lines = _header(summary)
    if summary.layers:
        lines += _table([list(_HEADERS)] + [_cells(row) for row in summary.layers], width)
    return lines + _facts(summary)


def render(items: list[ModelSummary | Unreadable], width: int) -> str:
    blocks = []
    for item in items:
        if isinstance(item, Unreadable):
            blocks.append([f"{item.path}: unreadable", *(f"  {m}" for m in item.messages)])
        else:
            blocks.append(_one(item, width))
    return "\n".join("\n".join(block) + "\n" for block in blocks)
