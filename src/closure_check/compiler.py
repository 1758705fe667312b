"""Compile rule files into one durable-rules ruleset (its JSON form).

Every rule part becomes engine rules of three roles, for each way it can apply (`any` in `when`
gives several):
- `applies`: fires once for each subject the part applies to;
- `fail`: fires for each subject that does not meet a requirement;
- `witness`: for an `exists` requirement, fires with the fact that meets it (for pass messages).

The engine decides; Python only gathers what fired (checker.py). Absence (`exists` failing) is
written as `$not`, placed after the end-of-record fact so the order of facts cannot change a
verdict (research hazard 4), and `$iall` is never used (hazard 5).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import date
from typing import Any

from .errors import Problem, RuleFileError
from .facts import (
    FACT_TYPE_FIELD,
    FACTS,
    KIND_OF_SUBJECT,
    FieldSpec,
    T,
    day_number,
    has_field,
)
from .rulefile import Condition, Every, LoadedRule, Related, Requirement, RuleSet, TermsFile

REC, SUBJ, END, REL = "r", "s", "e", "x"

# A boolean expression over one fact's fields, before it becomes durable-rules JSON.
Expr = tuple[Any, ...]  # ("and", [Expr]) | ("or", [Expr]) | ("atom", op, field, value)

NEGATE = {"eq": "ne", "ne": "eq", "lt": "gte", "gte": "lt", "lte": "gt", "gt": "lte"}
DURABLE_OP = {"ne": "$neq", "lt": "$lt", "lte": "$lte", "gt": "$gt", "gte": "$gte"}
COMPARISONS = ("lt", "lte", "gt", "gte")


@dataclass(frozen=True)
class EngineRule:
    """What one engine rule means, to read its firings back."""

    rule: int  # index in RuleSet.rules
    part: int
    role: str  # "applies" | "fail" | "witness"
    requirement: int = -1
    value: Any = None  # the for_each value, if any


@dataclass(frozen=True)
class Compiled:
    definition: dict[str, Any]
    meta: dict[str, EngineRule]


class _Ctx:
    """Where a test is being compiled: which file, which fact kind, what names mean."""

    def __init__(
        self,
        lr: LoadedRule,
        terms: TermsFile,
        where: str,
        kind: str,
        alias: str,
        subject_kind: str,
        bound: dict[str, Any],
        part: str = "",
    ) -> None:
        self.lr, self.terms, self.where, self.part = lr, terms, where, part
        self.kind, self.alias, self.subject_kind, self.bound = kind, alias, subject_kind, bound

    def error(self, path: str, message: str) -> RuleFileError:
        """`path` within `where`, within the rule part `part` (applies_to[i])."""
        field = ".".join(x for x in (self.part, self.where, path) if x)
        return RuleFileError([Problem(str(self.lr.path), None, field, message)])

    def at(self, where: str, kind: str, alias: str) -> _Ctx:
        """The same rule part, at another place `where` within it."""
        return _Ctx(
            self.lr, self.terms, where, kind, alias, self.subject_kind, self.bound, self.part
        )


def _field(ctx: _Ctx, kind: str, name: str, path: str) -> FieldSpec:
    fields = FACTS[kind]
    if name not in fields:
        raise ctx.error(
            path, f'"{name}" is not a field of {kind} (fields: {", ".join(sorted(fields))})'
        )
    return fields[name]


def _data(ctx: _Ctx, name: str, path: str) -> Any:
    """The value a rule's `data.<name>` names."""
    if name not in ctx.lr.rule.data:
        raise ctx.error(path, f'"{name}" is not in this rule\'s data')
    return ctx.lr.rule.data[name]


def _reference(ctx: _Ctx, text: str, spec: FieldSpec, path: str) -> Any | None:
    """`record.X`, `subject.X`, `subject`, `data.X` or a for_each name; None if `text` is none."""
    if text in ctx.bound:
        return _literal(ctx, ctx.bound[text], spec, path)
    head, _, tail = text.partition(".")
    if head == "data" and tail:
        return _literal(ctx, _data(ctx, tail, path), spec, path)
    if head == "record" and tail:
        return _fact_ref(ctx, "record", REC, tail, spec, path)
    if head == "subject":
        skind = KIND_OF_SUBJECT[ctx.subject_kind]
        salias = REC if skind == "record" else SUBJ
        if not tail:
            if spec.type is not T.REF:
                raise ctx.error(path, '"subject" can only be compared with a reference field')
            tail = "ref"
            ref_space = FACTS[skind].get("ref")
            if ref_space is None or ref_space.ref != spec.ref:
                raise ctx.error(path, f"this field cannot refer to a {ctx.subject_kind}")
        return _fact_ref(ctx, skind, salias, tail, spec, path)
    return None


def _fact_ref(ctx: _Ctx, kind: str, alias: str, name: str, spec: FieldSpec, path: str) -> Any:
    other = _field(ctx, kind, name, path)
    dates = (T.DATE, T.OPT_DATE)
    if other.type is T.OPT_DATE:
        raise ctx.error(path, f'"{name}" may be missing, so it cannot be compared with')
    if not (other.type == spec.type or (other.type in dates and spec.type in dates)):
        raise ctx.error(
            path, f'"{name}" is {other.type.value}, but this field is {spec.type.value}'
        )
    return {"$m": name} if alias == ctx.alias else {alias: name}


def _literal(ctx: _Ctx, value: Any, spec: FieldSpec, path: str) -> Any:
    t = spec.type
    if t is T.TEXT:
        if value in ("present", True):
            return True
        if value in ("absent", False):
            return False
        raise ctx.error(path, f"a text is tested as present or absent, not {value!r}")
    if t is T.BOOL and isinstance(value, bool):
        return value
    if t is T.INT and isinstance(value, int) and not isinstance(value, bool):
        return value
    if t in (T.DATE, T.OPT_DATE):
        if isinstance(value, date):
            return day_number(value)
        if isinstance(value, str):
            try:
                return day_number(date.fromisoformat(value))
            except ValueError:
                pass
    if t is T.ENUM and isinstance(value, str) and value in spec.values:
        return value
    if t is T.REF and value == "family":
        return -1
    allowed = f": one of {', '.join(spec.values)}" if t is T.ENUM else ""
    raise ctx.error(path, f"{value!r} is not {t.value}{allowed}")


def _value(ctx: _Ctx, value: Any, spec: FieldSpec, path: str) -> Any:
    if isinstance(value, str):
        ref = _reference(ctx, value, spec, path)
        if ref is not None:
            return ref
    return _literal(ctx, value, spec, path)


def _values(ctx: _Ctx, value: Any, spec: FieldSpec, path: str) -> list[Any]:
    if isinstance(value, str) and value.startswith("data."):
        value = _data(ctx, value[5:], path)
    if isinstance(value, str) and value in ctx.bound:
        value = ctx.bound[value]
    if not isinstance(value, list) or not value:
        raise ctx.error(path, "expects a list of values (or data.<name> naming one)")
    return [_literal(ctx, v, spec, path) for v in value]


def _atom(spec: FieldSpec, op: str, name: str, value: Any) -> Expr:
    atom: Expr = ("atom", op, name, value)
    if spec.type is T.OPT_DATE:  # a missing date meets no test, and fails every requirement
        return ("and", [("atom", "eq", has_field(name), True), atom])
    return atom


def tests_expr(ctx: _Ctx, tests: dict[str, Any]) -> Expr:
    """Compile a mapping of field tests (all must hold) on fact kind `ctx.kind`."""
    parts: list[Expr] = []
    for name, test in tests.items():
        path = name
        if name == "any_of":
            if not isinstance(test, list) or not test or not all(isinstance(t, dict) for t in test):
                raise ctx.error(path, "any_of expects a list of field tests")
            parts.append(("or", [tests_expr(ctx, t) for t in test]))
            continue
        spec = _field(ctx, ctx.kind, name, path)
        if isinstance(test, dict):
            if not test:
                raise ctx.error(path, "an empty test")
            for op, arg in test.items():
                p = f"{path}.{op}"
                if op in COMPARISONS:
                    if spec.type not in (T.DATE, T.OPT_DATE, T.INT):
                        raise ctx.error(p, f"{op} compares dates or numbers only")
                    parts.append(_atom(spec, op, name, _value(ctx, arg, spec, p)))
                elif op == "between":
                    if spec.type not in (T.DATE, T.OPT_DATE, T.INT) or not (
                        isinstance(arg, list) and len(arg) == 2
                    ):
                        raise ctx.error(p, "between takes [low, high] dates or numbers")
                    lo, hi = (_value(ctx, a, spec, p) for a in arg)
                    parts.append(_atom(spec, "gte", name, lo))
                    parts.append(_atom(spec, "lte", name, hi))
                elif op == "ne":
                    parts.append(_atom(spec, "ne", name, _value(ctx, arg, spec, p)))
                elif op == "in":
                    vals = _values(ctx, arg, spec, p)
                    parts.append(("or", [_atom(spec, "eq", name, v) for v in vals]))
                elif op == "not_in":
                    vals = _values(ctx, arg, spec, p)
                    parts.append(("and", [_atom(spec, "ne", name, v) for v in vals]))
                else:
                    raise ctx.error(
                        p, f'unknown test "{op}" (tests: lt, lte, gt, gte, between, ne, in, not_in)'
                    )
        else:
            parts.append(_atom(spec, "eq", name, _value(ctx, test, spec, path)))
    return ("and", parts)


def negate(e: Expr) -> Expr:
    if e[0] == "and":
        return ("or", [negate(x) for x in e[1]])
    if e[0] == "or":
        return ("and", [negate(x) for x in e[1]])
    _, op, name, value = e
    return ("atom", NEGATE[op], name, value)


def to_dnf(e: Expr) -> list[list[Expr]]:
    """Any of several conjunctions of atoms. The engine refuses (error 311), or crashes on, a
    `$or` that compares with another fact's field, so every `$or` is expanded here instead:
    into separate engine rules, or into several `$not` conditions."""
    if e[0] == "atom":
        return [[e]]
    if e[0] == "or":
        return [conj for x in e[1] for conj in to_dnf(x)]
    out: list[list[Expr]] = [[]]
    for x in e[1]:
        out = [a + b for a in out for b in to_dnf(x)]
    return out


def _atom_json(e: Expr) -> dict[str, Any]:
    _, op, name, value = e
    return {name: value} if op == "eq" else {DURABLE_OP[op]: {name: value}}


@dataclass(frozen=True)
class Slot:
    """One fact a rule matches: its alias, kind and tests; `absent` for a fact that must not
    exist (placed after the end-of-record fact)."""

    alias: str
    kind: str
    exprs: tuple[Expr, ...] = ()
    absent: bool = False

    def alternatives(self) -> list[dict[str, Any]]:
        conjunctions = to_dnf(("and", list(self.exprs)))
        return [_conjunction(self.kind, c) for c in conjunctions]


def _conjunction(kind: str, atoms: list[Expr]) -> dict[str, Any]:
    items = [{FACT_TYPE_FIELD: kind}] + [_atom_json(a) for a in atoms]
    return items[0] if len(items) == 1 else {"$and": items}


def expand(slots: list[Slot]) -> list[list[dict[str, Any]]]:
    """The engine rules (each a list of conditions) that together mean `slots`: one rule per
    combination of the positive facts' alternatives; an absent fact with alternatives becomes
    one `$not` per alternative (none of them may exist)."""
    positive = [s for s in slots if not s.absent]
    absent = [s for s in slots if s.absent]
    tail: list[dict[str, Any]] = []
    if absent:
        tail.append({END: {FACT_TYPE_FIELD: "end"}})
        for s in absent:
            for i, alt in enumerate(s.alternatives()):
                tail.append({f"{s.alias}{i}$not": alt})
    options = [[{s.alias: alt} for alt in s.alternatives()] for s in positive]
    return [list(combo) + tail for combo in itertools.product(*options)]


@dataclass
class _Branch:
    """One way a part applies: tests on the record and subject, and related facts that exist."""

    record: list[Expr]
    subject: list[Expr]
    related: list[tuple[str, list[Expr]]]


def _related(ctx: _Ctx, rel: Related | str, path: str) -> Related:
    if isinstance(rel, str):
        if rel not in ctx.terms.conditions:
            raise ctx.error(path, f'"{rel}" is not a condition defined in _terms.yaml')
        return ctx.terms.conditions[rel]
    return rel


def _related_expr(ctx: _Ctx, rel: Related, alias: str, path: str) -> tuple[str, Expr]:
    if rel.fact not in FACTS or rel.fact == "record":
        kinds = ", ".join(k for k in FACTS if k != "record")
        raise ctx.error(f"{path}.fact", f'"{rel.fact}" is not a kind of fact ({kinds})')
    return rel.fact, tests_expr(ctx.at(f"{ctx.where}.{path}.where", rel.fact, alias), rel.where)


def _branches(ctx: _Ctx, conds: list[Condition], path: str) -> list[list[tuple[str, Any]]]:
    """Expand `when` into alternatives (any -> several), each a list of simple conditions."""
    options: list[list[list[tuple[str, Any]]]] = []
    for i, c in enumerate(conds):
        p = f"{path}[{i}]"
        if c.any is not None:
            alts: list[list[tuple[str, Any]]] = []
            for j, sub in enumerate(c.any):
                alts += _branches(ctx, [sub], f"{p}.any[{j}]")
            options.append(alts)
        elif c.subject is not None:
            options.append([[("subject", (p, c.subject))]])
        elif c.record is not None:
            options.append([[("record", (p, c.record))]])
        else:
            assert c.exists is not None
            options.append([[("exists", (p, c.exists))]])
    return [[c for part in combo for c in part] for combo in itertools.product(*options)]


def _subject_tests(ctx: _Ctx, skind: str, tests: dict[str, Any], path: str) -> Expr:
    alias = REC if skind == "record" else SUBJ
    return tests_expr(ctx.at(path, skind, alias), tests)


def _build_branch(ctx: _Ctx, skind: str, simple: list[tuple[str, Any]]) -> _Branch:
    b = _Branch([], [], [])
    for what, (path, arg) in simple:
        if what == "record":
            b.record.append(tests_expr(ctx.at(f"{path}.record", "record", REC), arg))
        elif what == "subject":
            e = _subject_tests(ctx, skind, arg, f"{path}.subject")
            (b.record if skind == "record" else b.subject).append(e)
        else:
            rel = _related(ctx, arg, f"{path}.exists")
            alias = f"w{len(b.related)}"
            kind, e = _related_expr(ctx.at(path, rel.fact, alias), rel, alias, "exists")
            b.related.append((kind, [e]))
    return b


def _head(skind: str, b: _Branch, extra_rec: list[Expr], extra_subj: list[Expr]) -> list[Slot]:
    head = [Slot(REC, "record", tuple(b.record + extra_rec))]
    if skind != "record":
        head.append(Slot(SUBJ, skind, tuple(b.subject + extra_subj)))
    head += [Slot(f"w{i}", k, tuple(es)) for i, (k, es) in enumerate(b.related)]
    return head


def _requirement_rules(
    ctx: _Ctx, skind: str, req: Requirement, b: _Branch, path: str
) -> tuple[list[Slot], list[Slot] | None]:
    """The engine conditions that find a subject failing `req` (and, for `exists`, the ones
    that find the fact meeting it)."""
    if req.subject is not None or req.record is not None:
        on_record = req.record is not None or skind == "record"
        tests = req.subject if req.subject is not None else req.record
        assert tests is not None
        kind = "record" if on_record else skind
        at = f"{path}.{'record' if req.record is not None else 'subject'}"
        e = negate(tests_expr(ctx.at(at, kind, REC if on_record else SUBJ), tests))
        if on_record:
            return _head(skind, b, [e], []), None
        return _head(skind, b, [], [e]), None
    if req.every is not None:
        ev: Every = req.every
        kind, which = _related_expr(ctx.at(path, ev.fact, REL), ev, REL, "every")
        must = tests_expr(ctx.at(f"{path}.every.must", ev.fact, REL), ev.must)
        return [*_head(skind, b, [], []), Slot(REL, kind, (which, negate(must)))], None
    assert req.exists is not None
    rel = _related(ctx, req.exists, f"{path}.exists")
    kind, e = _related_expr(ctx.at(path, rel.fact, REL), rel, REL, "exists")
    fail = [*_head(skind, b, [], []), Slot(REL, kind, (e,), absent=True)]
    witness = [*_head(skind, b, [], []), Slot(REL, kind, (e,))]
    return fail, witness


def _for_each(ctx: _Ctx, req: Requirement, path: str) -> list[tuple[str | None, Any]]:
    if req.for_each is None:
        return [(None, None)]
    ((var, vals),) = req.for_each.items()
    if isinstance(vals, str):
        if not vals.startswith("data."):
            raise ctx.error(f"{path}.for_each.{var}", "expects a list or data.<name>")
        vals = _data(ctx, vals[5:], f"{path}.for_each.{var}")
    if not isinstance(vals, list) or not vals:
        raise ctx.error(f"{path}.for_each.{var}", "expects a non-empty list")
    return [(var, v) for v in vals]


def compile_rule(ri: int, lr: LoadedRule, terms: TermsFile) -> Compiled:
    definition: dict[str, Any] = {}
    meta: dict[str, EngineRule] = {}
    rule = lr.rule
    for pi, part in enumerate(rule.applies_to):
        skind = KIND_OF_SUBJECT[part.subject]
        part_path = f"applies_to[{pi}]"
        base = _Ctx(lr, terms, "", skind, SUBJ, part.subject, {}, part_path)
        branches = [_build_branch(base, skind, s) for s in _branches(base, part.when, "when")]

        def add(name: str, slots: list[Slot], m: EngineRule) -> None:
            for k, conditions in enumerate(expand(slots)):
                definition[f"{name}.{k}"] = {"all": conditions}
                meta[f"{name}.{k}"] = m

        for bi, b in enumerate(branches):
            add(f"{ri}.{pi}.a.{bi}", _head(skind, b, [], []), EngineRule(ri, pi, "applies"))
            for qi, req in enumerate(part.requires):
                path = f"requires[{qi}]"
                for vi, (var, val) in enumerate(_for_each(base, req, path)):
                    bound = {var: val} if var else {}
                    ctx = _Ctx(lr, terms, "", skind, SUBJ, part.subject, bound, part_path)
                    fail, witness = _requirement_rules(ctx, skind, req, b, path)
                    add(f"{ri}.{pi}.f.{qi}.{vi}.{bi}", fail, EngineRule(ri, pi, "fail", qi, val))
                    if witness is not None:
                        add(
                            f"{ri}.{pi}.w.{qi}.{vi}.{bi}",
                            witness,
                            EngineRule(ri, pi, "witness", qi, val),
                        )
    return Compiled(definition, meta)


GUARD = "guard"


def compile_rules(rules: RuleSet) -> Compiled:
    """Compile every rule. Raises RuleFileError listing every problem found, file by file."""
    definition: dict[str, Any] = {}
    meta: dict[str, EngineRule] = {}
    problems: list[Problem] = []
    for ri, lr in enumerate(rules.rules):
        try:
            c = compile_rule(ri, lr, rules.terms_file)
        except RuleFileError as e:
            problems += e.problems
            continue
        definition.update(c.definition)
        meta.update(c.meta)
    for name, rel in rules.terms_file.conditions.items():
        if rel.fact not in FACTS:
            problems.append(
                Problem(
                    str(rules.folder / "_terms.yaml"),
                    None,
                    f"conditions.{name}.fact",
                    f'"{rel.fact}" is not a kind of fact',
                )
            )
    if problems:
        raise RuleFileError(problems)
    # Always fires once per record: a session in which an action ran can be deleted safely
    # (research hazard 1), and the end-of-record fact is always handled.
    definition[GUARD] = {"all": [{END: {FACT_TYPE_FIELD: "end"}}]}
    return Compiled(definition, meta)
