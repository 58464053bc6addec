"""H5L105 unsafe-archive-member: .keras zips with members that escape, shadow, execute or explode."""

from __future__ import annotations

import stat
from collections import Counter
from typing import Iterator

from h5lint.checks import RuleContext
from h5lint.findings import Hit
from h5lint.ir import ArchiveMember
from h5lint.keras.model import KerasModel
from h5lint.pathnames import path_shape

_SCRIPT_SUFFIXES = (
    ".sh", ".bash", ".zsh", ".py", ".pyc", ".pyo", ".pyd", ".so", ".dll", ".dylib", ".exe", ".bat", ".cmd",
    ".ps1", ".vbs", ".js", ".jar", ".pkl", ".pickle", ".joblib", ".dill",
)


def _path_problems(name: str) -> list[str]:
    problems = []
    shape = path_shape(name)
    if shape.absolute:
        problems.append("has an absolute path, so extracting it writes outside the target folder")
    if shape.parent:
        problems.append("climbs out of the archive with '..' (path traversal)")
    if shape.backslash:
        problems.append("uses backslashes, which Windows extractors treat as folders")
    return problems


def _kind_problems(member: ArchiveMember) -> list[str]:
    problems = []
    mode = member.external_attr >> 16
    if stat.S_ISLNK(mode):
        problems.append("is a symbolic link, which can point extraction anywhere")
    elif mode & 0o111 and not member.is_dir:
        problems.append("is marked executable")
    if member.name.lower().endswith(_SCRIPT_SUFFIXES):
        problems.append("is a script, binary or pickle, which Keras never writes")
    return problems


def _size_problems(member: ArchiveMember, options) -> list[str]:
    problems = []
    if member.file_size > options.get("max-member-bytes", 4 << 30):
        problems.append(f"declares {member.file_size:,} bytes uncompressed")
    ratio = member.file_size / max(member.compress_size, 1)
    if member.file_size > (1 << 20) and ratio > options.get("max-ratio", 100):
        problems.append(f"expands {ratio:,.0f}x ({member.compress_size:,} -> {member.file_size:,} bytes): a zip bomb")
    return problems


def check(model: KerasModel, ctx: RuleContext) -> Iterator[Hit]:
    counts = Counter(m.name for m in model.archive_members)
    reported: set[str] = set()
    for member in model.archive_members:
        if member.name in reported:
            continue
        problems = _path_problems(member.name) + _kind_problems(member) + _size_problems(member, ctx.options)
        if counts[member.name] > 1:
            problems.append(f"appears {counts[member.name]} times, so one copy shadows the other")
        if problems:
            reported.add(member.name)
            yield Hit(
                message=f"Archive member '{member.name}' " + "; it ".join(problems) + ".",
                location=f"member:{member.name}",
                fix="Do not load or unzip this file; re-save the model with model.save('model.keras') from trusted code.",
            )
    total = sum(m.file_size for m in model.archive_members)
    if total > ctx.options.get("max-total-bytes", 16 << 30):
        yield Hit(
            message=f"The archive's members declare {total:,} bytes in all, more than any model h5lint expects.",
            location="file",
            fix="Check where the file came from before extracting or loading it.",
        )
    for npy in model.npy_members:
        if "O" in npy.descr:
            yield Hit(
                message=f"Weights member '{npy.name}' is an object array ({npy.descr!r}): its data is a Python pickle, "
                "and unpickling runs code. Keras itself refuses it (allow_pickle=False).",
                location=f"member:{npy.name}",
                fix="Re-save the model with the default .h5 weights store: model.save('model.keras').",
            )
