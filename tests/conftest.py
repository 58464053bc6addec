from __future__ import annotations

from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
SAMPLES = REPO / "sample_models"
FORMAT_EXAMPLES = SHARED / "format-examples"
REALWORLD = SHARED / "realworld"
