"""`python -m closure_check.cli`, as the `closure-check` command."""

from __future__ import annotations

from .main import main

main()
