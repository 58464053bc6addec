"""h5lint's rules, one folder each: ``<CODE>_<name>/`` holds ``rule.toml`` (code, name, severity, options,
docs, samples), ``check.py`` (the check) and ``cases.json`` (its cases). Installed as ``h5lint.rules``.

A check is ``check(model: KerasModel, ctx: RuleContext) -> Iterator[Hit]`` (:mod:`h5lint.checks`): a
pure function over the semantic model (:mod:`h5lint.keras`) that knows nothing about files or output.
Rules raised while reading files (H5L001-H5L004) have a ``rule.toml`` and no ``check.py``.
"""
