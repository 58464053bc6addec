"""One artifact: read it, interpret it, run the enabled rules and stamp their hits into findings.

This is what a worker process does (:func:`check_candidate`, within the artifact's time and memory
budgets); :mod:`.engine` decides which artifacts, where and in what order.
"""

from __future__ import annotations

import functools
import hashlib
import os
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import fields, replace
from pathlib import Path
from typing import TYPE_CHECKING

from .budgets import Budgets, within_memory, within_time
from .cache import ResultCache
from .candidate import Candidate
from .catalog import RuleSpec, load_catalog
from .checks import RuleContext, all_checks
from .codes import POLYGLOT, UNREADABLE
from .findings import (
    ArtifactReport,
    Finding,
    Hit,
    LoadCall,
    ParseOutcome,
    Problem,
    Skipped,
)
from .ir import ModelArtifact, VersionTags
from .keras.loading import load_call
from .keras.model import KerasModel, interpret, with_writer
from .keras.versions import DEFAULT_TARGET
from .openfiles import keep_open
from .parsers import BY_CONTAINER, read_candidate, unreadable
from .remote.urls import is_url
from .settings import Settings
from .wording import clipped, encodable
from .workers import TIME_UP

if TYPE_CHECKING:
    from .remote.ranges import Meter

_CONFIG_FIX = "re-export the model from the code that trained it (model.save(...))"

Result = ArtifactReport | Skipped

# What one finding and one artifact may add to a report, whatever names and how many layers a file holds.
MAX_MESSAGE = 2000
MAX_LOCATION = 300
MAX_PER_RULE = 100
MAX_VERSION_TEXT = 200


def fingerprint(code: str, path: str, location: str | None) -> str:
    """Stable id of a finding: rule + artifact path + logical location (never offsets or values)."""
    text = "\x1f".join((code, path.replace("\\", "/"), location or ""))
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:32]


def _finding(spec: RuleSpec, hit: Hit, path: str, settings: Settings) -> Finding:
    configured = settings.severity.get(spec.code)
    severity = configured or hit.severity or spec.severity
    return Finding(
        code=spec.code,
        name=spec.name,
        severity=severity,
        message=encodable(clipped(hit.message, MAX_MESSAGE)),
        path=path,
        location=_short_location(hit.location),
        fix=encodable(clipped(hit.fix, MAX_MESSAGE)) if hit.fix else hit.fix,
        fingerprint=fingerprint(spec.code, path, hit.location),
    )


def _short_location(location: str | None) -> str | None:
    """The location, or for an overlong one its start and a hash of the whole (so two stay apart)."""
    if location is None or len(location) <= MAX_LOCATION:
        return location if location is None else encodable(location)
    digest = hashlib.sha256(location.encode("utf-8", "surrogatepass")).hexdigest()[:12]
    return f"{encodable(location[: MAX_LOCATION - 14])}…#{digest}"


def _encodable_versions(versions: VersionTags) -> VersionTags:
    """Version tags as reports can write them (they are text from the file, clipped like any quoted value)."""
    texts = {
        field.name: encodable(clipped(value, MAX_VERSION_TEXT))
        for field in fields(versions)
        if isinstance(value := getattr(versions, field.name), str)
    }
    return replace(versions, **texts)


def _capped(findings: Iterable[Finding], path: str) -> list[Finding]:
    """At most MAX_PER_RULE findings of a rule for one artifact, and one that counts the rest."""
    kept: list[Finding] = []
    listed: Counter[str] = Counter()
    rest: dict[str, list[Finding]] = {}
    for finding in findings:
        if listed[finding.code] < MAX_PER_RULE:
            listed[finding.code] += 1
            kept.append(finding)
        else:
            rest.setdefault(finding.code, []).append(finding)
    for code, unlisted in rest.items():
        kept.append(
            replace(
                unlisted[0],
                message=f"{path}: {len(unlisted):,} more {code} findings in this artifact are not listed (h5lint "
                f"lists {MAX_PER_RULE} per rule and artifact)",
                location="file",
                fix="fix the findings listed, then run h5lint again to see the rest",
                fingerprint=fingerprint(code, path, "file:more"),
                severity=max((f.severity for f in unlisted), key=lambda severity: severity.rank),
            )
        )
    return kept


def _rule_hits(
    model: KerasModel, settings: Settings, codes: Iterable[str], crashed: list[str]
) -> Iterable[tuple[str, Hit]]:
    checks = all_checks()
    for code in codes:
        check = checks.get(code)
        if check is None:
            continue  # raised by parsers, not by a check
        ctx = RuleContext(
            code=code,
            options=settings.options.get(code, {}),
            target=settings.target or DEFAULT_TARGET,
            custom_objects=settings.custom_objects,
        )
        try:
            hits = list(check(model, ctx))
        except (MemoryError, RecursionError) as exc:
            # The file made the check outgrow its budget: the file's problem, reported like any unreadable
            # part (the other rules' findings stay), not a bug in h5lint.
            yield UNREADABLE, _outgrown(model.path, code, exc)
            continue
        except Exception as exc:  # a bug in one check must not hide the other rules' findings
            crashed.append(f"{code}: {type(exc).__name__}: {exc}")
            continue
        for hit in hits:
            yield code, hit


def _outgrown(path: str, code: str, exc: BaseException) -> Hit:
    if isinstance(exc, MemoryError):
        return Hit(
            f"{path}: checking it for {code} needed more memory than h5lint's per-file budget allows, so {code} "
            "could not judge it",
            "file",
            "raise the budget with --max-memory MIB (0 turns it off)",
        )
    return Hit(
        f"{path}: its structure is nested too deeply for {code} to check, so {code} could not judge it",
        "file",
        "check where the file came from: Keras does not nest models this deeply",
    )


def _load_call(model: KerasModel, settings: Settings, crashed: list[str]) -> LoadCall | None:
    try:
        call = load_call(model, settings.target or DEFAULT_TARGET)
    except (MemoryError, RecursionError):
        return None  # the file outgrew the budget: no call to suggest, the rules' findings stand
    except Exception as exc:  # a bug there must not hide the findings
        crashed.append(f"load call: {type(exc).__name__}: {exc}")
        return None
    # Names from the file are quoted in it: bounded and encodable like every message.
    def bounded(text: str) -> str:
        return encodable(clipped(text, MAX_MESSAGE))

    texts = {
        field.name: bounded(value) if isinstance(value, str) else tuple(bounded(v) for v in value)
        for field in fields(call)
        if isinstance(value := getattr(call, field.name), (str, tuple))
    }
    return replace(call, **texts)


def _enabled(settings: Settings, path: str) -> set[str]:
    return set(settings.enabled) - settings.ignored_for(path)


# Containers whose weight values the rules read as numpy arrays (a JSON architecture has none of its own).
_NUMPY_CONTAINERS = frozenset(BY_CONTAINER) - {"json"}


def _reads_weights(settings: Settings, path: str) -> bool:
    """True when a rule enabled for ``path`` needs what weights stores hold (values, shapes or links)."""
    catalog = load_catalog()
    return any(catalog[code].reads_weights or catalog[code].reads_hdf5_links for code in _enabled(settings, path))


def _config_problem(model: KerasModel) -> Problem:
    assert model.problem is not None and model.artifact.keras is not None
    hit = Hit(f"{model.path}: {model.problem}", model.artifact.keras.location, _CONFIG_FIX)
    return Problem(UNREADABLE, hit)


def _refused_weights(artifact: ModelArtifact) -> list[Problem]:
    """One H5L001 per stored weight whose values are not read because of what it claims, at its HDF5 path;
    the rest of the artifact is checked as usual."""
    found = []
    for layer in artifact.weights or ():
        for weight in layer.weights:
            if weight.refused:
                message = f"{artifact.path}: weight dataset /{weight.location} is not read: {weight.refused}"
                fix = "re-export the model; a file whose datasets claim more data than they hold was edited"
                found.append(Problem(UNREADABLE, Hit(message, f"hdf5:/{weight.location}", fix)))
    return found


def _damaged_versions(outcomes: Sequence[ParseOutcome]) -> VersionTags:
    """What the readable parts of an unreadable artifact say about its writer (empty when nothing)."""
    said = next((o.versions for o in outcomes if o.versions is not None), None)
    return with_writer(said) if said is not None else VersionTags()


def lint_outcomes(
    path: str, outcomes: Sequence[ParseOutcome], settings: Settings, anchor: str | None = None
) -> ArtifactReport:
    """Findings for one artifact, read once per container its bytes are (the first is the one reported)."""
    catalog = load_catalog()
    enabled = _enabled(settings, path)
    pairs: list[tuple[str, Hit]] = []
    crashed: list[str] = []
    models = []
    for outcome in outcomes:
        problems = list(outcome.problems)
        model = interpret(outcome.artifact) if outcome.artifact is not None else None
        if model is not None and model.problem is not None:
            problems.append(_config_problem(model))
        if outcome.artifact is not None:
            problems += _refused_weights(outcome.artifact)
        pairs += [(p.code, p.hit) for p in problems if p.code in enabled]
        if model is not None:
            models.append(model)
            with keep_open():  # the rules' weight readers share one open file per weights file
                pairs.extend(pair for pair in _rule_hits(model, settings, sorted(enabled), crashed) if pair[0] in enabled)
    load = _load_call(models[0], settings, crashed) if models else None
    findings: dict[tuple[str, str], Finding] = {}
    for code, hit in pairs:
        finding = _finding(catalog[code], hit, path, settings)
        # A hit repeated word for word is one finding; two different problems at one place are two.
        findings.setdefault((finding.fingerprint, finding.message), finding)
    ordered = sorted(_capped(findings.values(), path), key=lambda f: (f.code, f.location or "", f.message))
    reported = models[0] if models else None
    return ArtifactReport(
        path=path,
        format=reported.format.name if reported else None,
        layout=reported.layout if reported else None,
        versions=_encodable_versions(reported.versions if reported else _damaged_versions(outcomes)),
        findings=tuple(ordered),
        readable=reported is not None,
        crashed_checks=tuple(crashed),
        anchor=anchor or path,
        load=load,
    )


def lint_outcome(path: str, outcome: ParseOutcome, settings: Settings, anchor: str | None = None) -> ArtifactReport:
    """Findings for one parsed artifact."""
    return lint_outcomes(path, (outcome,), settings, anchor)


def _anchor(candidate: Candidate, read_path: str) -> str:
    """The file a folder artifact's findings are shown on (code scanning links files, not folders), looked
    for where the artifact is read and named as the candidate names it."""
    spec = BY_CONTAINER.get(candidate.container)
    for name in spec.anchors if spec is not None else ():
        if Path(read_path, name).is_file():
            return candidate.path.rstrip("/") + "/" + name if is_url(candidate.path) else str(Path(candidate.path, name))
    return candidate.path


def _polyglot(candidate: Candidate) -> Problem:
    words = " and ".join(BY_CONTAINER[c].words for c in candidate.containers)
    message = (
        f"{candidate.path}: the file is {words} at once (a polyglot): loaders that choose their reader by the "
        "extension see one of them, other tools the other, so what one inspection shows may not be what "
        "loads; h5lint read it as each"
    )
    return Problem(POLYGLOT, Hit(message, "file", "do not load it; re-export the model from trusted code"))


def too_slow(path: str, seconds: float) -> ParseOutcome:
    return unreadable(
        path,
        f"reading and checking it took longer than {seconds:g} s, h5lint's per-file time limit",
        "raise the limit with --timeout SECONDS (0 turns it off), or exclude the file if it is not a model",
    )


def died(path: str, why: str) -> ParseOutcome:
    return unreadable(
        path,
        f"the worker process reading it ended abruptly ({why}); the other files were checked",
        "check that the file is not being written while h5lint reads it; report it to h5lint if it is stable",
    )


def _read(candidate: Candidate, settings: Settings, budgets: Budgets) -> Result:
    if is_url(candidate.path):
        return _read_remote(candidate, settings, budgets)
    return _judge(candidate, candidate.path, settings)


def _judge(
    candidate: Candidate,
    read_path: str,
    settings: Settings,
    renamed: Callable[[ParseOutcome], ParseOutcome] = lambda outcome: outcome,
    met: Callable[[], Problem | None] = lambda: None,
) -> Result:
    """Read ``candidate`` from ``read_path`` (a remote one's staged copy: ``renamed`` names it by its URL
    again) and check it; ``met()`` is what the reading itself ran into (a remote read refused), reported
    ahead of the parser's own words for it."""
    weights = _reads_weights(settings, candidate.path)
    polyglot = len(candidate.containers) > 1
    outcomes = [
        renamed(read_candidate(replace(candidate, path=read_path, containers=(c,)), weights, not polyglot))
        for c in candidate.containers
    ]
    if not candidate.named and all(o.not_a_model for o in outcomes):
        return Skipped(candidate.path, outcomes[0].not_a_model or "not a model")
    first = met()
    if polyglot or first is not None:
        head = outcomes[0]
        extra = ((_polyglot(candidate),) if polyglot else ()) + ((first,) if first is not None else ())
        outcomes[0] = replace(head, problems=(*extra, *head.problems))
    return lint_outcomes(candidate.path, outcomes, settings, _anchor(candidate, read_path))


def _read_remote(candidate: Candidate, settings: Settings, budgets: Budgets) -> Result:
    """A URL's artifact: read by ranges or staged (:mod:`.remote.read`), with the bytes it cost."""
    # Imported for URLs only: a local run never loads fsspec.
    from .remote.ranges import Meter
    from .remote.read import prepared

    meter = Meter(int(budgets.remote_mib * (1 << 20)))
    with prepared(candidate, _reads_weights(settings, candidate.path), meter) as ready:
        if isinstance(ready, Skipped):
            return ready
        met = functools.partial(_remote_problem, candidate, meter)
        result = _judge(ready.candidate, ready.read_path, settings, ready.outcome, met)
        late = meter.problem is not None and isinstance(result, ArtifactReport)
    if late and not any(f.code == UNREADABLE for f in result.findings):
        # Reading stopped while a rule streamed weights (their readers stop quietly): say so.
        result = _with_problem(result, _remote_problem(candidate, meter), settings)
    return replace(result, bytes_fetched=meter.fetched) if isinstance(result, ArtifactReport) else result


def _remote_problem(candidate: Candidate, meter: Meter) -> Problem | None:
    why = meter.problem
    if why is None:
        return None
    fix = "raise the budget with --remote-budget MIB (0 turns it off), or check the server and the file"
    return Problem(UNREADABLE, Hit(f"{candidate.path}: {why}", "file", fix))


def _with_problem(report: ArtifactReport, problem: Problem | None, settings: Settings) -> ArtifactReport:
    if problem is None or problem.code not in _enabled(settings, report.path):
        return report
    finding = _finding(load_catalog()[problem.code], problem.hit, report.path, settings)
    ordered = sorted((*report.findings, finding), key=lambda f: (f.code, f.location or "", f.message))
    return replace(report, findings=tuple(ordered))


def check_candidate(
    candidate: Candidate, settings: Settings, budgets: Budgets, root: str | None, cache: ResultCache | None = None
) -> Result:
    """One artifact, read and checked within its budgets (H5L001 past them); runs in a worker process.
    With a cache, a complete result is saved there for the next run."""
    if root is not None and os.getcwd() != root:
        os.chdir(root)  # candidates name paths relative to the project root, as reports do

    if _reads_weights(settings, candidate.path) and candidate.container in _NUMPY_CONTAINERS:
        # The weight rules' library is h5lint's cost, not the file's: loaded before its memory budget is set.
        import numpy  # noqa: F401

    def work() -> Result | None:
        return within_time(
            budgets.timeout, lambda: within_memory(budgets.memory_mib, lambda: _read(candidate, settings, budgets))
        )

    result = cache.through(candidate, work) if cache is not None else work()
    if result is None:
        result = lint_outcome(candidate.path, too_slow(candidate.path, budgets.timeout), settings)
    return result


def lost(candidate: Candidate, why: str, settings: Settings, budgets: Budgets) -> ArtifactReport:
    """The report of an artifact whose worker ran out of time or died."""
    if why == TIME_UP:
        return lint_outcome(candidate.path, too_slow(candidate.path, budgets.timeout), settings)
    return lint_outcome(candidate.path, died(candidate.path, why), settings)


