"""H5L108 pickled-torch-module: a TorchModuleWrapper stores a pickle that load_model unpickles."""

from __future__ import annotations

from typing import Iterator

from h5lint.checks import RuleContext
from h5lint.findings import Hit, Severity
from h5lint.keras import guards
from h5lint.keras.model import KerasModel
from h5lint.keras.outside import (
    TORCH_MODULE_WRAPPER,
    TorchModule,
    runs_commands,
    torch_module,
)
from h5lint.keras.versions import KERAS_3
from h5lint.wording import listed, quoted

# How many of the pickle's globals a message spells out.
_GLOBALS_SHOWN = 8


def _contents(stored: TorchModule) -> str:
    imports = stored.imports
    if imports is None:
        return f"its module is {stored.stored_as}, not the base64 pickle Keras writes"
    if imports.container is None:
        return f"its module cannot be decoded: {imports.problem}"
    found = f"it imports {listed([quoted(g) for g in imports.globals], _GLOBALS_SHOWN)}" if imports.globals else ""
    return "; ".join(part for part in (imports.container, found, imports.problem) if part)


def check(model: KerasModel, ctx: RuleContext) -> Iterator[Hit]:
    if model.graph is None:
        return
    load = guards.guard(guards.TORCH_MODULE)
    unasked = load.exposure(ctx.target) is guards.Exposure.DOES_IT
    # Outside load_model (Model.from_config, keras.layers.deserialize, clone_model) the check failed open
    # for longer: worth saying when the target may be such a release.
    from_config = guards.guard(guards.TORCH_MODULE_FROM_CONFIG)
    also = ctx.target.line == KERAS_3 and from_config.exposure(ctx.target) is not guards.Exposure.REFUSES
    for layer in model.graph.walk():
        stored = torch_module(layer)
        if stored is None:
            continue
        dangerous = [g for g in (stored.imports.globals if stored.imports else ()) if runs_commands(g)]
        message = (
            f"TorchModuleWrapper {quoted(layer.name)} stores a pickled torch module ({_contents(stored)}) that "
            "load_model unpickles with torch.load(weights_only=False), which calls whatever the pickle names: "
            f"{load.consequence(ctx.target, 'unpickles it', TORCH_MODULE_WRAPPER)}."
        )
        if also:
            message += (
                f" Model.from_config and keras.layers.deserialize unpickle it even in safe mode in releases "
                f"without the {from_config.cve} fix ({from_config.fixed_text})."
            )
        if dangerous:
            message += f" It names {', '.join(quoted(g) for g in dangerous)}, which runs commands: do not load this model."
        yield Hit(
            message=message,
            location=f"layer:{layer.location}",
            fix="Save the torch module's weights instead of the module (a Keras layer that rebuilds it in code and "
            "loads a state_dict, or a .weights.h5 file), and never load this file with safe_mode=False unless you "
            "trust its source.",
            severity=Severity.ERROR if dangerous or unasked else None,
        )
