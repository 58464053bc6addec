"""JUnit XML for CI test views (GitLab, Jenkins, Azure Pipelines ...): a test case per artifact, a failure per finding.

::

    <testsuites name="h5lint" tests="3" failures="1" errors="0">
      <testsuite name="h5lint" tests="3" failures="1" errors="0" skipped="0">
        <testcase classname="h5lint.h5-full" name="models/clf.h5" file="models/clf.h5">
          <failure type="H5L201" message="output:out: H5L201 [error] Output 'out' is compiled with ...">...</failure>

A test case passes when its artifact has no finding (findings hidden by a baseline are not reported);
``failures`` counts the failed test cases. The counts open the document, so the test cases wait in a spool
(memory stays flat) and follow once the run is done.

XML 1.0 cannot hold most control characters, lone surrogates or U+FFFE/U+FFFF, whatever the escaping, and
a file's layer names may hold any of them: everything taken from a file is made printable first
(``_describe.printable``, ``_describe.well_formed``), then escaped for markup. Attribute values are quoted
with ``"``, which is escaped with ``&``, ``<`` and ``>``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

from ..findings import ArtifactReport, Finding
from . import RenderOptions, RunInfo, Tally
from ._describe import logical_location, printable, unprefixed, well_formed
from ._lists import Spool
from ._paths import display_path, source_root

SUITE = "h5lint"


def _text(text: str) -> str:
    """Text from a file as XML character data: printable, well-formed, markup escaped."""
    return escape(well_formed(printable(text)))


def _attr(text: str) -> str:
    return quoteattr(well_formed(printable(text)))


def _failure(finding: Finding) -> str:
    place = logical_location(finding.location)
    where = f"{place.qualified}: " if place else ""
    said = unprefixed(finding)
    message = f"{where}{finding.code} [{finding.severity.value}] {said}"
    lines = [f"{finding.code} {finding.name} ({finding.severity.value})", f"{where}{said}"]
    if finding.fix:
        lines.append(f"fix: {finding.fix}")
    body = "\n".join(_text(line) for line in lines)
    return f"      <failure type={_attr(finding.code)} message={_attr(message)}>{body}</failure>\n"


def _testcase(artifact: ArtifactReport, root: Path) -> str:
    path = display_path(artifact.anchor or artifact.path, root)
    classname = f"{SUITE}.{artifact.format or 'unreadable'}"
    head = f"    <testcase classname={_attr(classname)} name={_attr(artifact.path)} file={_attr(path)}"
    if not artifact.findings:
        return head + "/>\n"
    return head + ">\n" + "".join(_failure(f) for f in artifact.findings) + "    </testcase>\n"


def _counts(tests: int, failures: int) -> str:
    return f'tests="{tests}" failures="{failures}" errors="0"'


def stream(artifacts: Iterable[ArtifactReport], run: RunInfo, tally: Tally, options: RenderOptions) -> Iterator[str]:
    root = options.source_root or source_root()
    testcases = Spool()
    failed = 0
    for artifact in artifacts:
        failed += bool(artifact.findings)
        testcases.write(_testcase(artifact, root))
    counts = _counts(tally.artifacts, failed)
    yield '<?xml version="1.0" encoding="UTF-8"?>\n'
    yield f'<testsuites name="{SUITE}" {counts}>\n  <testsuite name="{SUITE}" {counts} skipped="0">\n'
    yield from testcases.replay()
    yield "  </testsuite>\n</testsuites>\n"
