"""Exit statuses of the ``h5lint`` command (README "Exit status")."""

OK = 0  # no finding at or above --fail-on
FINDINGS = 1  # findings at or above --fail-on
ERROR = 2  # usage, configuration or internal error
INTERRUPTED = 130  # Ctrl-C (128 + SIGINT, as shells report it); the report closes with what was checked
