"""What a draft of the rules would do to the records a team already has (`rules impact`):
compare.py (both checks, in the audit's worker processes, and the comparison) and exports.py
(text, JSON, HTML and CSV)."""

from __future__ import annotations

from .compare import FindingChange, Impact, RecordImpact, impact
from .exports import csv_text, html_text, json_text, summary_text, write_impact

__all__ = [
    "FindingChange",
    "Impact",
    "RecordImpact",
    "csv_text",
    "html_text",
    "impact",
    "json_text",
    "summary_text",
    "write_impact",
]
