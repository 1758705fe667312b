"""Reading what fired in a session: each rule's matches, record by record, with the ids of the
facts they matched, named in the neutral form's words (`record`, `subject`, `related`, `end`)."""

from __future__ import annotations

import itertools

import durable_rules_engine as _dre

from .dialect import READ

Firing = tuple[str, dict[str, str]]  # engine rule name, {bound name: fact id}

# Where a matched fact's id starts in a firing, after `"<alias>`.
_FACT_AT = '":{"id":"'


def drain(
    handle: int, state: int, first: dict[str, str], cut: int, count: int
) -> list[list[Firing]]:
    """Every firing of session `state`, record by record, in the order the core hands them over.
    A message holds one rule's matches: `{"<rule>":[{"r":{"id":"..",..},"s":{..},..},..]}`, each
    match starting with the fact of the rule's first condition (`first[rule]`); a fact's id says
    which record of the batch it belongs to (its `cut` characters of salt skipped)."""
    out: list[list[Firing]] = [[] for _ in range(count)]
    result = _dre.start_action_for_state(handle, state)
    message = result[1] if result else None
    while message:
        rule_name = message[2 : message.index('"', 2)]
        first_alias = first[rule_name]
        matched: dict[str, str] = {}
        pieces = message.split(_FACT_AT)  # each piece after the first starts with an id
        for before, piece in itertools.pairwise(pieces):
            alias = before[before.rindex('"') + 1 :]
            name = READ.get(alias)
            if name is None:
                continue
            place, _, fid = piece[cut : piece.index('"')].partition(":")
            if alias == first_alias:
                matched = {}
                out[int(place)].append((rule_name, matched))
            matched[name] = fid
        message = _dre.complete_and_start_action(handle, state)
    return out
