"""Reading the cells of a methodology table for :mod:`parindex.authoring.complete`:
numbers (a decimal comma too), the pieces of the compact rule syntax, a worksheet's
rows, the node / component / total rows, and the tree's shape (depths, ancestors, the
decision's order)."""

from __future__ import annotations

import csv
import io
import math
import re
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from parindex.errors import InputFormatError, MethodologyError
from parindex.io.components import score_components
from parindex.model.methodology import Method

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "METHODS",
    "by_ancestor",
    "depth_counts",
    "maximum",
    "natural",
    "number",
    "pairs",
    "table_rows",
    "tier",
    "worksheet_frame",
]

#: The method column's words and what they mean.
METHODS: dict[str, Method] = {
    "appraisal": "appraisal",
    "self": "appraisal",
    "tự đánh giá": "appraisal",
    "thẩm định": "appraisal",
    "survey": "survey",
    "điều tra": "survey",
    "điều tra xhh": "survey",
}
_NUM = r"[+-]?\d+(?:\.\d+)?"
_LOWER = re.compile(rf"^(>=|>)?\s*({_NUM})\s*%?$")
_UPPER = re.compile(rf"^(<=|<)?\s*({_NUM})\s*%?$")
_DEPTHS = ("fields", "criteria", "sub_criteria")


def number(text: str, what: str) -> float:
    """A finite number from a cell (a ``%`` sign is dropped).

    Example:
        >>> from parindex.authoring._complete_table import number
        >>> number(" 90% ", "node 1.1 rule")
        90.0
        >>> number("many", "node 1.1 rule")
        Traceback (most recent call last):
        ...
        parindex.errors.MethodologyError: node 1.1 rule: 'many' is not a number
    """
    try:
        value = float(text.strip().replace("%", ""))
    except ValueError:
        raise MethodologyError(f"{what}: {text!r} is not a number") from None
    if not math.isfinite(value):
        raise MethodologyError(f"{what}: {text!r} is not a finite number")
    return value


def pairs(body: str, what: str) -> list[tuple[str, str]]:
    """``name=value`` parts separated by ``;``.

    Example:
        >>> from parindex.authoring._complete_table import pairs
        >>> pairs("đúng hạn=1; chậm=0.5", "node 1.1 rule")
        [('đúng hạn', '1'), ('chậm', '0.5')]
    """
    out = []
    for part in filter(None, (p.strip() for p in body.split(";"))):
        key, sep, value = part.rpartition("=")
        if not sep or not key.strip():
            raise MethodologyError(f"{what}: expected 'name=value', got {part!r}")
        out.append((key.strip(), value.strip()))
    return out


def tier(text: str, what: str) -> dict[str, Any]:
    """One ``RANGE:POINTS`` tier as the rule's dictionary form.

    Example:
        >>> from parindex.authoring._complete_table import tier
        >>> tier("80-<100:0.5", "node 1.1 rule")
        {'points': 0.5, 'min_inclusive': 80.0, 'max_exclusive': 100.0}
    """
    rng, sep, pts = text.rpartition(":")
    if not sep:
        raise MethodologyError(f"{what}: a tier is 'RANGE:POINTS', got {text!r}")
    out: dict[str, Any] = {"points": number(pts, what)}
    rng = rng.strip().replace(" ", "")
    m = re.match(rf"^(>=|>)?({_NUM})%?-(<=|<)?({_NUM})%?$", rng)
    if m:
        out["min_exclusive" if m.group(1) == ">" else "min_inclusive"] = float(m.group(2))
        out["max_exclusive" if m.group(3) == "<" else "max_inclusive"] = float(m.group(4))
        return out
    if rng.startswith(">"):
        lo = _LOWER.match(rng)
        if lo:
            out["min_exclusive" if lo.group(1) == ">" else "min_inclusive"] = float(lo.group(2))
            return out
    if rng.startswith("<"):
        hi = _UPPER.match(rng)
        if hi:
            out["max_exclusive" if hi.group(1) == "<" else "max_inclusive"] = float(hi.group(2))
            return out
    raise MethodologyError(
        f"{what}: cannot read the range {rng!r} (use >=a, >a, <=b, <b, a-b, a-<b, >a-<=b)"
    )


def worksheet_frame(rows: list[tuple[object, ...]]) -> pd.DataFrame:
    """A worksheet's rows as ``pandas.read_excel(dtype=str)`` reads them: by the same
    parser rules (header row, blank rows, missing-value words), whole numbers without a
    decimal point, the rows after the last one holding a value left out.

    Example:
        >>> from parindex.authoring._complete_table import worksheet_frame
        >>> worksheet_frame([("id", "max_points"), ("1", 9.5), ("2", 12.0), (None, None)])
          id max_points
        0  1        9.5
        1  2         12
    """
    import pandas as pd

    def text(v: object) -> object:
        return int(v) if isinstance(v, float) and v.is_integer() else ("" if v is None else v)

    n = max((i + 1 for i, row in enumerate(rows) if any(v is not None for v in row)), default=0)
    buf = io.StringIO()
    csv.writer(buf).writerows([[text(v) for v in row] for row in rows[:n]])
    try:
        return pd.read_csv(io.StringIO(buf.getvalue()), dtype=str)
    except pd.errors.EmptyDataError:  # no cell holds anything
        return pd.DataFrame()


def maximum(cell: str, node: str) -> float | None:
    """A ``max_points`` cell: blank is unknown, a decimal comma is read as a point.

    Example:
        >>> from parindex.authoring._complete_table import maximum
        >>> maximum("9,5", "1"), maximum("", "2")
        (9.5, None)
    """
    if cell == "":
        return None
    if cell.count(",") == 1 and "." not in cell:
        cell = cell.replace(",", ".")  # a decimal comma, as in Vietnamese tables: 9,5
    value = number(cell, f"node {node} max_points")
    if value < 0:
        raise MethodologyError(f"node {node}: max_points {value:g} is negative", node=node)
    return value


def table_rows(
    table: pd.DataFrame,
) -> tuple[dict[str, dict[str, str]], dict[str, float | None], float | None]:
    """A normalised table split into its node rows (by id), its score component
    maxima and its ``total`` row.

    Example:
        >>> import pandas as pd
        >>> from parindex.authoring._complete_table import table_rows
        >>> from parindex.authoring.complete import load_methodology_table
        >>> t = load_methodology_table(pd.DataFrame(
        ...     {"id": ["1", "appraisal", "total"], "max_points": ["9.5", "61.5", "100"]}))
        >>> nodes, components, total = table_rows(t)
        >>> list(nodes), components, total
        (['1'], {'appraisal': 61.5}, 100.0)
    """
    nodes: dict[str, dict[str, str]] = {}
    comps: dict[str, float | None] = {}
    total: float | None = None
    component_ids = {c.id for c in score_components()}
    for rec in table.to_dict("records"):
        node_id = str(rec["id"])
        if node_id == "":
            raise InputFormatError("a table row has an empty id")
        if node_id.casefold() == "total":
            total = maximum(str(rec["max_points"]), "total")
        elif node_id in component_ids:
            comps[node_id] = maximum(str(rec["max_points"]), node_id)
        else:
            nodes[node_id] = {str(k): str(v) for k, v in rec.items()}
    return nodes, comps, total


def depth_counts(ids: Iterable[str]) -> dict[str, int]:
    """How many fields, criteria and sub-criteria the ids number.

    Example:
        >>> from parindex.authoring._complete_table import depth_counts
        >>> depth_counts(["1", "1.1", "1.2", "1.2.1", "2"])
        {'fields': 2, 'criteria': 2, 'sub_criteria': 1}
    """
    out = dict.fromkeys(_DEPTHS, 0)
    for node_id in ids:
        depth = node_id.count(".")
        if depth < len(_DEPTHS):
            out[_DEPTHS[depth]] += 1
    return out


def by_ancestor(ids: Iterable[str], up: int) -> dict[str, list[str]]:
    """Ids by their ancestor ``up`` levels above (in one pass, not one scan a node).

    Example:
        >>> from parindex.authoring._complete_table import by_ancestor
        >>> by_ancestor(["1", "1.1", "1.2", "1.2.1"], 1)
        {'1': ['1.1', '1.2'], '1.2': ['1.2.1']}
    """
    out: dict[str, list[str]] = {}
    for k in ids:
        if k.count(".") >= up:
            out.setdefault(k.rsplit(".", up)[0], []).append(k)
    return out


def natural(node_id: str) -> list[tuple[int, int | str]]:
    """A sort key putting ids in the decision's order (``1.2`` before ``1.10``).

    Example:
        >>> from parindex.authoring._complete_table import natural
        >>> sorted(["1.10", "1.2", "1.1"], key=natural)
        ['1.1', '1.2', '1.10']
    """
    return [(0, int(p)) if p.isdigit() else (1, p) for p in node_id.split(".")]
