"""What rules yield (hits) and what the engine hands to reporters (findings, reports)."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

from .ir import ModelArtifact, VersionTags


class Severity(str, enum.Enum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    @property
    def rank(self) -> int:
        return {"info": 0, "warning": 1, "error": 2}[self.value]


@dataclass(frozen=True)
class Hit:
    """One problem a rule found; the engine adds code, severity, file and fingerprint.

    ``location`` is logical, never a byte offset: ``layer:inner_seq/dense_1``, ``output:out_a``,
    ``op:ReadFile``, ``member:../evil.sh``, ``object:h5lint>my_act``, ``file`` (the whole artifact).
    """

    message: str
    location: str | None = None
    fix: str | None = None
    # Overrides the rule's default severity for this hit (e.g. a Lambda that names ``os.system``).
    severity: Severity | None = None


@dataclass(frozen=True)
class Problem:
    """A hit raised while reading a file (H5L001-H5L004), before any rule runs."""

    code: str
    hit: Hit


@dataclass(frozen=True)
class Finding:
    code: str
    name: str
    severity: Severity
    message: str
    path: str
    location: str | None
    fix: str | None
    fingerprint: str


@dataclass(frozen=True)
class LoadCall:
    """How to load one artifact in one runtime. ``call`` is None when no call can load it (``blockers`` say why)."""

    runtime: str  # keras, tf_keras, tensorflow, tensorflowjs
    call: str | None
    install: tuple[str, ...] = ()  # "pip install tf-keras"
    imports: tuple[str, ...] = ()  # "import tf_keras"
    custom_objects: tuple[str, ...] = ()  # the keys, as the loader looks them up
    compile: bool = True  # False: the call passes compile=False
    safe_mode: bool = True  # False: the call passes safe_mode=False (see notes)
    notes: tuple[str, ...] = ()
    blockers: tuple[str, ...] = ()
    alternatives: tuple[str, ...] = ()


@dataclass(frozen=True)
class ArtifactReport:
    path: str
    format: str | None  # None when the bytes could not be recognised at all
    layout: str | None
    versions: VersionTags
    findings: tuple[Finding, ...]
    readable: bool = True
    # Checks that crashed on this artifact (h5lint bugs): "H5L502: ValueError: ...". Any makes the exit status 2.
    crashed_checks: tuple[str, ...] = ()
    # The file findings are shown on: the artifact itself, or a folder artifact's main member file.
    anchor: str | None = None
    # The call that loads it in the target runtime (or why none can); None when it could not be read.
    load: LoadCall | None = None
    # Bytes fetched to judge a remote artifact (None for a local one): the range-read promise, measured.
    bytes_fetched: int | None = None


@dataclass(frozen=True)
class Report:
    artifacts: tuple[ArtifactReport, ...]
    rules_run: tuple[str, ...] = ()
    hidden_by_baseline: int = 0
    tool_version: str = ""

    @property
    def findings(self) -> tuple[Finding, ...]:
        return tuple(f for a in self.artifacts for f in a.findings)

    def count(self, severity: Severity) -> int:
        return sum(1 for f in self.findings if f.severity is severity)

    def worst(self) -> Severity | None:
        ranks = [f.severity for f in self.findings]
        return max(ranks, key=lambda s: s.rank) if ranks else None


@dataclass(frozen=True)
class ParseOutcome:
    """What a parser returns: the artifact (None if unreadable) and the problems met on the way."""

    artifact: ModelArtifact | None
    problems: tuple[Problem, ...] = field(default=())
    # What the readable parts of an artifact that could not be read say about its writer (a .keras zip's
    # metadata.json when config.json is broken, a truncated HDF5 file's root attributes); None when nothing.
    versions: VersionTags | None = None
    # Why the bytes, although of a container a model can be in, hold no model at all (an HDF5 data set,
    # a zip of anything else, JSON data); None when they do or may. A file the user named is then one
    # H5L001 (in ``problems``); a file a folder walk found is skipped.
    not_a_model: str | None = None


@dataclass(frozen=True)
class Skipped:
    """A file a folder walk found that reading showed is not a model (counted, listed on request)."""

    path: str
    reason: str

