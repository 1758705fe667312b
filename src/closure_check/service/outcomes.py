"""A record that was not checked (checking.NotChecked, a 500 `not_checked`), and why: the rules
engine failed on it (its process crashed, or the engine reported a fault), or its worker was
stopped at the time limit (NotChecked's `timed_out`: an engine that never ended on it).

The two need opposite advice. After a crash the record may well be checked if sent again; a
record that hangs the engine would only hang another worker, so it must not be sent again as
it is: support needs to hear of it, with the decision id to find its line in the decision log.
The API's answer, the check page's words, the log line and the decision log's `cause` all come
from here, and none of them ever holds a value from the record."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Final, Literal

if TYPE_CHECKING:
    from .checking import NotChecked

__all__ = ["Cause", "api_message", "cause_of", "log_not_checked", "page_message"]

access_log = logging.getLogger("closure_check.access")

#: the decision log's `cause` of a `not_checked` outcome
Cause = Literal["time_limit", "crash"]

_LOGGED: Final[dict[Cause, str]] = {
    "time_limit": "stopped at the time limit",
    "crash": "the rules engine failed on it",
}


def cause_of(exc: NotChecked) -> Cause:
    """Why a NotChecked record was not checked."""
    return "time_limit" if exc.timed_out else "crash"


def api_message(cause: Cause, decision_id: str) -> str:
    """The 500's `error`, for a case management system and the person who reads it."""
    if cause == "time_limit":
        return (
            "the record was not checked: checking it took longer than the service allows, so "
            "it was stopped. Do not send it again as it is, as it would only be stopped again: "
            f"please tell whoever supports closure-check (decision {decision_id}). Other "
            "records are being checked as usual."
        )
    return (
        "the record was not checked: the rules engine failed on it. Please try again; if it "
        "fails again, tell whoever supports closure-check, giving the decision id "
        f"({decision_id}), not the record; other records are being checked as usual."
    )


def page_message(cause: Cause, decision_id: str) -> str:
    """What the check page tells the social worker, below "The record was not checked"."""
    if cause == "time_limit":
        return (
            "Checking this record took longer than closure-check allows, so it was stopped and "
            "the record was not checked. Do not send it again as it is: it would only be "
            "stopped again. Please tell the team that looks after closure-check, giving them this "
            f"decision number: {decision_id}. Do not complete or close the assessment until it "
            "has been checked."
        )
    return (
        "Something went wrong inside closure-check, not with the record. Please try again; "
        "if it happens again, tell the team that looks after closure-check (decision "
        f"{decision_id}). Do not complete or close the assessment until it has been checked."
    )


def log_not_checked(cause: Cause, decision_id: str) -> None:
    """One log line, value-free: the decision id and why, never the record or the fault's text."""
    access_log.warning("decision %s not checked: %s", decision_id, _LOGGED[cause])
