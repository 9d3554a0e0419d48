"""Checking a methodology beyond what construction enforces: declared counts, score
component splits, bands, numbering, and that every numeric fact cites a source.

Construction (:class:`parindex.Methodology`) already refuses what can never be right
(a child worth more than its parent, duplicate ids, a dangling source key).
:func:`check_methodology` adds the checks whose answer depends on what the source
says: a mismatch there may be a *source* inconsistency (the MoHA summary of
2948/QĐ-BNV says 38 criteria but lists 39), so it is a warning, not a refusal.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterator
from pathlib import Path
from typing import Literal, TypeAlias

import attrs

from parindex._numbers import TOLERANCE
from parindex.errors import InputFormatError, MethodologyError
from parindex.io.components import score_components
from parindex.io.methodology import load_methodology
from parindex.model.methodology import Methodology, Node

__all__ = ["Finding", "Severity", "check_methodology", "check_methodology_file"]

Severity: TypeAlias = Literal["error", "warning", "info"]
"""``error``: the data contradicts itself; ``warning``: probably a source
inconsistency or a gap worth a look; ``info``: what is unknown or inferred."""

_CHILD_KIND = {1: "criteria", 2: "sub_criteria"}
_TREE_COUNT_KEYS = ("fields", "criteria", "sub_criteria")


@attrs.frozen
class Finding:
    """One result of :func:`check_methodology`.

    Attributes:
        severity: ``error``, ``warning`` or ``info``.
        code: a short stable name for the check (e.g. ``counts-mismatch``).
        node: the node, component (``component:survey``), band (``band:2022/A``) or
            ``None`` for the methodology as a whole.
        message: what is wrong, with both values where two disagree.

    Example:
        >>> from parindex.authoring.validate import Finding
        >>> print(Finding("warning", "counts-sum", None, "38 declared, 39 listed"))
        warning [counts-sum] 38 declared, 39 listed
    """

    severity: Severity
    code: str
    node: str | None
    message: str

    def __str__(self) -> str:
        where = "" if self.node is None else f" {self.node}:"
        return f"{self.severity} [{self.code}]{where} {self.message}"


def _fmt(x: float | None) -> str:
    return "unknown" if x is None else f"{x:g}"


def _depth(node: Node) -> int:
    return node.id.count(".") + 1


def _listing_complete(m: Methodology, node: Node) -> bool:
    return bool(node.children) and m.children_exhaustive(node.id)


def _check_counts(m: Methodology) -> Iterator[Finding]:
    declared_fields = m.counts.get("fields")
    if declared_fields is not None and m.tree and declared_fields != len(m.tree):
        severity: Severity = "error" if m.complete else "warning"
        yield Finding(
            severity,
            "counts-mismatch",
            None,
            f"declares {declared_fields} fields but the tree lists {len(m.tree)}",
        )
    if declared_fields is not None and not m.tree:
        yield Finding(
            "info", "tree-unknown", None, f"{declared_fields} fields declared, none listed"
        )
    for key in ("criteria", "sub_criteria"):
        declared = m.counts.get(key)
        per_field = [n.counts.get(key) for n in m.tree]
        if declared is None or not per_field or any(c is None for c in per_field):
            continue
        total = sum(c for c in per_field if c is not None)
        if total != declared:
            yield Finding(
                "warning",
                "counts-sum",
                None,
                f"declares {declared} {key.replace('_', '-')} but the fields' own counts add "
                f"up to {total} (a source inconsistency?)",
            )
    for node in m.nodes():
        depth = _depth(node)
        kind = _CHILD_KIND.get(depth)
        listed = len(node.children)
        if kind is not None and kind in node.counts and node.children:
            declared = node.counts[kind]
            if _listing_complete(m, node) and declared != listed:
                yield Finding(
                    "error",
                    "counts-mismatch",
                    node.id,
                    f"declares {declared} {kind.replace('_', '-')} but lists {listed} "
                    "(and its listing is complete)",
                )
            elif listed > declared:
                yield Finding(
                    "error",
                    "counts-mismatch",
                    node.id,
                    f"declares {declared} {kind.replace('_', '-')} but lists more ({listed})",
                )
        grand_known = _listing_complete(m, node) and all(
            _listing_complete(m, c) for c in node.children if c.children
        )
        if depth == 1 and "sub_criteria" in node.counts and grand_known:
            grand = sum(len(c.children) for c in node.children)
            if grand != node.counts["sub_criteria"]:
                yield Finding(
                    "error",
                    "counts-mismatch",
                    node.id,
                    f"declares {node.counts['sub_criteria']} sub-criteria but lists {grand}",
                )


def _floor(node: Node) -> float:
    """The least this node's maximum can be: its own where known, else what its
    children's known maxima (at any depth) already add up to."""
    if node.max_points is not None:
        return node.max_points
    return math.fsum(_floor(c) for c in node.children)


def _check_maxima_sum(m: Methodology) -> Iterator[Finding]:
    """Children's maxima (tổng điểm tối đa của các tiêu chí con) may not add up to more
    than their parent's, nor to more than the nearest ancestor's known maximum when the
    parent's own is unknown: such points could never be scored. Construction refuses
    this between a node and its children of known maxima; here a child of unknown
    maximum counts as at least what its own children add up to, so the excess is
    found at the nearest node whose maximum is known (the total included)."""
    holders: list[tuple[str | None, float, tuple[Node, ...]]] = []
    if m.total_max is not None:
        holders.append((None, m.total_max, m.tree))
    holders += [(n.id, n.max_points, n.children) for n in m.nodes() if n.max_points is not None]
    for where, mx, children in holders:
        floors = [(c, _floor(c)) for c in children]
        total = math.fsum(f for _, f in floors)
        if total <= mx + TOLERANCE:
            continue
        inferred = [
            f"{c.id} at least {_fmt(f)}" for c, f in floors if c.max_points is None and f > 0
        ]
        what = "the fields'" if where is None else "its children's"
        holder = "the total maximum" if where is None else "the node's maximum"
        counting = (
            f" (counting {', '.join(inferred)}: a maximum left unknown is at least what "
            "its own children's add up to)"
            if inferred
            else ""
        )
        yield Finding(
            "error",
            "maxima-sum",
            where,
            f"{what} maxima add up to at least {_fmt(total)}, more than {holder} "
            f"{_fmt(mx)}{counting}; points there could never all be scored",
        )


def _check_components(m: Methodology) -> Iterator[Finding]:
    if not m.components:
        yield Finding("info", "split-unknown", None, "no score components (split) declared")
        return
    known_ids = [c.id for c in score_components()]
    for comp in m.components:
        if comp.id not in known_ids:
            yield Finding(
                "warning",
                "component-unknown",
                f"component:{comp.id}",
                f"{comp.id!r} is not a known score component ({', '.join(known_ids)}); "
                "if a decision introduces it, add it to parindex/data/components.yaml "
                "with its source",
            )
    known = [c.max_points for c in m.components if c.max_points is not None]
    unknown = [c.id for c in m.components if c.max_points is None]
    total = math.fsum(known)
    if unknown:
        yield Finding(
            "info",
            "split-partial",
            None,
            f"component maxima unknown for {', '.join(unknown)}; the known ones add up to "
            f"{_fmt(total)} of {_fmt(m.total_max)}",
        )
    elif m.total_max is not None and abs(total - m.total_max) > TOLERANCE:  # pragma: no cover
        # construction refuses this
        yield Finding(
            "error",
            "split-total",
            None,
            f"component maxima add up to {_fmt(total)}, not the total {_fmt(m.total_max)}",
        )
    # Leaves that declare a method must fit in the component of that method.
    by_method: dict[str, float] = {}
    for node in m.nodes():
        if node.is_leaf and node.method is not None and node.max_points is not None:
            by_method[node.method] = by_method.get(node.method, 0.0) + node.max_points
    for comp in m.components:
        if comp.method is None or comp.max_points is None:
            continue
        same = [c for c in m.components if c.method == comp.method]
        if len(same) != 1:
            continue
        got = by_method.get(comp.method, 0.0)
        if got > comp.max_points + TOLERANCE:
            yield Finding(
                "error",
                "split-method",
                f"component:{comp.id}",
                f"leaves assessed by {comp.method} are worth {_fmt(got)}, more than the "
                f"component's maximum {_fmt(comp.max_points)}",
            )
        elif m.complete and abs(got - comp.max_points) > TOLERANCE:
            yield Finding(
                "error",
                "split-method",
                f"component:{comp.id}",
                f"leaves assessed by {comp.method} are worth {_fmt(got)}, not the "
                f"component's maximum {_fmt(comp.max_points)}",
            )


def _check_bands(m: Methodology) -> Iterator[Finding]:
    for year, bands in sorted(m.bands.items()):
        for b in bands:
            for bound in (b.lower, b.upper):
                if bound is not None and not 0 <= bound <= 100:
                    yield Finding(
                        "error",
                        "band-range",
                        f"band:{year}/{b.label}",
                        f"bound {_fmt(bound)} lies outside 0-100 (bands are on the index, in %)",
                    )
        ordered = sorted(
            bands, key=lambda b: -math.inf if b.lower is None else b.lower, reverse=True
        )
        for hi, lo in itertools.pairwise(ordered):
            if hi.lower is None or lo.upper is None:
                continue
            if hi.lower == lo.upper:
                if hi.lower_inclusive == lo.upper_inclusive:
                    what = "overlap" if hi.lower_inclusive else "gap"
                else:
                    continue
            else:
                what = "gap" if hi.lower > lo.upper else "overlap"
            yield Finding(
                "warning",
                f"band-{what}",
                f"band:{year}/{lo.label}",
                f"bands {hi.label} (from {_fmt(hi.lower)}) and {lo.label} (up to "
                f"{_fmt(lo.upper)}) of {year} leave a {what}",
            )


def _check_numbering(m: Methodology) -> Iterator[Finding]:
    groups: list[tuple[str | None, tuple[Node, ...], bool]] = [
        (None, m.tree, m.children_exhaustive(None) and bool(m.tree))
    ]
    groups += [(n.id, n.children, _listing_complete(m, n)) for n in m.nodes() if n.children]
    for parent, children, complete in groups:
        if not complete:
            continue
        last = [c.id.rsplit(".", 1)[-1] for c in children]
        if all(x.isdigit() for x in last) and [int(x) for x in last] != list(
            range(1, len(last) + 1)
        ):
            yield Finding(
                "warning",
                "numbering",
                parent,
                f"children are numbered {', '.join(last)}, not 1..{len(last)}",
            )


def _check_sources(m: Methodology) -> Iterator[Finding]:
    def missing(where: str | None, what: str) -> Finding:
        return Finding("error", "source-missing", where, f"{what} has no source")

    if m.total_max is not None and m.total_source is None and m.source is None:
        yield missing(None, f"total_max {_fmt(m.total_max)}")
    if m.counts and m.source is None:
        yield missing(None, "the declared counts")
    for node in m.nodes():
        if node.source is None and (node.max_points is not None or node.counts):
            yield missing(node.id, "a maximum or a count")
    for comp in m.components:
        if comp.max_points is not None and comp.source is None:
            yield missing(f"component:{comp.id}", f"maximum {_fmt(comp.max_points)}")
    for year, bands in m.bands.items():
        for b in bands:
            if (b.lower is not None or b.upper is not None) and b.source is None:
                yield missing(f"band:{year}/{b.label}", "a bound")
    if m.ranking.unranked and m.ranking.source is None:
        yield missing(None, "the list of unranked units")
    cited = {m.source, m.total_source, m.ranking.source}
    cited |= {n.source for n in m.nodes()} | {c.source for c in m.components}
    cited |= {b.source for bands in m.bands.values() for b in bands}
    for key in sorted(set(m.sources) - cited):
        yield Finding(
            "info", "source-unused", None, f"source {key!r} is cited by no fact (context only)"
        )
    if m.total_max is None:
        if m.total_source is not None:
            yield Finding(
                "warning",
                "total-source",
                None,
                f"total_source {m.total_source!r} is given but the total maximum is unknown",
            )
        return
    total_key = m.total_source or m.source
    if total_key is not None and m.sources[total_key].confidence == "I":
        yield Finding(
            "info",
            "inferred",
            None,
            f"total_max {_fmt(m.total_max)} rests on an inference (source {total_key!r})",
        )


def _check_total(m: Methodology) -> Iterator[Finding]:
    if m.total_max is not None:
        return
    # Say what the parts add up to, but never take it as the total: a partial tree or
    # split may leave out points the decision has (unknown stays unknown).
    sums = [
        f"the {what} maxima add up to {_fmt(x)}"
        for what, x in (
            ("fields'", m._known_sum("fields")),
            ("score components'", m._known_sum("components")),
        )
        if x is not None
    ]
    parts = f"; {' and '.join(sums)}, not taken as the total" if sums else ""
    yield Finding(
        "info",
        "total-unknown",
        None,
        "the total maximum is unknown (total_max null): totals get points but no index "
        f"and no rank{parts}",
    )


def check_methodology(m: Methodology) -> list[Finding]:
    """Every finding for a methodology, errors first.

    Checks: declared counts against the listed children (where the listing is
    complete) and against the fields' own counts; children's maxima against the
    nearest known maximum above them, counting a child of unknown maximum as at least
    what its own children add up to (``maxima-sum``); score components against the known
    ones (``component-unknown``), against the total (an unknown total is reported as
    ``total-unknown``, with what the parts add up to) and against the leaves'
    assessment methods; bands (range, gaps, overlaps);
    numbering 1..n; and that every numeric fact (total, counts, maxima, component
    maxima, band bounds) cites a source. What construction already enforces (sums,
    unique well-formed ids) cannot reach here because such a methodology cannot be
    built; :func:`check_methodology_file` reports those as errors.

    Example:
        >>> import parindex
        >>> for f in parindex.check_methodology(parindex.get_methodology("province-2017")):
        ...     if f.severity != "info":
        ...         print(f)
        warning [counts-sum] declares 38 criteria but the fields' own counts add up to 39 (a source inconsistency?)
    """
    findings = [
        *_check_total(m),
        *_check_sources(m),
        *_check_counts(m),
        *_check_maxima_sum(m),
        *_check_components(m),
        *_check_bands(m),
        *_check_numbering(m),
    ]
    order = {"error": 0, "warning": 1, "info": 2}
    return sorted(findings, key=lambda f: order[f.severity])


def check_methodology_file(path: str | Path) -> tuple[Methodology | None, list[Finding]]:
    """Load a methodology file and check it. A file that cannot be loaded gives
    ``(None, [one error finding])`` naming the node where there is one.

    Example:
        >>> import parindex, pathlib, tempfile
        >>> with tempfile.TemporaryDirectory() as tmp:
        ...     p = pathlib.Path(tmp) / "bad.yaml"
        ...     _ = p.write_text("format: parindex-methodology/1\\nid: x\\n", encoding="utf-8")
        ...     m, findings = parindex.authoring.validate.check_methodology_file(p)
        >>> m is None, findings[0].severity
        (True, 'error')
    """
    try:
        m = load_methodology(path)
    except (MethodologyError, InputFormatError) as err:
        node = getattr(err, "node", None)
        return None, [Finding("error", "invalid", node, " ".join(str(err).split()))]
    return m, check_methodology(m)
