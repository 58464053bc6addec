"""Rewrite the rule table in README.md from the rule catalog (rules/catalog/*.toml)."""

from __future__ import annotations

import re
from pathlib import Path

from h5lint.catalog import load_catalog
from h5lint.ruledocs import rule_table_markdown

README = Path(__file__).resolve().parents[1] / "README.md"


def main() -> None:
    text = README.read_text(encoding="utf-8")
    table = rule_table_markdown(load_catalog().values())
    new, count = re.subn(
        r"(<!-- rules:start -->\n).*?(<!-- rules:end -->)", lambda m: m.group(1) + table + m.group(2), text, flags=re.S
    )
    if count != 1:
        raise SystemExit("README.md needs exactly one <!-- rules:start --> ... <!-- rules:end --> block")
    README.write_text(new, encoding="utf-8")


if __name__ == "__main__":
    main()
