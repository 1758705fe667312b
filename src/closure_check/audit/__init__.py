"""The supervisors' audit: check every record in files, folders and JSON Lines files, and write
the exception report (JSON, HTML, CSV, Excel). How it reads its inputs, uses worker processes and
survives their crashes, and makes fingerprints, pseudonyms and baselines: docs/audit.md.

`run(paths, as_of=...) -> Audit` is the library call; `closure-check audit` only parses options,
calls it, writes the outputs (`write_outputs`) and prints the summary. The modules: `runner`
(run), `worker` (what a worker process does with each record), `redact` (pseudonyms of names
and file names), `spool` (lists on disk until written), `baseline` (a previous audit's JSON),
`result` (Audit, Counts, RecordOutcome), `text` (what the command prints; the baseline's
warnings), `action` (records needing action and their own reports), `chart` (SVG bar charts),
`exports` (CSV, HTML and writing the outputs), `xlsx` (the Excel workbook).
"""

from __future__ import annotations

from .baseline import AUDIT_FORMAT, Baseline, load_baseline
from .exports import check_outputs, csv_chunks, html_chunks, write_outputs
from .redact import WITHHELD, pseudonym
from .result import Audit, Counts, RecordOutcome
from .runner import CRASH_MESSAGE, run
from .worker import CheckFn, check_records, fingerprint

__all__ = [
    "AUDIT_FORMAT",
    "CRASH_MESSAGE",
    "WITHHELD",
    "Audit",
    "Baseline",
    "CheckFn",
    "Counts",
    "RecordOutcome",
    "check_outputs",
    "check_records",
    "csv_chunks",
    "fingerprint",
    "html_chunks",
    "load_baseline",
    "pseudonym",
    "run",
    "write_outputs",
]
