"""Run the enabled rules over each artifact and stamp their hits into findings.

No I/O besides what parsers and lazy weight reads do, no printing: the engine returns a
:class:`Report` that reporters render.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Iterable, Sequence

from . import __version__
from .budgets import Budgets, within_memory, within_time
from .candidate import Candidate
from .catalog import RuleSpec, load_catalog
from .checks import RuleContext, all_checks
from .codes import UNREADABLE
from .discover import discover
from .findings import ArtifactReport, Finding, Hit, ParseOutcome, Problem, Report
from .ir import VersionTags
from .keras.model import KerasModel, interpret, with_writer
from .keras.versions import DEFAULT_TARGET
from .openfiles import keep_open
from .parsers import BY_CONTAINER, load_parsers, read_candidate, unreadable
from .settings import Settings

_CONFIG_FIX = "re-export the model from the code that trained it (model.save(...))"


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
        message=hit.message,
        path=path,
        location=hit.location,
        fix=hit.fix,
        fingerprint=fingerprint(spec.code, path, hit.location),
    )


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
        except Exception as exc:  # a bug in one check must not hide the other rules' findings
            crashed.append(f"{code}: {type(exc).__name__}: {exc}")
            continue
        for hit in hits:
            yield code, hit


def _enabled(settings: Settings, path: str) -> set[str]:
    return set(settings.enabled) - settings.ignored_for(path)


def _reads_weights(settings: Settings, path: str) -> bool:
    """True when a rule enabled for ``path`` needs what weights stores hold (values, shapes or links)."""
    catalog = load_catalog()
    return any(catalog[code].reads_weights or catalog[code].reads_hdf5_links for code in _enabled(settings, path))


def _config_problem(model: KerasModel) -> Problem:
    assert model.problem is not None and model.artifact.keras is not None
    hit = Hit(f"{model.path}: {model.problem}", model.artifact.keras.location, _CONFIG_FIX)
    return Problem(UNREADABLE, hit)


def lint_outcome(path: str, outcome: ParseOutcome, settings: Settings, anchor: str | None = None) -> ArtifactReport:
    """Findings for one parsed artifact."""
    catalog = load_catalog()
    enabled = _enabled(settings, path)
    problems = list(outcome.problems)
    model = interpret(outcome.artifact) if outcome.artifact is not None else None
    if model is not None and model.problem is not None:
        problems.append(_config_problem(model))
    pairs: list[tuple[str, Hit]] = [(p.code, p.hit) for p in problems if p.code in enabled]
    crashed: list[str] = []
    if model is not None:
        with keep_open():  # the rules' weight readers share one open file per weights file
            pairs.extend(_rule_hits(model, settings, sorted(enabled), crashed))
    findings: dict[tuple[str, str], Finding] = {}
    for code, hit in pairs:
        finding = _finding(catalog[code], hit, path, settings)
        # A hit repeated word for word is one finding; two different problems at one place are two.
        findings.setdefault((finding.fingerprint, finding.message), finding)
    ordered = sorted(findings.values(), key=lambda f: (f.code, f.location or "", f.message))
    return ArtifactReport(
        path=path,
        format=model.format.name if model else None,
        layout=model.artifact.layout if model else None,
        versions=model.versions if model else with_writer(outcome.versions or VersionTags()),
        findings=tuple(ordered),
        readable=model is not None,
        crashed_checks=tuple(crashed),
        anchor=anchor or path,
    )


def _anchor(candidate: Candidate) -> str:
    """The file a folder artifact's findings are shown on (code scanning links files, not folders)."""
    spec = BY_CONTAINER.get(candidate.container)
    for name in spec.anchors if spec is not None else ():
        member = Path(candidate.path, name)
        if member.is_file():
            return str(member)
    return candidate.path


def _too_slow(path: str, seconds: float) -> ParseOutcome:
    return unreadable(
        path,
        f"reading and checking it took longer than {seconds:g} s, h5lint's per-file time limit",
        "raise the limit with --timeout SECONDS (0 turns it off), or exclude the file if it is not a model",
    )


def lint_candidate(candidate: Candidate, settings: Settings, budgets: Budgets = Budgets()) -> ArtifactReport:
    """Findings for one artifact, parsed and checked within its time and memory budgets (H5L001 past them)."""
    weights = _reads_weights(settings, candidate.path)
    anchor = _anchor(candidate)

    def work() -> ArtifactReport:
        return lint_outcome(candidate.path, read_candidate(candidate, weights), settings, anchor)

    report = within_time(budgets.timeout, lambda: within_memory(budgets.memory_mib, work))
    if report is None:
        report = lint_outcome(candidate.path, _too_slow(candidate.path, budgets.timeout), settings, anchor)
    return report


def _lint_all(
    candidates: list[Candidate], settings: Settings, jobs: int, budgets: Budgets
) -> tuple[ArtifactReport, ...]:
    """Lint in ``jobs`` worker processes; results keep the discovery order, so output matches a serial run."""
    if jobs <= 1 or len(candidates) <= 1:
        return tuple(lint_candidate(c, settings, budgets) for c in candidates)
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else None)
    if context.get_start_method() == "fork":
        # Imported once here, the checks and parsers are shared by every forked worker instead of
        # being imported again in each (h5py, numpy and protobuf are most of a worker's start-up).
        all_checks()
        load_parsers(c.container for c in candidates)
    workers = min(jobs, len(candidates))
    chunk = max(1, len(candidates) // (workers * 8))
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        repeat = len(candidates)
        return tuple(pool.map(lint_candidate, candidates, [settings] * repeat, [budgets] * repeat, chunksize=chunk))


def default_jobs() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def lint_paths(paths: Sequence[str], settings: Settings, jobs: int = 1, budgets: Budgets = Budgets()) -> Report:
    """Lint every artifact under ``paths``, each within ``budgets``."""
    candidates = [c for c in discover(paths) if not settings.is_excluded(c.path)]
    artifacts = _lint_all(candidates, settings, jobs, budgets)
    return Report(artifacts=artifacts, rules_run=settings.enabled, tool_version=__version__)
