"""Domain model: methodologies, criteria trees, score components, bands, units.

All classes are frozen and slotted; a methodology validates itself when built, so a
``Methodology`` object that exists is internally consistent.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Iterable, Iterator, Mapping
from typing import TYPE_CHECKING, Literal, TypeAlias

import attrs

from parindex.errors import MethodologyError, UnknownMethodologyError
from parindex.rules import Rule

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "COMPONENT_IDS",
    "AdministrativeUnit",
    "Band",
    "Decision",
    "Method",
    "Methodology",
    "Node",
    "RankingPolicy",
    "ScoreComponent",
    "Source",
    "TiePolicy",
]

Method: TypeAlias = Literal["appraisal", "survey"]
"""How a leaf is scored: appraised self-assessment (thẩm định) or survey (điều tra XHH)."""

TiePolicy: TypeAlias = Literal["min", "dense", "average", "first", "max"]
"""Tie handling, named as in :meth:`pandas.Series.rank`."""

COMPONENT_IDS = ("appraisal", "survey", "sipas", "leader_survey", "impact")
"""Score components a methodology may declare (a second partition of the total)."""

_ID = re.compile(r"^[0-9A-Za-z]+(\.[0-9A-Za-z]+)*$")
_LEVEL = re.compile(r"^[a-z][a-z0-9_]*$")
_TOL = 1e-9


def _nodes(items: Iterable[Node]) -> tuple[Node, ...]:
    return tuple(items)


def _components(items: Iterable[ScoreComponent]) -> tuple[ScoreComponent, ...]:
    return tuple(items)


def _ints(items: Iterable[int]) -> tuple[int, ...]:
    return tuple(items)


def _strs(items: Iterable[str]) -> tuple[str, ...]:
    return tuple(items)


def _fmt(x: float | None) -> str:
    return "unknown" if x is None else f"{x:g}"


def _opt_float(x: object) -> float | None:
    return None if x is None else float(x)  # type: ignore[arg-type]


def _check_max(_inst: object, attribute: attrs.Attribute[float | None], x: float | None) -> None:
    if x is not None and not (math.isfinite(x) and x >= 0):
        raise MethodologyError(f"{attribute.name} must be a finite number >= 0, got {x!r}")


@attrs.frozen
class Source:
    """Where a fact comes from: a URL and a confidence label.

    Confidence: ``P`` primary text, ``S`` secondary report quoting it, ``I`` inference.

    Example:
        >>> from parindex import Source
        >>> Source("https://example.org/qd-876", "S").confidence
        'S'
    """

    url: str = attrs.field(validator=attrs.validators.min_len(1))
    confidence: Literal["P", "S", "I"] = attrs.field(
        default="S", validator=attrs.validators.in_(("P", "S", "I"))
    )
    note: str = ""


@attrs.frozen
class Decision:
    """The legal act that issues a methodology (quyết định).

    Example:
        >>> import datetime as dt
        >>> from parindex import Decision
        >>> Decision("876/QĐ-BNV", dt.date(2022, 11, 10), "Bộ Nội vụ").number
        '876/QĐ-BNV'
    """

    number: str | None
    date: dt.date | None = None
    issuer: str | None = None
    title: str | None = None
    effective: dt.date | None = None
    """Date the decision takes effect (hiệu lực), when the source states it."""
    replaces: str | None = None
    """The decision this one replaces (thay thế), as written in the source."""


@attrs.frozen
class ScoreComponent:
    """A score component (e.g. appraisal 61.5 + impact 6.5 + leader survey 22 +
    SIPAS 10 = 100 in the 2023 provincial index): a second way to split the total,
    across fields. ``allow_na`` marks an optional component (Hà Nội's survey): a unit
    that did not hold it has it removed from the maximum.

    Example:
        >>> from parindex import ScoreComponent
        >>> ScoreComponent("sipas", 10.0).max_points
        10.0
    """

    id: str = attrs.field(validator=attrs.validators.in_(COMPONENT_IDS))
    max_points: float | None = attrs.field(default=None, converter=_opt_float, validator=_check_max)
    name_vi: str = ""
    name_en: str = ""
    method: Method | None = None
    allow_na: bool = False
    source: str | None = None


@attrs.frozen
class Band:
    """A band (nhóm / xếp loại) on the index, e.g. A: 90 <= index, B: 80 <= index < 90.

    Example:
        >>> from parindex import Band
        >>> Band("B", lower=80, upper=90).contains(89.999)
        True
    """

    label: str
    lower: float | None = attrs.field(default=None, converter=_opt_float)
    upper: float | None = attrs.field(default=None, converter=_opt_float)
    lower_inclusive: bool = True
    upper_inclusive: bool = False
    source: str | None = None

    def __attrs_post_init__(self) -> None:
        for x in (self.lower, self.upper):
            if x is not None and not math.isfinite(x):
                raise MethodologyError(f"band {self.label!r}: bounds must be finite, got {x!r}")

    def describe(self) -> str:
        """The band in words, e.g. ``'B ≥ 80 < 90'``.

        Example:
            >>> from parindex import Band
            >>> Band("B", lower=80, upper=90).describe(), Band("D", upper=70).describe()
            ('B ≥ 80 < 90', 'D < 70')
        """
        parts = [self.label]
        if self.lower is not None:
            parts.append(f"{'≥' if self.lower_inclusive else '>'} {self.lower:g}")
        if self.upper is not None:
            parts.append(f"{'≤' if self.upper_inclusive else '<'} {self.upper:g}")
        return " ".join(parts)

    def contains(self, index: float) -> bool:
        """Whether ``index`` falls in this band.

        Example:
            >>> import parindex
            >>> m = parindex.get_methodology("illustrative-district")
            >>> [band.label for band in m.bands_for() if band.contains(81.01)]
            ['Tốt']
        """
        if self.lower is not None and not (
            index >= self.lower if self.lower_inclusive else index > self.lower
        ):
            return False
        return self.upper is None or (
            index <= self.upper if self.upper_inclusive else index < self.upper
        )


@attrs.frozen
class RankingPolicy:
    """How units are ranked.

    Attributes:
        ties: tie policy (``min`` = 1, 2, 2, 4 is the default; ``dense`` = 1, 2, 2, 3;
            ``average``; ``first``; ``max``). The official tie rule is not published.
        precision: rank on the index rounded half-up to this many decimals; ``None``
            (default) ranks on the unrounded index (to 1e-9, below which is float noise).
        within_groups: rank separately within each peer group when units have groups.
        unranked: units scored but not ranked (e.g. under 876/QĐ-BNV the Government
            Inspectorate and the Committee for Ethnic Minority Affairs).

    Example:
        >>> from parindex import RankingPolicy
        >>> RankingPolicy(ties="dense").ties
        'dense'
    """

    ties: TiePolicy = attrs.field(
        default="min", validator=attrs.validators.in_(("min", "dense", "average", "first", "max"))
    )
    precision: int | None = None
    within_groups: bool = True
    unranked: tuple[str, ...] = attrs.field(default=(), converter=_strs)
    source: str | None = None


@attrs.frozen
class Node:
    """A node of a criteria tree: a field (lĩnh vực), criterion (tiêu chí) or
    sub-criterion (tiêu chí thành phần), numbered as in the decision ("3", "3.2",
    "3.2.1").

    ``max_points`` is ``None`` when unknown. A leaf may carry a ``rule`` and an
    assessment ``method``. ``children_complete`` says whether ``children`` lists every
    child the decision has (then their maxima must add up to this node's); ``None``
    inherits the methodology's ``complete`` flag.

    Example:
        >>> from parindex import Node
        >>> Node("3", "Cải cách thủ tục hành chính", max_points=14.5).is_leaf
        True
    """

    id: str = attrs.field()
    name_vi: str = ""
    name_en: str = ""
    max_points: float | None = attrs.field(default=None, converter=_opt_float, validator=_check_max)
    method: Method | None = attrs.field(
        default=None,
        validator=attrs.validators.optional(attrs.validators.in_(("appraisal", "survey"))),
    )
    rule: Rule | None = None
    children: tuple[Node, ...] = attrs.field(default=(), converter=_nodes)
    allow_na: bool = True
    children_complete: bool | None = None
    counts: Mapping[str, int] = attrs.field(factory=dict)
    source: str | None = None
    note: str = ""

    @id.validator
    def _check_id(self, _attr: object, value: str) -> None:
        if not isinstance(value, str) or not _ID.match(value):
            raise MethodologyError(
                f"node id {value!r} is not well formed (use the decision's numbering, "
                "e.g. '3', '3.2', '3.2.1')",
                node=str(value),
            )

    @property
    def is_leaf(self) -> bool:
        """True when the node has no children (in what is known of the tree).

        Example:
            >>> import parindex
            >>> m = parindex.get_methodology("illustrative-district")
            >>> m.node("3").is_leaf, m.node("3.2.1").is_leaf
            (False, True)
        """
        return not self.children

    def walk(self) -> Iterator[Node]:
        """This node and its descendants, in pre-order.

        Example:
            >>> import parindex
            >>> m = parindex.get_methodology("illustrative-district")
            >>> [n.id for n in m.node("3.2").walk()]
            ['3.2', '3.2.1', '3.2.2', '3.2.3']
        """
        yield self
        for child in self.children:
            yield from child.walk()


@attrs.frozen
class AdministrativeUnit:
    """A unit that is scored: a ministry, province, department (sở), district (huyện),
    commune (xã), ward (phường), special zone (đặc khu), ...

    ``level`` is an open set of lower-case names; ``group`` is the peer group the unit
    is ranked in.

    Example:
        >>> from parindex import AdministrativeUnit
        >>> AdministrativeUnit("66", "Đắk Lắk", "province").name
        'Đắk Lắk'
    """

    code: str = attrs.field(validator=attrs.validators.min_len(1))
    name: str = attrs.field(validator=attrs.validators.min_len(1))
    level: str = attrs.field(validator=attrs.validators.matches_re(_LEVEL))
    parent: str | None = None
    group: str | None = None
    name_en: str | None = None


def _bands_overlap(a: Band, b: Band) -> bool:
    """Whether some index falls in both bands."""
    lo_a = -math.inf if a.lower is None else a.lower
    lo_b = -math.inf if b.lower is None else b.lower
    hi_a = math.inf if a.upper is None else a.upper
    hi_b = math.inf if b.upper is None else b.upper
    lo, hi = max(lo_a, lo_b), min(hi_a, hi_b)
    if lo < hi:
        return True
    if lo > hi:
        return False
    return a.contains(lo) and b.contains(lo)


def _validate_children_sum(node: Node, complete: bool) -> None:
    if not node.children:
        return
    maxima = [c.max_points for c in node.children]
    known = [m for m in maxima if m is not None]
    here_complete = complete if node.children_complete is None else node.children_complete
    if node.max_points is None:
        return
    total = math.fsum(known)
    if total > node.max_points + _TOL:
        raise MethodologyError(
            f"node {node.id}: children's maxima add up to {total:g}, more than the node's "
            f"maximum {node.max_points:g}",
            node=node.id,
        )
    if here_complete and len(known) == len(maxima) and abs(total - node.max_points) > _TOL:
        raise MethodologyError(
            f"node {node.id}: children's maxima add up to {total:g}, not the node's maximum "
            f"{node.max_points:g} (the tree is marked complete here)",
            node=node.id,
        )


@attrs.frozen
class Methodology:
    """A versioned PAR INDEX methodology (bộ chỉ số): a criteria tree with maxima and
    rules, score components, bands, a ranking policy and its provenance.

    Build one from a file with :func:`parindex.load_methodology` or get a shipped one
    with :func:`parindex.get_methodology`. Construction validates ids (unique, well
    formed, numbered under their parent), maxima (children never exceed their parent,
    and add up to it where the tree is complete), rules against their node's maximum,
    components against the total, and that every cited source key exists.

    Example:
        >>> import parindex
        >>> m = parindex.get_methodology("province-2017")
        >>> m.decision.number, m.total_max, [n.max_points for n in m.tree]
        ('2948/QĐ-BNV', 100.0, [10.0, 10.0, 14.5, 11.0, 16.0, 7.0, 16.0, 15.5])
    """

    id: str = attrs.field(validator=attrs.validators.matches_re(r"^[a-z0-9][a-z0-9._-]*$"))
    name_vi: str
    name_en: str
    level: str = attrs.field(validator=attrs.validators.matches_re(_LEVEL))
    decision: Decision
    evaluation_years: tuple[int, ...] = attrs.field(converter=_ints)
    total_max: float | None = attrs.field(converter=_opt_float)
    """The total maximum (tổng điểm tối đa); ``None`` when no source states it. Points
    still add up without it, but the total's maximum and index stay unknown."""
    tree: tuple[Node, ...] = attrs.field(converter=_nodes)
    complete: bool = False
    official: bool = True
    sources: Mapping[str, Source] = attrs.field(factory=dict)
    source: str | None = None
    components: tuple[ScoreComponent, ...] = attrs.field(default=(), converter=_components)
    bands: Mapping[int, tuple[Band, ...]] = attrs.field(factory=dict)
    ranking: RankingPolicy = attrs.field(factory=RankingPolicy)
    counts: Mapping[str, int] = attrs.field(factory=dict)
    aliases: tuple[str, ...] = attrs.field(default=(), converter=_strs)
    issuer_region: str | None = None
    notes: str = ""
    total_source: str | None = None
    """Source key for ``total_max`` when it differs from ``source`` (e.g. an inference)."""
    _index: Mapping[str, Node] = attrs.field(init=False, repr=False, eq=False)

    def __attrs_post_init__(self) -> None:
        if self.total_max is None:
            if self.complete:
                raise MethodologyError(
                    f"{self.id}: the total maximum is unknown (total_max null) but the "
                    "methodology is marked complete"
                )
        elif not (math.isfinite(self.total_max) and self.total_max > 0):
            raise MethodologyError(f"{self.id}: total_max must be > 0, got {self.total_max!r}")
        index: dict[str, Node] = {}
        for top in self.tree:
            self._index_subtree(top, None, index)
        object.__setattr__(self, "_index", index)
        for comp in self.components:
            if comp.id in index:
                raise MethodologyError(
                    f"{self.id}: component id {comp.id!r} clashes with a node id", node=comp.id
                )
        self._check_partition(
            "fields",
            [(n.id, n.max_points) for n in self.tree],
            complete_required=self.complete or self.counts.get("fields") == len(self.tree),
        )
        comp_ids = [c.id for c in self.components]
        if len(set(comp_ids)) != len(comp_ids):
            raise MethodologyError(f"{self.id}: a score component is declared twice")
        if self.components:
            self._check_partition(
                "score components",
                [(c.id, c.max_points) for c in self.components],
                complete_required=True,
            )
        if self.total_max is None:
            self._check_partitions_agree()
        for node in index.values():
            _validate_children_sum(node, self.complete)
            if node.rule is not None:
                if node.children:
                    raise MethodologyError(
                        f"node {node.id}: only leaves carry a rule", node=node.id
                    )
                node.rule.check(node.max_points, node.id)
            if self.complete and node.max_points is None:
                raise MethodologyError(
                    f"{self.id}: node {node.id} has no maximum but the methodology is "
                    "marked complete",
                    node=node.id,
                )
        self._check_sources(index)
        for year, bands in self.bands.items():
            if year not in self.evaluation_years:
                raise MethodologyError(
                    f"{self.id}: bands given for {year}, which is not an evaluation year "
                    f"({', '.join(map(str, self.evaluation_years))})"
                )
            labels = [b.label for b in bands]
            if len(set(labels)) != len(labels):
                raise MethodologyError(f"{self.id}: band labels repeat in {year}")
            for i, a in enumerate(bands):
                for b in bands[i + 1 :]:
                    if _bands_overlap(a, b):
                        raise MethodologyError(
                            f"{self.id}: bands {a.label!r} and {b.label!r} overlap in {year}; "
                            "an index would fall in both"
                        )

    def _index_subtree(self, node: Node, parent: Node | None, index: dict[str, Node]) -> None:
        if node.id in index:
            raise MethodologyError(f"{self.id}: node id {node.id!r} appears twice", node=node.id)
        if parent is not None and node.id.rsplit(".", 1)[0] != parent.id:
            raise MethodologyError(
                f"{self.id}: node {node.id!r} is listed under {parent.id!r} but its number "
                f"does not continue {parent.id!r} (expected {parent.id}.N)",
                node=node.id,
            )
        if parent is None and "." in node.id:
            raise MethodologyError(
                f"{self.id}: top-level node {node.id!r} must not contain a dot", node=node.id
            )
        index[node.id] = node
        for child in node.children:
            self._index_subtree(child, node, index)

    def _check_partition(
        self, what: str, parts: list[tuple[str, float | None]], *, complete_required: bool
    ) -> None:
        if self.total_max is None:  # nothing to check against; see _check_partitions_agree
            return
        known = [m for _, m in parts if m is not None]
        total = math.fsum(known)
        if total > self.total_max + _TOL:
            raise MethodologyError(
                f"{self.id}: {what} maxima add up to {total:g}, more than the total "
                f"{self.total_max:g}"
            )
        exhaustive = complete_required and parts and len(known) == len(parts)
        if exhaustive and abs(total - self.total_max) > _TOL:
            raise MethodologyError(
                f"{self.id}: {what} maxima add up to {total:g}, not the total {self.total_max:g}"
            )

    def _check_partitions_agree(self) -> None:
        # Without a total, the fields and the components are still two partitions of
        # the same points: where both are fully known they must agree with each other.
        # Their sum is not taken as the total (see check_methodology's total-unknown).
        fields = self._known_sum("fields")
        comps = self._known_sum("components")
        if fields is not None and comps is not None and abs(fields - comps) > _TOL:
            raise MethodologyError(
                f"{self.id}: fields maxima add up to {fields:g} but score components "
                f"maxima add up to {comps:g}"
            )

    def _known_sum(self, what: Literal["fields", "components"]) -> float | None:
        """What the fields (listed exhaustively) or the score components add up to,
        when every maximum is known; ``None`` otherwise. Informative only: never taken
        as the total maximum when ``total_max`` is unknown."""
        if what == "fields":
            if not self.tree or not self.children_exhaustive(None):
                return None
            maxima = [n.max_points for n in self.tree]
        else:
            maxima = [c.max_points for c in self.components]
        if not maxima or any(x is None for x in maxima):
            return None
        return math.fsum(x for x in maxima if x is not None)

    def _check_sources(self, index: Mapping[str, Node]) -> None:
        cited: list[tuple[str, str | None]] = [(f"node {n.id}", n.source) for n in index.values()]
        cited += [(f"component {c.id}", c.source) for c in self.components]
        cited += [("ranking", self.ranking.source), ("methodology", self.source)]
        cited += [("total_max", self.total_source)]
        cited += [(f"band {b.label}", b.source) for bands in self.bands.values() for b in bands]
        for where, key in cited:
            if key is not None and key not in self.sources:
                raise MethodologyError(
                    f"{self.id}: {where} cites source {key!r}, which is not in 'sources'"
                )

    # ------------------------------------------------------------------ display

    def __repr__(self) -> str:
        nodes = sum(1 for _ in self.nodes())
        official = "" if self.official else ", not official"
        return (
            f"<Methodology {self.id} ({self.decision.number or 'decision unknown'}): "
            f"{len(self.tree)} fields, {nodes} nodes{official}>"
        )

    def _repr_html_(self) -> str:
        from parindex._display import methodology_html

        return methodology_html(self)

    def to_frame(self, *, wide: bool = False) -> pd.DataFrame:
        """One row per node in decision order: ``node, parent, depth, name_vi,
        name_en, max_points`` (NaN where unknown), ``method, rule`` (in words),
        ``allow_na``. ``wide=True`` gives one row per leaf with its path as columns
        ``level_1, level_2, ...`` instead.

        Example:
            >>> import parindex
            >>> frame = parindex.get_methodology("province-2017").to_frame()
            >>> frame[["node", "max_points"]].head(2).to_dict("records")
            [{'node': '1', 'max_points': 10.0}, {'node': '2', 'max_points': 10.0}]
        """
        from parindex._display import methodology_frame

        return methodology_frame(self, wide=wide)

    # ------------------------------------------------------------------ queries

    def nodes(self) -> Iterator[Node]:
        """Every node, in pre-order (the order the decision lists them).

        Example:
            >>> import parindex
            >>> m = parindex.get_methodology("illustrative-district")
            >>> [n.id for n in m.nodes()][:6]
            ['1', '1.1', '1.1.1', '1.1.2', '1.2', '1.2.1']
        """
        for top in self.tree:
            yield from top.walk()

    def node(self, node_id: str) -> Node:
        """The node with this id.

        Raises:
            KeyError: no such node.

        Example:
            >>> import parindex
            >>> m = parindex.get_methodology("illustrative-district")
            >>> m.node("3.2.1").name_vi, m.node("3.2.1").max_points
            ('Tỷ lệ hồ sơ giải quyết đúng hạn', 6.0)
            >>> m.node("9")
            Traceback (most recent call last):
            ...
            KeyError: "illustrative-district has no node '9'"
        """
        try:
            return self._index[node_id]
        except KeyError:
            raise KeyError(f"{self.id} has no node {node_id!r}") from None

    def has_node(self, node_id: str) -> bool:
        """Whether the tree has a node with this id.

        Example:
            >>> import parindex
            >>> m = parindex.get_methodology("illustrative-district")
            >>> m.has_node("3.2.1"), m.has_node("3.2.9")
            (True, False)
        """
        return node_id in self._index

    def component(self, component_id: str) -> ScoreComponent:
        """The score component with this id.

        Raises:
            KeyError: no such component.

        Example:
            >>> import parindex
            >>> parindex.get_methodology("ministry-2022").component("survey").max_points
            31.5
        """
        for comp in self.components:
            if comp.id == component_id:
                return comp
        raise KeyError(f"{self.id} has no score component {component_id!r}")

    def parent_of(self, node_id: str) -> str | None:
        """The parent's id, or ``None`` for a field.

        Example:
            >>> import parindex
            >>> m = parindex.get_methodology("illustrative-district")
            >>> m.parent_of("3.2.1"), m.parent_of("3")
            ('3.2', None)
        """
        self.node(node_id)
        return node_id.rsplit(".", 1)[0] if "." in node_id else None

    def max_points_of(self, node_id: str) -> float | None:
        """The node's maximum: declared, or else the sum of its children's when all are
        known; ``None`` when the data cannot determine it.

        Example:
            >>> import parindex
            >>> parindex.get_methodology("illustrative-district").max_points_of("3.2")
            12.0
            >>> print(parindex.get_methodology("ministry-2022").max_points_of("1"))  # field maxima unknown
            None
        """
        node = self.node(node_id)
        if node.max_points is not None:
            return node.max_points
        if not node.children:
            return None
        parts = [self.max_points_of(c.id) for c in node.children]
        if any(p is None for p in parts) or not self.children_exhaustive(node_id):
            return None
        return math.fsum(p for p in parts if p is not None)

    def children_exhaustive(self, node_id: str | None) -> bool:
        """Whether the listed children make up the whole node (``None``: the fields make
        up the total), so that the node's points are the sum of its children's.

        True when the data says so (``children_complete``, or a complete methodology),
        when a declared count matches (``counts.fields`` for the total), or when the
        children's known maxima add up to the node's maximum. Otherwise a partial tree
        may have children that are not listed, and summing the listed ones would
        understate the node, so its points stay unknown.

        Example:
            >>> import parindex
            >>> parindex.get_methodology("province-2017").children_exhaustive(None)
            True
        """
        if node_id is None:
            children: tuple[Node, ...] = self.tree
            mx: float | None = self.total_max
            flag = None
            if self.counts.get("fields") == len(children) and children:
                return True
        else:
            node = self.node(node_id)
            children, mx, flag = node.children, node.max_points, node.children_complete
        if not children:
            return False
        if flag is not None:
            return flag
        if self.complete:
            return True
        maxima = [c.max_points for c in children]
        known = [m for m in maxima if m is not None]
        return mx is not None and len(known) == len(maxima) and abs(math.fsum(known) - mx) <= _TOL

    def bands_for(self, year: int | None = None) -> tuple[Band, ...]:
        """Bands of an evaluation year (empty if none are known). With ``year=None``
        and a single evaluation year, that year's bands.

        Raises:
            UnknownMethodologyError: ``year`` is not one of the evaluation years (another
                methodology scored that year, with its own bands). A methodology without
                evaluation years has no bands, so any year gives none.

        Example:
            >>> import parindex
            >>> m = parindex.get_methodology("province-2022")
            >>> [b.label for b in m.bands_for(2023)]
            ['A', 'B']
            >>> m.bands_for(2021)
            Traceback (most recent call last):
            ...
            parindex.errors.UnknownMethodologyError: province-2022 (876/QĐ-BNV) covers 2022, 2023, 2024, not 2021
        """
        if year is None:
            if len(self.evaluation_years) != 1:
                return ()
            year = self.evaluation_years[0]
        if self.evaluation_years and year not in self.evaluation_years:
            decision = f" ({self.decision.number})" if self.decision.number else ""
            raise UnknownMethodologyError(
                f"{self.id}{decision} covers {', '.join(map(str, self.evaluation_years))}, "
                f"not {year}"
            )
        return self.bands.get(year, ())

    def describe_completeness(self) -> str:
        """One line saying what is and is not known of the tree.

        Example:
            >>> import parindex
            >>> parindex.get_methodology("province-2017").describe_completeness()
            'partial: 8 of 8 field maxima known, 0 nodes below field level'
        """
        fields = list(self.tree)
        known = sum(1 for n in fields if n.max_points is not None)
        below = sum(1 for _ in self.nodes()) - len(fields)
        state = "complete" if self.complete else "partial"
        return (
            f"{state}: {known} of {len(fields)} field maxima known, {below} nodes below field level"
        )
