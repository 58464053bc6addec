"""Generate h5lint/keras/data/keras_hub_releases.json: the names every keras-hub release registers.

KerasHub exports its classes and functions with ``@keras_hub_export("keras_hub.models.GemmaBackbone", ...)``,
which registers each under ``keras_hub>Name`` and ``keras_nlp>Name`` for every export path's last part
and for the symbol's own name (keras_hub/src/api_export.py maybe_register_serializable), so configs and
presets name them ``keras_hub>GemmaBackbone``. A name registered there is a keras-hub built-in; any other
``keras_hub>X`` is not one.

Run by hand (never from h5lint or its tests), with any Python >= 3.8:

    python tools/gen_keras_hub_releases.py

For the newest patch of every keras-hub minor release on PyPI (0.16 on; keras-nlp 0.16+ is a shim over
it) it downloads the wheel alone (``pip download --no-deps``: keras-hub needs tensorflow-text to import,
and nothing is imported here), reads the decorators of every module with ``ast`` and merges the names
into spans (first and last release holding each). The pip cache makes re-runs cheap; the output is
sorted and stable.
"""

from __future__ import annotations

import ast
import json
import re
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "h5lint" / "keras" / "data" / "keras_hub_releases.json"
FIRST_MINOR = (0, 16)
EXPORTS = {"keras_hub_export", "keras_nlp_export"}


def _key(version: str) -> tuple[int, ...]:
    return tuple(int(p) for p in re.findall(r"\d+", version))


def releases() -> list[str]:
    """The newest patch of every keras-hub minor from FIRST_MINOR on, as pip lists them."""
    out = subprocess.run([sys.executable, "-m", "pip", "index", "versions", "keras-hub"], capture_output=True,
                         text=True, check=True).stdout
    listed = re.search(r"Available versions: (.*)", out).group(1).split(", ")
    newest: dict[tuple[int, int], str] = {}
    for version in listed:
        if not re.fullmatch(r"\d+\.\d+\.\d+", version):
            continue  # no pre-releases
        minor = _key(version)[:2]
        if minor >= FIRST_MINOR and (minor not in newest or _key(version) > _key(newest[minor])):
            newest[minor] = version
    return [newest[m] for m in sorted(newest)]


def _paths(call: ast.Call) -> list[str]:
    found = []
    for arg in call.args[:1]:
        values = arg.elts if isinstance(arg, (ast.List, ast.Tuple)) else [arg]
        found += [v.value for v in values if isinstance(v, ast.Constant) and isinstance(v.value, str)]
    return found


def registered_names(wheel: Path) -> set[str]:
    names: set[str] = set()
    with zipfile.ZipFile(wheel) as zf:
        for member in zf.namelist():
            if not member.endswith(".py") or not member.startswith("keras_hub/src/"):
                continue
            tree = ast.parse(zf.read(member))
            for node in ast.walk(tree):
                if not isinstance(node, (ast.ClassDef, ast.FunctionDef)):
                    continue
                for decorator in node.decorator_list:
                    if isinstance(decorator, ast.Call) and getattr(decorator.func, "id", None) in EXPORTS:
                        names.add(node.name)
                        names.update(path.rsplit(".", 1)[-1] for path in _paths(decorator))
    return names


def main() -> int:
    found: dict[str, dict[str, str]] = {}
    versions = releases()
    with tempfile.TemporaryDirectory() as scratch:
        for version in versions:
            subprocess.run([sys.executable, "-m", "pip", "download", "-q", "--no-deps", "-d", scratch,
                            f"keras-hub=={version}"], check=True)
            wheel = next(Path(scratch).glob(f"keras_hub-{version}-*.whl"))
            for name in registered_names(wheel):
                span = found.setdefault(name, {"first": version, "last": version})
                span["last"] = version
            print(f"keras-hub {version}: {len(registered_names(wheel))} names", file=sys.stderr)
    document = {
        "about": "Names keras-hub registers for its own classes and functions (keras_hub>Name and keras_nlp>Name), "
        "per release: name -> [first, last] release holding it. Read from the decorators of each release's wheel "
        "by tools/gen_keras_hub_releases.py; do not edit by hand.",
        "releases": versions,
        "names": {name: [span["first"], span["last"]] for name, span in sorted(found.items())},
    }
    names = ",\n".join(f"  {json.dumps(name)}: {json.dumps(span)}" for name, span in document["names"].items())
    OUT.write_text(
        f'{{\n "about": {json.dumps(document["about"])},\n "releases": {json.dumps(versions)},\n "names": {{\n{names}\n }}\n}}\n',
        encoding="utf-8",
    )
    print(f"wrote {OUT} ({len(found)} names, {len(versions)} releases)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
