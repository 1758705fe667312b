"""Reading what fired in a session: each rule's matches, record by record, with the ids of the
facts gather needs (dialect.reads), named in the neutral form's words (`record`, `subject`,
`related`)."""

from __future__ import annotations

import functools
import re
from typing import Any

import durable_rules_engine as _dre

from ..errors import EngineError
from .dialect import READ, reads

Firing = tuple[str, dict[str, str]]  # engine rule name, {bound name: fact id}


@functools.lru_cache(maxsize=1024)
def _pattern(present: tuple[str, ...], read: tuple[str, ...], cut: int) -> re.Pattern[str]:
    """What one match of a rule is, as text: `{"<alias>":{"id":"<id>",..},..}`, one fact for each
    of `present`, each fact's id starting with `cut` characters of salt and its record's place
    in the batch, then `:`. Groups: the first fact's place, then the id of each fact `read`."""
    parts = []
    for i, alias in enumerate(present):
        part = ("\\{" if i == 0 else ",") + f'"{alias}":\\{{"id":"'
        part += f'[^"]{{{cut}}}(\\d+):' if i == 0 else f'[^"]{{{cut}}}\\d+:'
        part += '([^"]*)"' if alias in read else '[^"]*"'
        parts.append(part + "[^}]*\\}")
    return re.compile("".join(parts))


class Reader:
    """How to read the firings of each rule of a definition (in durable's dialect)."""

    def __init__(self, definition: dict[str, Any]) -> None:
        #: rule name -> its facts' aliases, those read, how each match starts, what they are
        self._plans: dict[str, tuple[tuple[str, ...], tuple[str, ...], str, list[str]]] = {}
        for name, rule in definition.items():
            present, read = reads(rule)
            # every match opens with its first fact, whatever that fact's first field
            opening = '{"' + present[0] + '":{'
            self._plans[name] = (present, read, opening, [READ[a] for a in read])

    def drain(self, handle: int, state: int, cut: int, count: int) -> list[list[Firing]]:
        """Every firing of session `state`, record by record, in the order the core hands them
        over. A message holds one rule's matches: `{"<rule>":[{"r":{"id":"..",..},"s":{..},..},
        ..]}`, each match listing the facts of the rule's conditions in order; a fact's id says
        which record of the batch it belongs to (its `cut` characters of salt skipped). Facts
        hold no quote or brace inside a value (see session.py), so a pattern reads each match
        whole; every match is counted, and one the pattern did not read is an EngineError
        (raised once the session's actions are all done)."""
        out: list[list[Firing]] = [[] for _ in range(count)]
        unread = ""
        result = _dre.start_action_for_state(handle, state)
        message = result[1] if result else None
        while message:
            rule_name = message[2 : message.index('"', 2)]
            present, read, opening, names = self._plans[rule_name]
            found = _pattern(present, read, cut).findall(message)
            if len(found) != message.count(opening):
                unread = rule_name
            if len(names) == 2:
                one, two = names
                for place, a, b in found:
                    out[int(place)].append((rule_name, {one: a, two: b}))
            elif names:
                (one,) = names
                for place, a in found:
                    out[int(place)].append((rule_name, {one: a}))
            else:
                for place in found:
                    out[int(place)].append((rule_name, {}))
            message = _dre.complete_and_start_action(handle, state)
        if unread:
            raise EngineError(f"what the rules engine found for {unread} could not be read")
        return out
