"""Follow CONTRIBUTING.md's three walkthroughs literally in a throw-away clone, and run the tests there.

    python tools/walkthrough.py            # rule + format + reporter, then `python -m pytest` (CI=true)

It clones the current commit, installs it into a fresh venv, then for each walkthrough writes exactly the
files CONTRIBUTING names (a new rule folder; a format module and its SPECS entry; a reporter module and its
REPORTERS entry), runs `python -m pytest --update-snapshots`, lists what changed (files written by hand
and files the snapshot run regenerated) and finally runs the README's test command with CI=true. Exits 1
if a walkthrough touches more files than CONTRIBUTING promises or the tests fail. Nothing in the working
tree of the repository is changed.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

RULE_FOLDER = "rules/H5L506_oversized_dense"
RULE_TOML = '''
code = "H5L506"
name = "oversized-dense"
severity = "info"
category = "weights"
summary = "A Dense layer has more units than the rule's max-units option allows"
tags = ["weights"]

[options.max-units]
type = "int"
default = 1000000
description = "Units above which a Dense layer is reported."

[docs]
what = "Reports Dense layers whose `units` exceed `max-units`."
why = "Such a layer holds more parameters than any head needs and makes the file hard to load on small machines."
fix = "Reduce `units`, or raise `max-units` if the size is intended."
references = ["https://keras.io/api/layers/core_layers/dense/"]

[docs.bad]
description = "A huge Dense layer."
case = \'\'\'{"model_config": {"class_name": "Sequential", "config": {"name": "m", "layers": [{"class_name": "Dense", "config": {"name": "big", "units": 2000000}}]}}}\'\'\'
expect = ["layer:big"]

[docs.good]
description = "A small one."
case = \'\'\'{"model_config": {"class_name": "Sequential", "config": {"name": "m", "layers": [{"class_name": "Dense", "config": {"name": "small", "units": 8}}]}}}\'\'\'

[samples]
unsampled = "no sample model is that large; the walkthrough only proves the folder layout."
'''
RULE_CHECK = '''
"""H5L506 oversized-dense: a Dense layer with more units than max-units."""

from __future__ import annotations

from typing import Iterator

from h5lint.checks import RuleContext
from h5lint.findings import Hit
from h5lint.keras.model import KerasModel


def check(model: KerasModel, ctx: RuleContext) -> Iterator[Hit]:
    if model.graph is None:
        return
    limit = ctx.options.get("max-units", 1_000_000)
    for layer in model.graph.walk():
        units = layer.config.get("units")
        if layer.class_name == "Dense" and isinstance(units, int) and units > limit:
            yield Hit(f"Dense layer '{layer.location}' has {units:,} units, above {limit:,}.", f"layer:{layer.location}",
                      "reduce units, or raise max-units")
'''
RULE_CASES = '''
[
  {"name": "fires", "case": {"model_config": {"class_name": "Sequential", "config": {"name": "m", "layers": [{"class_name": "Dense", "config": {"name": "big", "units": 2000000}}]}}}, "expect": [{"location": "layer:big"}]},
  {"name": "passes", "case": {"model_config": {"class_name": "Sequential", "config": {"name": "m", "layers": [{"class_name": "Dense", "config": {"name": "small", "units": 8}}]}}}, "expect": []}
]
'''

FORMAT_MODULE = '''
"""TensorFlow Lite flatbuffers: recognised, so that a .tflite given to h5lint is named for what it is."""

from __future__ import annotations

from typing import BinaryIO

from .. import ir
from ..findings import ParseOutcome
from .parts import problem
from .spec import FormatSpec

TFLITE = ir.Format("tflite")


def _is_tflite(head: bytes, _file: BinaryIO) -> bool:
    return head[4:8] == b"TFL3"


def read(path: str, read_weights: bool = True) -> ParseOutcome:
    message = "a TensorFlow Lite flatbuffer: it holds no Keras model, and Keras cannot load it"
    return ParseOutcome(None, (problem(path, message, "file", "load it with tf.lite.Interpreter"),))


SPEC = FormatSpec(
    container="tflite",
    words="a TensorFlow Lite flatbuffer",
    formats=(TFLITE,),
    reader=__name__,
    recognised_by="the `TFL3` file identifier",
    reads="nothing yet: it is reported as not a Keras model",
    sniff=_is_tflite,
    suffixes=(".tflite",),
    model_suffixes=(".tflite",),
    rename_fix="rename it to .tflite and load it with tf.lite.Interpreter",
    commit_patterns=(r"\\.tflite$",),
)
'''
FORMAT_TEST = '''
"""TFLite flatbuffers are recognised by their bytes."""

from h5lint.discover import discover
from h5lint.engine import lint_paths
from h5lint.settings import resolve


def test_tflite_is_recognised(tmp_path):
    path = tmp_path / "model.tflite"
    path.write_bytes(b"\\x1c\\x00\\x00\\x00TFL3" + bytes(64))
    assert [c.container for c in discover([str(path)])] == ["tflite"]
    (artifact,) = lint_paths([str(path)], resolve(None, {})).artifacts
    assert [f.code for f in artifact.findings] == ["H5L001"]
    assert "TensorFlow Lite" in artifact.findings[0].message
'''

REPORTER_MODULE = '''
"""One line per artifact: its path and how many findings it has."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from ..findings import ArtifactReport
from . import RenderOptions, RunInfo, Tally
from ._describe import printable


def stream(artifacts: Iterable[ArtifactReport], run: RunInfo, tally: Tally, options: RenderOptions) -> Iterator[str]:
    for artifact in artifacts:
        yield f"{printable(artifact.path)}\\t{len(artifact.findings)}\\n"
'''


def run(cmd: list[str], cwd: Path, env: dict | None = None) -> subprocess.CompletedProcess:
    print("$", " ".join(cmd), flush=True)
    return subprocess.run(cmd, cwd=cwd, env=env, text=True, capture_output=True)


def write(root: Path, relative: str, text: str) -> None:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")


def edit(root: Path, relative: str, old: str, new: str) -> None:
    path = root / relative
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{relative}: {old!r} not found once"
    path.write_text(text.replace(old, new), encoding="utf-8")


def changed(clone: Path) -> list[str]:
    out = run(["git", "status", "--porcelain", "--untracked-files=all"], clone).stdout
    return sorted(line[3:] for line in out.splitlines())


def walkthrough(name: str, clone: Path, python: str, steps, promised: int) -> bool:
    before = set(changed(clone))
    steps(clone)
    by_hand = sorted(set(changed(clone)) - before)
    result = run([python, "-m", "pytest", "-q", "-x", "--update-snapshots"], clone)
    regenerated = sorted(set(changed(clone)) - before - set(by_hand))
    print(f"\n== {name}: {len(by_hand)} file(s) by hand (promised <= {promised}): {by_hand}")
    print(f"   regenerated by --update-snapshots: {regenerated}")
    ok = len(by_hand) <= promised and result.returncode == 0
    if result.returncode:
        print(result.stdout[-3000:], result.stderr[-2000:])
    run(["git", "add", "-A"], clone)
    run(["git", "-c", "user.name=w", "-c", "user.email=w@w", "commit", "-qm", name], clone)
    return ok


def new_rule(clone: Path) -> None:
    write(clone, f"{RULE_FOLDER}/rule.toml", RULE_TOML)
    write(clone, f"{RULE_FOLDER}/check.py", RULE_CHECK)
    write(clone, f"{RULE_FOLDER}/cases.json", RULE_CASES)


def new_format(clone: Path) -> None:
    write(clone, "h5lint/parsers/tflite.py", FORMAT_MODULE)
    edit(clone, "h5lint/parsers/__init__.py", "from . import checkpoint, h5, json_model, keras_zip, savedmodel\n",
         "from . import checkpoint, h5, json_model, keras_zip, savedmodel, tflite\n")
    edit(clone, "h5lint/parsers/__init__.py", "    checkpoint.SPEC,\n", "    checkpoint.SPEC,\n    tflite.SPEC,\n")
    write(clone, "tests/test_parser_tflite.py", FORMAT_TEST)


def new_reporter(clone: Path) -> None:
    write(clone, "h5lint/reporters/counts.py", REPORTER_MODULE)
    edit(clone, "h5lint/reporters/__init__.py", '    "github": "github:stream",\n', '    "github": "github:stream",\n    "counts": "counts:stream",\n')


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="h5lint-walkthrough-") as tmp:
        clone = Path(tmp) / "h5lint"
        run(["git", "clone", "-q", str(ROOT), str(clone)], Path(tmp)).check_returncode()
        # ../shared and the SARIF validator are what CI has next to the clone.
        os.symlink(ROOT.parent / "shared", Path(tmp) / "shared")
        if (ROOT / ".cache").exists():
            os.symlink(ROOT / ".cache", clone / ".cache")
        run([sys.executable, "-m", "venv", str(clone / ".venv")], clone).check_returncode()
        python = str(clone / ".venv" / "bin" / "python")
        run([python, "-m", "pip", "install", "-q", "-e", ".[test]"], clone).check_returncode()
        results = [
            walkthrough("a new rule", clone, python, new_rule, 3),
            walkthrough("a new format", clone, python, new_format, 3),
            walkthrough("a new reporter", clone, python, new_reporter, 2),
        ]
        final = run([python, "-m", "pytest", "-q"], clone, env={**os.environ, "CI": "true"})
        print("\n== the README's test command with CI=true:", final.stdout.strip().splitlines()[-1])
        return 0 if all(results) and final.returncode == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
