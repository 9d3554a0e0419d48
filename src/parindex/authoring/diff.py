"""Comparing two methodologies: what a new decision added, removed, renamed or
re-weighted (so sánh hai bộ chỉ số)."""

from __future__ import annotations

import json
import math
import unicodedata
from typing import TYPE_CHECKING, Any, Literal, TypeAlias

import attrs

from parindex._numbers import TOLERANCE
from parindex.model.methodology import Methodology, Node, ensure_methodology

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["ChangeKind", "MethodologyChange", "MethodologyDiff", "diff_methodologies"]

ChangeKind: TypeAlias = Literal[
    "added",
    "removed",
    "renamed",
    "reweighted",
    "max_unknown",
    "counts",
    "component_added",
    "component_removed",
    "component_reweighted",
    "survey_share",
    "total",
]
"""What changed. ``max_unknown``: the maximum is known on one side only, so whether
the node was re-weighted cannot be told."""


def _same_name(a: str, b: str) -> bool:
    def norm(s: str) -> str:
        return " ".join(unicodedata.normalize("NFC", s).casefold().split())

    return norm(a) == norm(b)


def _fmt(x: object) -> str:
    if x is None:
        return "unknown"
    if isinstance(x, float):
        return f"{x:g}"
    return str(x)


@attrs.frozen
class MethodologyChange:
    """One difference between two methodologies.

    Attributes:
        kind: see :data:`ChangeKind`.
        node: the node id (``None`` for the methodology, ``component:<id>`` for a
            score component).
        before, after: the values compared (names, maxima, counts, shares).
        detail: what the values are (``name``, ``max_points``, ``counts.criteria`` ...).

    Example:
        >>> from parindex.authoring.diff import MethodologyChange
        >>> print(MethodologyChange("reweighted", "3", 14.5, 13.0, "max_points"))
        reweighted  3: max_points 14.5 -> 13
    """

    kind: ChangeKind
    node: str | None
    before: object
    after: object
    detail: str = ""

    def __str__(self) -> str:
        where = f"  {self.node}:" if self.node is not None else ":"
        if self.kind in ("added", "removed", "component_added", "component_removed"):
            value = self.after if self.kind.endswith("added") else self.before
            return f"{self.kind}{where} {_fmt(value)}"
        return f"{self.kind}{where} {self.detail} {_fmt(self.before)} -> {_fmt(self.after)}"


@attrs.frozen
class MethodologyDiff:
    """The differences from methodology ``a`` to ``b``; see :func:`diff_methodologies`.

    Example:
        >>> import parindex
        >>> diff = parindex.diff_methodologies("province-2017", "province-2022")
        >>> any(c.node == "7" and c.kind == "renamed" for c in diff)
        True
    """

    a: str
    b: str
    changes: tuple[MethodologyChange, ...]

    def __iter__(self) -> Any:
        return iter(self.changes)

    def __len__(self) -> int:
        return len(self.changes)

    def of_kind(self, kind: ChangeKind) -> list[MethodologyChange]:
        """The changes of one kind.

        Example:
            >>> import parindex
            >>> diff = parindex.diff_methodologies("province-2017", "province-2022")
            >>> [c.node for c in diff.of_kind("renamed")]
            ['2', '5', '7', '8']
        """
        return [c for c in self.changes if c.kind == kind]

    def to_frame(self) -> pd.DataFrame:
        """A tidy table: one row per change (kind, node, detail, before, after).

        Example:
            >>> import parindex
            >>> d = parindex.diff_methodologies("province-2017", "province-2022")
            >>> list(d.to_frame().columns)
            ['kind', 'node', 'detail', 'before', 'after']
        """
        import pandas as pd

        return pd.DataFrame(
            self._records(),
            columns=["kind", "node", "detail", "before", "after"],
            dtype=object,
        )

    def _records(self) -> list[dict[str, Any]]:
        return [
            {
                "kind": c.kind,
                "node": c.node,
                "detail": c.detail,
                "before": c.before,
                "after": c.after,
            }
            for c in self.changes
        ]

    def to_dict(self) -> dict[str, Any]:
        """Plain data (for JSON).

        Example:
            >>> import parindex
            >>> data = parindex.diff_methodologies("ministry-2020", "ministry-2022").to_dict()
            >>> data["from"], data["to"], data["changes"][0]
            ('ministry-2020', 'ministry-2022', {'kind': 'counts', 'node': None, 'detail': 'counts.criteria', 'before': 40, 'after': 38})
        """
        return {
            "from": self.a,
            "to": self.b,
            "changes": self._records(),
        }

    def to_json(self) -> str:
        """JSON text of :meth:`to_dict`.

        Example:
            >>> import json, parindex
            >>> diff = parindex.diff_methodologies("ministry-2020", "ministry-2022")
            >>> json.loads(diff.to_json()) == diff.to_dict()
            True
        """
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=2, allow_nan=False)

    def to_text(self) -> str:
        """One line per change, under a header.

        Example:
            >>> import parindex
            >>> print(parindex.diff_methodologies("ministry-2020", "ministry-2022").to_text())
            ... # doctest: +ELLIPSIS
            ministry-2020 -> ministry-2022: ...
            survey_share: survey points 36.5 -> 31.5
            ...
        """
        lines = [f"{self.a} -> {self.b}: {len(self.changes)} changes"]
        lines += [str(c) for c in self.changes]
        return "\n".join(lines)


def _survey_share(m: Methodology) -> float | None:
    survey = [c for c in m.components if c.method == "survey"]
    if not survey or any(c.max_points is None for c in survey):
        return None
    return math.fsum(c.max_points for c in survey if c.max_points is not None)


def _label(node: Node) -> str:
    mx = "max unknown" if node.max_points is None else f"max {node.max_points:g}"
    return f"{node.name_vi or node.name_en} ({mx})"


def diff_methodologies(a: Methodology, b: Methodology) -> MethodologyDiff:
    """What changed from methodology ``a`` to ``b`` (:func:`parindex.diff_methodologies`
    also takes ids, aliases, decision numbers and ``level-year`` keys).

    Nodes are matched by id (the decision's numbering). A node in one only is
    ``added`` or ``removed``; the same id with another name is ``renamed``; another
    maximum is ``reweighted`` (or ``max_unknown`` when one side does not know it).
    Declared counts, score components, the survey share (sum of the survey
    components) and the total are compared too.

    Example:
        >>> import parindex
        >>> d = parindex.diff_methodologies("province-2017", "province-2022")
        >>> [str(c) for c in d.of_kind("renamed") if c.node == "7"]
        ['renamed  7: name Hiện đại hóa hành chính -> Xây dựng và phát triển Chính quyền điện tử, Chính quyền số']
        >>> [str(c) for c in d.of_kind("reweighted")][:2]
        ['reweighted  1: max_points 10 -> 9.5', 'reweighted  3: max_points 14.5 -> 13']
    """
    ma, mb = ensure_methodology(a), ensure_methodology(b)
    out: list[MethodologyChange] = []
    ta, tb = ma.total_max, mb.total_max
    if (ta is None) != (tb is None):
        out.append(MethodologyChange("max_unknown", None, ta, tb, "total_max"))
    elif ta is not None and tb is not None and abs(ta - tb) > TOLERANCE:
        out.append(MethodologyChange("total", None, ta, tb, "total_max"))
    for key in sorted(set(ma.counts) | set(mb.counts)):
        ca, cb = ma.counts.get(key), mb.counts.get(key)
        if ca != cb:
            out.append(MethodologyChange("counts", None, ca, cb, f"counts.{key}"))
    sa, sb = _survey_share(ma), _survey_share(mb)
    if sa != sb:
        out.append(MethodologyChange("survey_share", None, sa, sb, "survey points"))
    comps_a = {c.id: c for c in ma.components}
    comps_b = {c.id: c for c in mb.components}
    for cid in [*comps_a, *(k for k in comps_b if k not in comps_a)]:
        where = f"component:{cid}"
        if cid not in comps_b:
            out.append(
                MethodologyChange(
                    "component_removed", where, comps_a[cid].max_points, None, "max_points"
                )
            )
        elif cid not in comps_a:
            out.append(
                MethodologyChange(
                    "component_added", where, None, comps_b[cid].max_points, "max_points"
                )
            )
        else:
            xa, xb = comps_a[cid].max_points, comps_b[cid].max_points
            if xa != xb:
                out.append(MethodologyChange("component_reweighted", where, xa, xb, "max_points"))
    nodes_a = {n.id: n for n in ma.nodes()}
    nodes_b = {n.id: n for n in mb.nodes()}
    order = [*nodes_a, *(k for k in nodes_b if k not in nodes_a)]
    for nid in order:
        na, nb = nodes_a.get(nid), nodes_b.get(nid)
        if na is None:
            if nb is not None:
                out.append(MethodologyChange("added", nid, None, _label(nb), "node"))
            continue
        if nb is None:
            out.append(MethodologyChange("removed", nid, _label(na), None, "node"))
            continue
        if na.name_vi and nb.name_vi and not _same_name(na.name_vi, nb.name_vi):
            out.append(MethodologyChange("renamed", nid, na.name_vi, nb.name_vi, "name"))
        xa, xb = na.max_points, nb.max_points
        if xa is not None and xb is not None:
            if abs(xa - xb) > TOLERANCE:
                out.append(MethodologyChange("reweighted", nid, xa, xb, "max_points"))
        elif xa is not None or xb is not None:
            out.append(MethodologyChange("max_unknown", nid, xa, xb, "max_points"))
        for key in sorted(set(na.counts) & set(nb.counts)):
            ca, cb = na.counts[key], nb.counts[key]
            if ca != cb:
                out.append(MethodologyChange("counts", nid, ca, cb, f"counts.{key}"))
    return MethodologyDiff(ma.id, mb.id, tuple(out))
