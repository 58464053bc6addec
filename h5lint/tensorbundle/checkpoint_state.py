"""The ``checkpoint`` file of a checkpoint folder: which prefix is the latest checkpoint.

TensorFlow writes a ``CheckpointState`` (``tensorflow/python/checkpoint/checkpoint_management.py``,
``core/protobuf/saver.proto``) in protobuf text format::

    model_checkpoint_path: "ckpt-2"
    all_model_checkpoint_paths: "ckpt-1"
    all_model_checkpoint_paths: "ckpt-2"
    all_model_checkpoint_timestamps: 1712345678.9
    last_preserved_timestamp: 1712345670.1

A relative path is joined to the folder; an absolute one is used as it is (the TF1 ``Saver`` writes
absolute paths when given one, so a moved folder points back at where it was written). h5lint
takes the prefix only when it stays inside the folder: an absolute path, a path whose ``..`` leaves
the folder, or a subfolder that is a link out of it is reported in ``problems`` and not followed.

The parser reads the subset this file uses: ``name: value`` pairs whose values are quoted strings
(C escapes, adjacent strings joined) or bare numbers, ``#`` comments; anything else (a nested
message) is a :class:`BundleError`.
"""

from __future__ import annotations

import ntpath
import os
import posixpath
import re
from dataclasses import dataclass

from . import files
from .errors import BundleError

STATE_FILE = "checkpoint"
MAX_STATE_BYTES = 1 << 20

_TOKEN = re.compile(
    r"""\s+|\#[^\n]*
    |(?P<name>[A-Za-z_][A-Za-z0-9_]*)
    |(?P<colon>:)
    |(?P<string>"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')
    |(?P<number>[-+.0-9][-+.0-9A-Za-z]*)
    """,
    re.VERBOSE,
)
_ESCAPE = re.compile(rb"\\(?:([0-7]{1,3})|x([0-9A-Fa-f]{1,2})|(.))", re.DOTALL)
_SIMPLE_ESCAPES = {b"n": b"\n", b"t": b"\t", b"r": b"\r", b"a": b"\a", b"b": b"\b", b"f": b"\f", b"v": b"\v"}


@dataclass(frozen=True)
class CheckpointState:
    path: str  # the "checkpoint" file
    model_checkpoint_path: str | None  # as written
    all_model_checkpoint_paths: tuple[str, ...]
    prefix: str | None  # model_checkpoint_path inside the folder, to read "<prefix>.index"; None if not followed
    problems: tuple[str, ...]


def _unescape(body: str, where: str) -> str:
    def replace(match: re.Match[bytes]) -> bytes:
        octal, hexa, char = match.groups()
        if octal:
            return bytes([int(octal, 8) & 0xFF])
        if hexa:
            return bytes([int(hexa, 16)])
        return _SIMPLE_ESCAPES.get(char, char)

    try:
        return _ESCAPE.sub(replace, body.encode("utf-8")).decode("utf-8")
    except UnicodeDecodeError:
        raise BundleError(f"{where}: a quoted path is not UTF-8 once unescaped") from None


def _fields(text: str, where: str) -> list[tuple[str, str]]:
    """(name, value) pairs; string values unquoted, numbers as written."""
    tokens = []
    pos = 0
    line = 1
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if match is None:
            raise BundleError(f"{where}: line {line}: {text[pos : pos + 20]!r} is not part of a checkpoint state")
        if match.lastgroup:
            tokens.append((match.lastgroup, match.group(), line))
        line += match.group().count("\n")
        pos = match.end()
    fields = []
    index = 0
    while index < len(tokens):
        kinds = [kind for kind, _, _ in tokens[index : index + 3]]
        line = tokens[index][2]
        if len(kinds) < 3 or kinds[:2] != ["name", "colon"] or kinds[2] == "colon":
            raise BundleError(f"{where}: line {line}: expected 'name: value'")
        name = tokens[index][1]
        index += 2
        if tokens[index][0] != "string":  # a number, or a bare word such as inf
            fields.append((name, tokens[index][1]))
            index += 1
            continue
        parts = []
        while index < len(tokens) and tokens[index][0] == "string":
            parts.append(_unescape(tokens[index][1][1:-1], where))
            index += 1
        fields.append((name, "".join(parts)))
    return fields


def _leaves_folder(path: str) -> bool:
    normal = posixpath.normpath(path.replace("\\", "/"))
    return normal == ".." or normal.startswith("../")


def _resolve(folder: str, written: str) -> tuple[str | None, str | None]:
    """(prefix, None) when ``written`` stays inside ``folder``, else (None, why not)."""
    if posixpath.isabs(written) or ntpath.isabs(written) or ntpath.splitdrive(written)[0]:
        beside = os.path.join(folder, ntpath.basename(posixpath.basename(written)))
        hint = (
            f" ({os.path.basename(beside)}.index is in the folder: the checkpoint was moved)"
            if os.path.isfile(beside + ".index")
            else ""
        )
        return None, (
            f"model_checkpoint_path is the absolute path {written!r}, which h5lint does not follow; TensorFlow "
            f"uses it as it is, so tf.train.latest_checkpoint finds nothing once the folder has moved{hint}"
        )
    if _leaves_folder(written):
        return None, f"model_checkpoint_path {written!r} leads out of the checkpoint folder; h5lint does not follow it"
    prefix = os.path.join(folder, posixpath.normpath(written.replace("\\", "/")))
    real_folder = os.path.realpath(folder)
    real_parent = os.path.realpath(os.path.dirname(prefix))
    if real_parent != real_folder and not real_parent.startswith(real_folder.rstrip(os.sep) + os.sep):
        return (
            None,
            f"model_checkpoint_path {written!r} goes through a link out of the checkpoint folder; h5lint does not follow it",
        )
    return prefix, None


def read_checkpoint_state(path: str | os.PathLike[str]) -> CheckpointState:
    """The ``checkpoint`` file at ``path`` (or in the folder ``path``); raises :class:`BundleError` if unreadable."""
    path = os.fspath(path)
    if os.path.isdir(path):
        path = os.path.join(path, STATE_FILE)
    with files.open_inside(path) as handle:
        size = files.file_size(handle)
        if size > MAX_STATE_BYTES:
            raise BundleError(f"{path}: {size:,} bytes, over the {MAX_STATE_BYTES:,} bytes of a checkpoint state")
        data = files.read_exactly(handle, 0, size, path)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BundleError(f"{path}: not UTF-8 text (byte {exc.start:,})") from None
    fields = _fields(text, path)
    latest = None
    everything = []
    for name, value in fields:
        if name == "model_checkpoint_path":
            latest = value
        elif name == "all_model_checkpoint_paths":
            everything.append(value)
    problems = []
    prefix = None
    if not latest:
        problems.append("the checkpoint state names no model_checkpoint_path")
    else:
        prefix, problem = _resolve(os.path.dirname(path) or ".", latest)
        if problem:
            problems.append(problem)
    return CheckpointState(path, latest, tuple(everything), prefix, tuple(problems))
