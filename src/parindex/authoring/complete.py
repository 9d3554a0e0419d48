"""Completing a partial methodology from a tidy table (an official annex typed in).

A user who holds the decision's criteria table (Bảng 1 / Bảng 2) writes it as a
table with one row per node and gets a complete :class:`~parindex.Methodology`. The
table is checked against the shipped skeleton (field maxima, declared counts, score
component split, total): every disagreement is reported by node with both values,
and by default refuses the table rather than silently preferring one side.

Table columns
-------------
``id`` (required)
    the decision's numbering: ``3``, ``3.2``, ``3.2.1``; a score component id
    (``appraisal``, ``survey``, ``sipas``, ``leader_survey``, ``impact``) gives that
    component's maximum; ``total`` gives the total maximum.
``name_vi`` (or ``name``), ``name_en``
    names (optional; the skeleton's names are kept where the table leaves them blank).
``max_points`` (or ``maximum``)
    the node's maximum (required for nodes of a complete table).
``method``
    ``appraisal`` (also ``self``, ``thẩm định``) or ``survey`` (``điều tra``); the
    leaves marked with a method make up the score component of that method.
``rule``
    the leaf's rule, as JSON (``{"kind": "yes_no"}``, always accepted) or the compact
    syntax below.

Compact rule syntax
-------------------
==========================================  ==========================================
``yes_no`` / ``yes_no: yes=1; no=0``        done / not done
``categorical: đúng hạn=1; chậm=0.5; không=0``  named levels and their points
``tiers: >=100:1; 80-<100:0.5; <80:0``      tiers on a percentage; each range is
                                            ``>=a``, ``>a``, ``<=b``, ``<b``, ``a-b``
                                            (both inclusive), ``a-<b``, ``>a-<=b``, ``>a-<b``
``proportional`` / ``proportional: full_at=90``  points in proportion to a rate
``deduction: 0.25`` / ``deduction: per=0.25; floor=0``  a deduction per occurrence
``points``                                  points entered directly
==========================================  ==========================================
"""

from __future__ import annotations

import io
import json
import math
import warnings
from collections.abc import Collection, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import attrs

from parindex._numbers import TOLERANCE
from parindex._text import unneutralize_cell
from parindex.authoring._complete_check import ensure_valid, settle_split
from parindex.authoring._complete_table import (
    METHODS,
    by_ancestor,
    depth_counts,
    maximum,
    natural,
    number,
    pairs,
    table_rows,
    tier,
    worksheet_frame,
)
from parindex.errors import InputFormatError, MethodologyError, ParIndexWarning
from parindex.io.excel import read_worksheet_values
from parindex.io.safe import read_text_file
from parindex.model.methodology import Methodology, Node, ScoreComponent, Source
from parindex.rules import Rule, rule_from_dict

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "Disagreement",
    "compare_with_skeleton",
    "complete_methodology",
    "load_methodology_table",
    "parse_rule",
]

_Table = Mapping[str, Mapping[str, str]]
_TREE_KEYS = ("fields", "criteria", "sub_criteria")
_COLUMNS = ("id", "name_vi", "name_en", "max_points", "method", "rule")
# Other spellings of a column: the specified table (id, name, maximum, method, rule)
# calls the Vietnamese name ``name``.
_ALIASES = {"name": "name_vi", "maximum": "max_points"}


def parse_rule(text: str | None, *, node: str = "?") -> Rule | None:
    """Read a rule from JSON or the compact syntax (see the module docstring);
    blank gives ``None``.

    Example:
        >>> from parindex.authoring.complete import parse_rule
        >>> parse_rule("tiers: >=100:1; 80-<100:0.5; <80:0").describe()
        '100 % <= x: 1 point; 80 % <= x < 100 %: 0.5 points; x < 80 %: 0 points'
        >>> parse_rule('{"kind": "yes_no"}') == parse_rule("yes_no")
        True
        >>> parse_rule("categorical: đúng hạn=1; chậm=0.5; không=0").levels[1].points
        0.5
    """
    if text is None or not str(text).strip():
        return None
    raw = str(text).strip()
    what = f"node {node} rule"
    if raw.startswith("{"):
        try:
            data = json.loads(raw)
        except json.JSONDecodeError as err:
            raise MethodologyError(f"{what}: invalid JSON ({err.msg})", node=node) from None
        if not isinstance(data, dict):
            raise MethodologyError(f"{what}: JSON rule must be an object", node=node)
        return _with_node(lambda: rule_from_dict(data), node)
    kind, _, body = raw.partition(":")
    kind = kind.strip().casefold()
    body = body.strip()
    data = {"kind": kind}
    if kind == "yes_no":
        for key, value in pairs(body, what):
            data[{"yes": "yes_points", "no": "no_points"}.get(key.casefold(), key)] = number(
                value, what
            )
    elif kind == "categorical":
        data["levels"] = [{"label": k, "points": number(v, what)} for k, v in pairs(body, what)]
    elif kind == "tiers":
        data["tiers"] = [tier(t.strip(), what) for t in body.split(";") if t.strip()]
    elif kind == "proportional":
        for key, value in pairs(body, what):
            data[key] = number(value, what)
    elif kind == "deduction":
        if body and "=" not in body:
            data["per_occurrence"] = number(body, what)
        for key, value in pairs(body, what) if "=" in body else []:
            data[{"per": "per_occurrence"}.get(key, key)] = number(value, what)
    elif kind == "points" and body:
        raise MethodologyError(f"{what}: 'points' takes no parameters", node=node)
    return _with_node(lambda: rule_from_dict(data), node)


def _with_node(build: Any, node: str) -> Rule:
    try:
        rule: Rule = build()
    except MethodologyError as err:
        raise MethodologyError(f"node {node} rule: {err}", node=node) from None
    return rule


# --------------------------------------------------------------------------- reading


def load_methodology_table(source: str | Path | pd.DataFrame) -> pd.DataFrame:
    """A tidy methodology table from a CSV or Excel (``.xlsx``) file, or a copy of a
    DataFrame, with the columns normalised (``id`` required; the others optional;
    ``name`` is read as ``name_vi``, ``maximum`` as ``max_points``).

    Example:
        >>> import io, pandas as pd
        >>> from parindex.authoring.complete import load_methodology_table
        >>> t = load_methodology_table(pd.DataFrame({"id": ["1"], "max_points": [9.5]}))
        >>> list(t.columns)
        ['id', 'name_vi', 'name_en', 'max_points', 'method', 'rule']
        >>> t = load_methodology_table(pd.DataFrame({"id": ["2"], "name": ["Cải cách thể chế"]}))
        >>> t.loc[0, "name_vi"]
        'Cải cách thể chế'
    """
    import pandas as pd

    if isinstance(source, pd.DataFrame):
        frame = source.copy()
        name = "<table>"
    else:
        path = Path(source)
        name = str(path)
        if path.suffix.casefold() in (".xlsx", ".xlsm"):
            frame = worksheet_frame(read_worksheet_values(path))  # bounded and checked
        else:
            text = read_text_file(path)
            try:
                frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
            except (pd.errors.ParserError, pd.errors.EmptyDataError) as err:
                raise InputFormatError(f"{path}: invalid CSV ({err})") from None
            frame = frame.map(unneutralize_cell)  # a leading ' parindex added goes
    frame.columns = [str(c).strip().casefold() for c in frame.columns]
    if "id" not in frame.columns:
        raise InputFormatError(f"{name}: needs an 'id' column (columns: {', '.join(_COLUMNS)})")
    for alias, column in _ALIASES.items():
        if alias in frame.columns and column in frame.columns:
            raise InputFormatError(
                f"{name}: both {alias!r} and {column!r} columns ({alias!r} is another "
                f"spelling of {column!r}); keep one"
            )
    frame = frame.rename(columns=_ALIASES)
    unknown = sorted(set(frame.columns) - set(_COLUMNS))
    if unknown:
        raise InputFormatError(f"{name}: unknown columns {unknown} (known: {', '.join(_COLUMNS)})")
    for col in _COLUMNS:
        if col not in frame.columns:
            frame[col] = ""
    frame = frame[list(_COLUMNS)].fillna("").astype(str)
    for col in _COLUMNS:
        frame[col] = frame[col].str.strip()
    frame["id"] = frame["id"].str.removesuffix(".")
    dupes = frame["id"][frame["id"].duplicated()].tolist()
    if dupes:
        raise InputFormatError(f"{name}: id {dupes[0]!r} appears twice")
    return frame.reset_index(drop=True)


# --------------------------------------------------------------------------- comparing


@attrs.frozen
class Disagreement:
    """Where a table and the shipped skeleton disagree.

    Attributes:
        node: node id, ``component:<id>``, ``total`` or ``methodology``.
        what: ``max_points``, ``name``, ``missing``, ``counts.<kind>`` or ``split``.
        skeleton: the skeleton's value.
        table: the table's value.

    Example:
        >>> from parindex.authoring.complete import Disagreement
        >>> print(Disagreement("3", "max_points", 13.0, 12.0))
        node 3: max_points is 13 in the skeleton but 12 in the table
    """

    node: str
    what: str
    skeleton: object
    table: object

    def __str__(self) -> str:
        def fmt(x: object) -> str:
            return f"{x:g}" if isinstance(x, float) else str(x)

        return (
            f"node {self.node}: {self.what} is {fmt(self.skeleton)} in the skeleton but "
            f"{fmt(self.table)} in the table"
        )


def compare_with_skeleton(skeleton: Methodology, table: pd.DataFrame) -> list[Disagreement]:
    """Every disagreement between a tidy table and a (partial) methodology: node
    maxima, nodes the skeleton lists but the table lacks, declared counts (overall and
    per node), component maxima and the survey/appraisal split of the leaves, total.

    Example:
        >>> import pandas as pd, parindex
        >>> t = pd.DataFrame({"id": ["1", "3"], "max_points": ["9.5", "12"]})
        >>> [str(d) for d in parindex.authoring.complete.compare_with_skeleton(
        ...     parindex.get_methodology("province-2022"), t) if d.what == "max_points"]
        ['node 3: max_points is 13 in the skeleton but 12 in the table']
    """
    table = load_methodology_table(table)
    rows, comps, total = table_rows(table)
    children, grandchildren = by_ancestor(rows, 1), by_ancestor(rows, 2)
    out: list[Disagreement] = []
    known_total = skeleton.total_max
    if total is not None and known_total is not None and abs(total - known_total) > TOLERANCE:
        out.append(Disagreement("total", "max_points", known_total, total))
    for node in skeleton.nodes():
        row = rows.get(node.id)
        if row is None:
            out.append(Disagreement(node.id, "missing", "listed", "absent"))
            continue
        got = maximum(row["max_points"], node.id)
        if (
            node.max_points is not None
            and got is not None
            and abs(got - node.max_points) > TOLERANCE
        ):
            out.append(Disagreement(node.id, "max_points", node.max_points, got))
        kids, grand = children.get(node.id, []), grandchildren.get(node.id, [])
        for kind, listed in (
            ("criteria", kids),
            ("sub_criteria", grand if node.id.count(".") == 0 else kids),
        ):
            if node.id.count(".") == 1 and kind == "criteria":
                continue
            declared = node.counts.get(kind)
            if declared is not None and declared != len(listed):
                out.append(Disagreement(node.id, f"counts.{kind}", declared, len(listed)))
    counts = depth_counts(list(rows))
    for kind in ("fields", "criteria", "sub_criteria"):
        declared = skeleton.counts.get(kind)
        if declared is not None and declared != counts[kind]:
            out.append(Disagreement("methodology", f"counts.{kind}", declared, counts[kind]))
    for comp in skeleton.components:
        got_c = comps.get(comp.id)
        if (
            comp.max_points is not None
            and got_c is not None
            and abs(got_c - comp.max_points) > TOLERANCE
        ):
            out.append(Disagreement(f"component:{comp.id}", "max_points", comp.max_points, got_c))
    inner = {k.rsplit(".", n)[0] for k in rows for n in range(1, k.count(".") + 1)}
    leaves = [k for k in rows if k not in inner]
    by_method: dict[str, float] = {}
    all_known = True
    for leaf in leaves:
        method = METHODS.get(rows[leaf]["method"].casefold())
        mx = maximum(rows[leaf]["max_points"], leaf)
        if method is None or mx is None:
            all_known = False
            continue
        by_method[method] = by_method.get(method, 0.0) + mx
    for method in dict.fromkeys(c.method for c in skeleton.components if c.method):
        same = [c.max_points for c in skeleton.components if c.method == method]
        if any(x is None for x in same):
            continue
        total_same = math.fsum(x for x in same if x is not None)
        got_m = by_method.get(method, 0.0)
        # Leaves worth more than their components contradict the skeleton whatever the
        # unmarked leaves are; fewer do only when every leaf says how it is assessed.
        if got_m > total_same + TOLERANCE or (
            all_known and leaves and abs(got_m - total_same) > TOLERANCE
        ):
            out.append(Disagreement(f"component:{method}", "split", total_same, got_m))
    return out


# --------------------------------------------------------------------------- building


def _build_node(
    node_id: str, rows: _Table, children: Mapping[str, list[str]], skel: Methodology, keep: bool
) -> Node:
    row = rows[node_id]
    old = skel.node(node_id) if skel.has_node(node_id) else None
    kids = sorted(children.get(node_id, ()), key=natural)
    method_cell = row["method"].casefold()
    method = METHODS.get(method_cell) if method_cell else None
    if method_cell and method is None:
        raise MethodologyError(
            f"node {node_id}: method {row['method']!r} is not understood (appraisal or survey)",
            node=node_id,
        )
    return Node(
        id=node_id,
        name_vi=row["name_vi"] or (old.name_vi if old else ""),
        name_en=row["name_en"] or (old.name_en if old else ""),
        max_points=maximum(row["max_points"], node_id),
        method=method,
        rule=parse_rule(row["rule"], node=node_id),
        children=tuple(_build_node(k, rows, children, skel, keep) for k in kids),
        counts=dict(old.counts) if old and keep else {},
        source="table",
        note=old.note if old else "",
    )


def _completed_total(
    skeleton: Methodology,
    stated: float | None,
    tree: tuple[Node, ...],
    components: tuple[ScoreComponent, ...],
) -> tuple[float, str | None]:
    """The completed methodology's total and its source: the table's ``total`` row,
    else the skeleton's known total, else what the annex's fields (or, with no fields,
    its score components) add up to. A complete annex lists every field, so its fields
    are the whole total; that is read from the annex, not guessed. With none of these,
    the table is refused: a complete methodology needs its total."""
    if stated is not None:
        return stated, "table"
    if skeleton.total_max is not None:
        return skeleton.total_max, skeleton.total_source
    parts = [n.max_points for n in tree] or [c.max_points for c in components]
    if parts and all(x is not None for x in parts):
        return math.fsum(x for x in parts if x is not None), "table"
    blank = [n.id for n in tree if n.max_points is None]
    raise MethodologyError(
        f"the total maximum is unknown: {skeleton.id} does not state it and the table has "
        "no total row"
        + (f" and no maximum for field{'s' * (len(blank) > 1)} {', '.join(blank)}" if blank else "")
        + ": give a total row (id 'total') or every field's maximum",
        node=blank[0] if blank else None,
    )


def _components(
    skeleton: Methodology, stated: Mapping[str, float | None], overruled: Collection[str]
) -> tuple[ScoreComponent, ...]:
    """The skeleton's components with the table's maxima. A component of a method in
    ``overruled`` (whose split the accepted table's leaves contradict) whose maximum
    the table does not give is left unknown, not kept against the table."""
    out = []
    for c in skeleton.components:
        dropped = c.id not in stated and c.method in overruled
        out.append(
            attrs.evolve(
                c,
                max_points=None if dropped else stated.get(c.id, c.max_points),
                source=None if dropped else "table" if c.id in stated else c.source,
            )
        )
    known = {c.id for c in skeleton.components}
    extra = (ScoreComponent(id=k, max_points=v, source="table") for k, v in stated.items())
    return (*out, *(c for c in extra if c.id not in known))


def complete_methodology(
    skeleton: Methodology,
    table: str | Path | pd.DataFrame,
    *,
    accept_table: bool = False,
    source_url: str = "user-supplied table",
    confidence: Literal["P", "S", "I"] = "P",
    new_id: str | None = None,
) -> Methodology:
    """A complete methodology from a tidy table, checked against ``skeleton``.

    The result keeps the skeleton's provenance, decision, years, bands and ranking; its
    tree, component maxima and total come from the table, cited to a new source
    ``table`` (``source_url``, ``confidence``). It is marked complete (save as said
    under ``accept_table`` below), so construction checks that every maximum is known
    and the children add up to their parent.

    The total is the table's ``total`` row when it has one (checked against the
    skeleton's total where that is known), else the skeleton's total, else, for a
    skeleton whose total is unknown, what the table's fields add up to (the annex lists
    every field, so they make up the total).

    Whatever is returned passes :func:`~parindex.authoring.validate.check_methodology`
    without an error (what ``parindex validate`` reports). In particular the leaves
    marked ``appraisal`` must make up the appraisal component (and so for any
    component that is the only one of its method).

    With ``accept_table=True`` the table's values are used over the skeleton's and the
    disagreements recorded in ``notes``; what neither then states is left unknown and
    said in ``notes`` and in a :class:`~parindex.errors.ParIndexWarning`: a component
    whose split the table's leaves contradict loses its maximum, and a table whose
    leaves fall short of a component because some have no method gives a methodology
    not marked complete (which leaves are assessed by that method is unknown).

    Raises:
        MethodologyError: the table disagrees with the skeleton (the message lists
            every disagreement with both values) and ``accept_table`` is false; the
            leaves marked with a method do not make up their component (the message
            names the check, the component, both numbers and the leaves without a
            method) and ``accept_table`` is false, or they are worth more than it; or
            the table is not a valid complete methodology.

    Example:
        >>> import pandas as pd, parindex
        >>> skel = parindex.get_methodology("province-2022")
        >>> t = pd.DataFrame({"id": ["3"], "max_points": ["12"]})
        >>> parindex.complete_methodology(skel, t)
        Traceback (most recent call last):
        ...
        parindex.errors.MethodologyError: the table disagrees with province-2022 in 11 places: node 3: max_points is 13 in the skeleton but 12 in the table; ...
    """
    frame = load_methodology_table(table)
    rank = {"max_points": 0, "split": 1}
    problems = sorted(compare_with_skeleton(skeleton, frame), key=lambda d: rank.get(d.what, 2))
    if problems and not accept_table:
        # Every one, not the first few: whoever fixes the table needs each node.
        shown = "; ".join(map(str, problems))
        raise MethodologyError(
            (
                f"the table disagrees with {skeleton.id} in {len(problems)} places: {shown}"
                if len(problems) > 1
                else f"the table disagrees with {skeleton.id}: {shown}"
            )
            + "; if the table is right, pass accept_table=True (its values are then used "
            "and each disagreement recorded in the result's notes)",
            node=problems[0].node,
        )
    rows, comps, total = table_rows(frame)
    tops = sorted((k for k in rows if "." not in k), key=natural)
    for k in rows:
        if "." in k and k.rsplit(".", 1)[0] not in rows:
            raise MethodologyError(
                f"node {k}: its parent {k.rsplit('.', 1)[0]!r} is not in the table", node=k
            )
    children = by_ancestor(rows, 1)
    tree = tuple(_build_node(k, rows, children, skeleton, not problems) for k in tops)
    overruled = {d.node.removeprefix("component:"): d for d in problems if d.what == "split"}
    components = _components(skeleton, comps, overruled)
    unknown = [
        f"the maximum of {c.id} is left unknown (the table's leaves assessed by {c.method} "
        f"add up to {overruled[c.method].table:g}, not the skeleton's "
        f"{overruled[c.method].skeleton:g})"
        for c in components
        if c.max_points is None and c.method in overruled
    ]
    total_max, total_source = _completed_total(skeleton, total, tree, components)
    try:
        done = attrs.evolve(
            skeleton,
            id=new_id or f"{skeleton.id}-completed",
            aliases=(),
            tree=tree,
            components=components,
            total_max=total_max,
            # the counts now come from the table: cite it where the skeleton cites nothing
            source=skeleton.source or "table",
            total_source=total_source,
            complete=True,
            sources={**skeleton.sources, "table": Source(source_url, confidence)},
            counts={
                **{k: v for k, v in skeleton.counts.items() if k not in _TREE_KEYS},
                **{k: v for k, v in depth_counts(rows).items() if v},
            },
        )
        done, partial = settle_split(done, comps, accept_table=accept_table)
    except MethodologyError:
        raise
    except (TypeError, ValueError) as err:
        raise MethodologyError(f"the completed methodology is invalid: {err}") from None
    unknown += [partial] if partial else []
    said = [skeleton.notes] if skeleton.notes else []
    if problems:
        said.append(
            "Completed from a table whose values were accepted over the skeleton's: "
            + "; ".join(map(str, problems))
            + "."
        )
    if unknown:
        text = "; ".join(unknown)
        said.append(f"{text[0].upper()}{text[1:]}.")
    done = attrs.evolve(done, notes=" ".join(said))
    ensure_valid(done)
    if unknown:
        warnings.warn(ParIndexWarning(f"{done.id}: {'; '.join(unknown)}"), stacklevel=2)
    return done
