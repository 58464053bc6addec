"""Orbax checkpoints written by Keras 3's ``keras.callbacks.OrbaxCheckpoint`` (Keras >= 3.13).

A checkpoint folder holds one subfolder per saved step (``0/``, ``1/`` ...), each with
``_CHECKPOINT_METADATA`` and one subfolder per checkpointable. Keras >= 3.14 saves ``pytree`` (every
variable, in OCDBT/zarr3 storage h5lint does not read) and, unless ``save_weights_only=True``,
``model_config``, whose one string leaf (``{"config": <config.json text>}``) Orbax keeps in
``model_config/_strings.json``; ``keras.saving.load_model(folder)`` rebuilds the model from it
(keras/src/callbacks/orbax_checkpoint.py and saving/saving_api.py @ v3.14.0..v3.15.1). Keras 3.13 saved
the pytree alone. The newest step is read, as ``find_latest_orbax_checkpoint`` does.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from .. import ir
from ..codes import WEIGHTS_ONLY
from ..findings import Hit, ParseOutcome, Problem
from ..jsonutil import JsonProblem, parse_json
from .parts import PartProblem, problem, read_file_capped, some_names
from .spec import FormatSpec

STEP_METADATA = "_CHECKPOINT_METADATA"
MODEL_CONFIG = "model_config"
STRINGS = "_strings.json"
MAX_STRINGS_BYTES = 64 << 20

ORBAX = ir.Format("orbax-checkpoint", loader=ir.KERAS_ARCHIVE)
FIX_RESAVE = "save the model with model.save('model.keras'), or keep OrbaxCheckpoint's default save_weights_only=False"


def _steps(folder: Path) -> list[Path]:
    """The step folders of a checkpoint folder (or the folder itself when it is one step), oldest first."""
    if (folder / STEP_METADATA).is_file():
        return [folder]
    steps = [p for p in folder.iterdir() if p.name.isdigit() and (p / STEP_METADATA).is_file()]
    return sorted(steps, key=lambda p: int(p.name))


def is_orbax_dir(folder: Path) -> bool:
    try:
        return bool(_steps(folder))
    except OSError:
        return False


def _owner(path: Path) -> Path | None:
    for parent in path.parents:
        if parent.name.isdigit() and (parent / STEP_METADATA).is_file():
            return parent.parent if is_orbax_dir(parent.parent) else parent
    return None


SPEC = FormatSpec(
    container="orbax-dir",
    words="an Orbax checkpoint folder",
    formats=(ORBAX,),
    reader=__name__,
    recognised_by="a folder of step folders holding `_CHECKPOINT_METADATA` (keras.callbacks.OrbaxCheckpoint)",
    reads="the newest step's `model_config` (the Keras config, Keras >= 3.14) and its list of checkpointables; "
    "the variables (OCDBT/zarr3) are not read",
    claims_folder=is_orbax_dir,
    owner_of=_owner,
    anchors=(STEP_METADATA,),
    rename_fix="load the folder with keras.saving.load_model (Keras >= 3.14, with orbax-checkpoint installed)",
)


def _files(folder: Path) -> tuple[str, ...]:
    return tuple(sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()))


def _config(path: str, step: Path, problems: list[Problem]) -> tuple[Any, tuple[str, ...]] | None:
    """The model config the step's model_config checkpointable stores, None (with a problem) if unreadable."""
    member = f"{step.name}/{MODEL_CONFIG}/{STRINGS}"
    file = step / MODEL_CONFIG / STRINGS
    if not file.is_file():
        held = some_names([p.name for p in (step / MODEL_CONFIG).iterdir()])
        message = (
            f"the Orbax checkpoint keeps its model_config without {STRINGS} ({held}): h5lint reads the Keras config "
            f"only from there (how Orbax stores string leaves), this layout is not supported yet"
        )
        problems.append(problem(path, message, f"member:{member}", "check the checkpoint with keras.saving.load_model"))
        return None
    try:
        strings, _ = parse_json(read_file_capped(file, MAX_STRINGS_BYTES, Path(path)), member, max_bytes=MAX_STRINGS_BYTES)
        text = strings.get("config") if isinstance(strings, Mapping) else None
        if not isinstance(text, str):
            raise PartProblem(f"has no 'config' string (keys: {some_names(list(strings)) if isinstance(strings, Mapping) else 'none'})")
        return parse_json(text, f"the config string in {member}", max_bytes=MAX_STRINGS_BYTES)
    except PartProblem as exc:
        problems.append(problem(path, f"{member} {exc}", f"member:{member}", FIX_RESAVE))
    except JsonProblem as exc:
        problems.append(problem(path, str(exc), f"member:{member}", FIX_RESAVE))
    return None


def read(path: str, read_weights: bool = True) -> ParseOutcome:
    """An Orbax checkpoint folder (or one of its step folders)."""
    folder = Path(path)
    try:
        steps = _steps(folder)
    except OSError as exc:
        return ParseOutcome(None, (problem(path, f"the folder cannot be listed ({exc.strerror or exc})", "file"),))
    if not steps:
        return ParseOutcome(None, (problem(path, "no step folder with _CHECKPOINT_METADATA", "file", FIX_RESAVE),))
    step = steps[-1]
    problems: list[Problem] = []
    checkpointables = sorted(p.name for p in step.iterdir() if p.is_dir())
    keras = None
    nonstandard: tuple[str, ...] = ()
    if MODEL_CONFIG in checkpointables:
        found = _config(path, step, problems)
        if found is not None:
            config, nonstandard = found
            if isinstance(config, Mapping) and isinstance(config.get("class_name"), str):
                keras = ir.KerasConfig(
                    config,
                    config.get("compile_config"),
                    training_source="compile_config",
                    where=f"member {step.name}/{MODEL_CONFIG}/{STRINGS}",
                    location=f"member:{step.name}/{MODEL_CONFIG}/{STRINGS}",
                )
    else:
        message = (
            f"Orbax checkpoint (step {step.name} of {len(steps)}) without a model_config checkpointable "
            f"({', '.join(checkpointables) or 'nothing'}): written with save_weights_only=True or by Keras 3.13, so "
            f"keras.saving.load_model fails ('Checkpoint does not contain model configuration')"
        )
        fix = "build the model in code and restore the variables with Orbax, or save the full model (" + FIX_RESAVE + ")"
        problems.append(Problem(WEIGHTS_ONLY, Hit(message, "file", fix)))
    artifact = ir.ModelArtifact(
        path=path,
        format=ORBAX,
        layout=f"orbax-step-{step.name}",
        # Only Keras 3's OrbaxCheckpoint writes a Keras model into an Orbax checkpoint; it records no version.
        versions=ir.VersionTags(writer="keras-3"),
        keras=keras,
        files=_files(folder),
        nonstandard_json=nonstandard,
    )
    return ParseOutcome(artifact, tuple(problems))
