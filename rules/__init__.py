"""Rule catalog and knowledge tables (data only); installed as the package ``h5lint.ruledata``."""
