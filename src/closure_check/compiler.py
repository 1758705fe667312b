"""Compile rule files into the engine-neutral form (`form.py`).

Every rule part becomes engine rules of three roles, for each way it can apply (`any` in `when`
gives several):
- `applies`: fires once for each subject the part applies to;
- `fail`: fires for each subject that does not meet a requirement;
- `witness`: for an `exists` requirement, fires with the fact that meets it (for pass messages).

A part with an `exists` requirement has no `applies` rule of its own: for each way the part
applies, that requirement's fail rule (no such fact) and its witness rule (one such fact) have
the applies rule's patterns and one more, the fact absent or present, so between them they fire
for exactly the subjects the applies rule would, and they carry its meaning too (`_covering`).

The engine decides; Python only gathers what fired (checker.py). How the form is written for
durable-rules (absence after the end-of-record fact, `$or` expanded, the guard rule) is
engine/dialect.py's business.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import date
from typing import Any

from .errors import Problem, RuleFileError
from .facts import FACTS, KIND_OF_SUBJECT, FieldSpec, T, day_number, has_field
from .form import (
    RECORD,
    RELATED,
    SUBJECT,
    WHEN,
    All,
    AnyOf,
    Cond,
    EngineRule,
    FieldOf,
    Meaning,
    Op,
    Pattern,
    Program,
    Test,
    negate,
)
from .rulefile import Condition, Every, LoadedRule, Related, Requirement, RuleSet, TermsFile

COMPARISONS = ("lt", "lte", "gt", "gte")


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
        return _fact_ref(ctx, "record", RECORD, tail, spec, path)
    if head == "subject":
        skind = KIND_OF_SUBJECT[ctx.subject_kind]
        salias = RECORD if skind == "record" else SUBJECT
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
    return FieldOf(alias, name)


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


def _atom(spec: FieldSpec, op: Op, name: str, value: Any) -> Cond:
    atom = Test(op, name, value)
    if spec.type is T.OPT_DATE:  # a missing date meets no test, and fails every requirement
        return All((Test("eq", has_field(name), True), atom))
    return atom


def tests_expr(ctx: _Ctx, tests: dict[str, Any]) -> All:
    """Compile a mapping of field tests (all must hold) on fact kind `ctx.kind`."""
    parts: list[Cond] = []
    for name, test in tests.items():
        path = name
        if name == "any_of":
            if not isinstance(test, list) or not test or not all(isinstance(t, dict) for t in test):
                raise ctx.error(path, "any_of expects a list of field tests")
            parts.append(AnyOf(tuple(tests_expr(ctx, t) for t in test)))
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
                    cmp: Op = op
                    parts.append(_atom(spec, cmp, name, _value(ctx, arg, spec, p)))
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
                    parts.append(AnyOf(tuple(_atom(spec, "eq", name, v) for v in vals)))
                elif op == "not_in":
                    vals = _values(ctx, arg, spec, p)
                    parts.append(All(tuple(_atom(spec, "ne", name, v) for v in vals)))
                else:
                    raise ctx.error(
                        p, f'unknown test "{op}" (tests: lt, lte, gt, gte, between, ne, in, not_in)'
                    )
        else:
            parts.append(_atom(spec, "eq", name, _value(ctx, test, spec, path)))
    return All(tuple(parts))


@dataclass
class _Branch:
    """One way a part applies: tests on the record and subject, and related facts that exist."""

    record: list[Cond]
    subject: list[Cond]
    related: list[tuple[str, list[Cond]]]


def _related(ctx: _Ctx, rel: Related | str, path: str) -> Related:
    if isinstance(rel, str):
        if rel not in ctx.terms.conditions:
            raise ctx.error(path, f'"{rel}" is not a condition defined in _terms.yaml')
        return ctx.terms.conditions[rel]
    return rel


def _related_expr(ctx: _Ctx, rel: Related, alias: str, path: str) -> tuple[str, All]:
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


def _subject_tests(ctx: _Ctx, skind: str, tests: dict[str, Any], path: str) -> All:
    alias = RECORD if skind == "record" else SUBJECT
    return tests_expr(ctx.at(path, skind, alias), tests)


def _build_branch(ctx: _Ctx, skind: str, simple: list[tuple[str, Any]]) -> _Branch:
    b = _Branch([], [], [])
    for what, (path, arg) in simple:
        if what == "record":
            b.record.append(tests_expr(ctx.at(f"{path}.record", "record", RECORD), arg))
        elif what == "subject":
            e = _subject_tests(ctx, skind, arg, f"{path}.subject")
            (b.record if skind == "record" else b.subject).append(e)
        else:
            rel = _related(ctx, arg, f"{path}.exists")
            alias = f"{WHEN}{len(b.related)}"
            kind, e = _related_expr(ctx.at(path, rel.fact, alias), rel, alias, "exists")
            b.related.append((kind, [e]))
    return b


def _head(skind: str, b: _Branch, extra_rec: list[Cond], extra_subj: list[Cond]) -> list[Pattern]:
    head = [Pattern(RECORD, "record", All(tuple(b.record + extra_rec)))]
    if skind != "record":
        head.append(Pattern(SUBJECT, skind, All(tuple(b.subject + extra_subj))))
    head += [Pattern(f"{WHEN}{i}", k, All(tuple(es))) for i, (k, es) in enumerate(b.related)]
    return head


def _requirement_rules(
    ctx: _Ctx, skind: str, req: Requirement, b: _Branch, path: str
) -> tuple[list[Pattern], list[Pattern] | None]:
    """The engine conditions that find a subject failing `req` (and, for `exists`, the ones
    that find the fact meeting it)."""
    if req.subject is not None or req.record is not None:
        on_record = req.record is not None or skind == "record"
        tests = req.subject if req.subject is not None else req.record
        assert tests is not None
        kind = "record" if on_record else skind
        at = f"{path}.{'record' if req.record is not None else 'subject'}"
        e = negate(tests_expr(ctx.at(at, kind, RECORD if on_record else SUBJECT), tests))
        if on_record:
            return _head(skind, b, [e], []), None
        return _head(skind, b, [], [e]), None
    if req.every is not None:
        ev: Every = req.every
        kind, which = _related_expr(ctx.at(path, ev.fact, RELATED), ev, RELATED, "every")
        must = tests_expr(ctx.at(f"{path}.every.must", ev.fact, RELATED), ev.must)
        return [*_head(skind, b, [], []), Pattern(RELATED, kind, All((which, negate(must))))], None
    assert req.exists is not None
    rel = _related(ctx, req.exists, f"{path}.exists")
    kind, e = _related_expr(ctx.at(path, rel.fact, RELATED), rel, RELATED, "exists")
    fail = [*_head(skind, b, [], []), Pattern(RELATED, kind, All((e,)), absent=True)]
    witness = [*_head(skind, b, [], []), Pattern(RELATED, kind, All((e,)))]
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


def _covering(requires: list[Requirement]) -> int | None:
    """The requirement whose fail and witness rules find every subject the part applies to,
    so that the part needs no applies rule: its first `exists` requirement, if it has one.

    For each way the part applies, that requirement's fail rule is the applies rule's patterns
    and the related fact absent (after the end-of-record fact), and its witness rule the same
    patterns and the related fact present: for every subject the applies rule would match,
    exactly one of the two fires (the witness once for each fact that meets the requirement),
    and neither fires for any other subject. Any one of its `for_each` values will do: each
    value's pair covers every subject (`compile_rule` takes the first)."""
    return next((qi for qi, req in enumerate(requires) if req.exists is not None), None)


def compile_rule(ri: int, lr: LoadedRule, terms: TermsFile) -> list[EngineRule]:
    out: list[EngineRule] = []
    rule = lr.rule
    for pi, part in enumerate(rule.applies_to):
        skind = KIND_OF_SUBJECT[part.subject]
        part_path = f"applies_to[{pi}]"
        base = _Ctx(lr, terms, "", skind, SUBJECT, part.subject, {}, part_path)
        branches = [_build_branch(base, skind, s) for s in _branches(base, part.when, "when")]
        applies = Meaning(ri, pi, "applies")
        covering = _covering(part.requires)

        def add(name: str, patterns: list[Pattern], *meanings: Meaning) -> None:
            out.append(EngineRule(name, meanings, tuple(patterns)))

        for bi, b in enumerate(branches):
            if covering is None:
                add(f"{ri}.{pi}.a.{bi}", _head(skind, b, [], []), applies)
            for qi, req in enumerate(part.requires):
                path = f"requires[{qi}]"
                for vi, (var, val) in enumerate(_for_each(base, req, path)):
                    bound = {var: val} if var else {}
                    ctx = _Ctx(lr, terms, "", skind, SUBJECT, part.subject, bound, part_path)
                    fail, witness = _requirement_rules(ctx, skind, req, b, path)
                    also = (applies,) if (qi, vi) == (covering, 0) else ()
                    failing = Meaning(ri, pi, "fail", qi, val)
                    add(f"{ri}.{pi}.f.{qi}.{vi}.{bi}", fail, *also, failing)
                    if witness is not None:
                        witnessing = Meaning(ri, pi, "witness", qi, val)
                        add(f"{ri}.{pi}.w.{qi}.{vi}.{bi}", witness, *also, witnessing)
    return out


def compile_rules(rules: RuleSet) -> Program:
    """Compile every rule. Raises RuleFileError listing every problem found, file by file."""
    compiled: list[EngineRule] = []
    problems: list[Problem] = []
    for ri, lr in enumerate(rules.rules):
        try:
            compiled += compile_rule(ri, lr, rules.terms_file)
        except RuleFileError as e:
            problems += e.problems
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
    return Program(tuple(compiled))
