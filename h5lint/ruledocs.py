"""Render a rule's catalog entry as documentation (``h5lint explain``, README table, SARIF help)."""

from __future__ import annotations

from .catalog import Example, RuleSpec


def _example(title: str, example: Example) -> list[str]:
    lines = [f"## {title}", "", example.description]
    if example.code:
        lines += ["", "```python", example.code.strip(), "```"]
    if example.case:
        lines += ["", "What the saved file records:", "", "```json", example.case.strip(), "```"]
    return lines + [""]


def render_rule_doc(spec: RuleSpec) -> str:
    """Markdown: what it does, why it matters, bad/good examples, how to fix, options, references."""
    d = spec.docs
    lines = [
        f"# {spec.code} {spec.name}",
        "",
        f"Default severity: {spec.severity.value}. Category: {spec.category}.",
        "",
        "## What it does",
        "",
        d.what.strip(),
        "",
        "## Why it matters",
        "",
        d.why.strip(),
        "",
    ]
    lines += _example("Bad", d.bad)
    lines += _example("Good", d.good)
    lines += ["## How to fix", "", d.fix.strip(), ""]
    if spec.options:
        lines += ["## Options", ""]
        lines += [f"- `{o.name}` ({o.type}, default `{o.default!r}`): {o.description}" for o in spec.options]
        lines.append("")
    if d.references:
        lines += ["## References", ""] + [f"- {ref}" for ref in d.references] + [""]
    return "\n".join(lines).rstrip() + "\n"


def rule_table_markdown(specs) -> str:
    """The README rule table (between the rules:start/end markers)."""
    rows = ["| code | name | severity | what it reports |", "|---|---|---|---|"]
    rows += [f"| {s.code} | `{s.name}` | {s.severity.value} | {s.summary} |" for s in specs]
    return "\n".join(rows) + "\n"
