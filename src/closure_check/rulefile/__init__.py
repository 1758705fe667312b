"""Rule files: their format (`model`), loading a rules folder with file, line and field in
every problem (`load`), and the messages they hold, rendered in jinja2's sandbox (`messages`,
imported by the checker itself: listing the rules needs no jinja2)."""

from __future__ import annotations

from .load import bundled_rules_dir, load_rules, parse_rule_file, parse_terms_file
from .model import (
    NAME,
    RULE_FILE,
    RULE_ID,
    TERMS_FILE,
    Condition,
    Every,
    Example,
    LoadedRule,
    Part,
    Related,
    Requirement,
    Rule,
    RuleSet,
    Scalar,
    SourceRef,
    TermsFile,
    Tests,
)

__all__ = [
    "NAME",
    "RULE_FILE",
    "RULE_ID",
    "TERMS_FILE",
    "Condition",
    "Every",
    "Example",
    "LoadedRule",
    "Part",
    "Related",
    "Requirement",
    "Rule",
    "RuleSet",
    "Scalar",
    "SourceRef",
    "TermsFile",
    "Tests",
    "bundled_rules_dir",
    "load_rules",
    "parse_rule_file",
    "parse_terms_file",
]
