"""Domain model: a methodology (bộ chỉ số) ties a criteria tree, score components,
bands and a ranking policy to the decision that issues it.

All classes are frozen and slotted; a methodology validates itself when built, so a
``Methodology`` object that exists is internally consistent. The parts live in
:mod:`parindex.model.parts`, :mod:`parindex.model.tree` and
:mod:`parindex.model.bands`; they are importable from here too.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable, Iterator, Mapping
from typing import TYPE_CHECKING, Literal

import attrs

from parindex._display import html_of
from parindex._numbers import TOLERANCE
from parindex.errors import (
    InputFormatError,
    LimitExceededError,
    MethodologyError,
    UnknownMethodologyError,
)
from parindex.limits import MAX_BANDS, MAX_YEAR, MIN_YEAR
from parindex.model.bands import Band, RankingPolicy, TiePolicy, _first_overlap
from parindex.model.parts import (
    _LEVEL,
    AdministrativeUnit,
    Decision,
    Method,
    ScoreComponent,
    Source,
    _opt_float,
    _strs,
    check_label,
)
from parindex.model.tree import Node, _nodes, _validate_children_sum

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
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
    "check_year",
]


def check_year(year: object, name: str = "year") -> int | None:
    """An evaluation year as an ``int`` (``None`` stays ``None``: not stated); a year
    that is not a whole number, or lies outside :data:`~parindex.limits.MIN_YEAR` to
    :data:`~parindex.limits.MAX_YEAR`, is refused naming the argument ``name``.

    Example:
        >>> from parindex.model.methodology import check_year
        >>> check_year(2023), check_year(None)
        (2023, None)
        >>> check_year(10**20)
        Traceback (most recent call last):
        ...
        parindex.errors.InputFormatError: year=100000000000000000000 is outside the evaluation years parindex takes (MIN_YEAR = 1900 to MAX_YEAR = 2200)
    """
    if year is None:
        return None
    # numbers.Integral takes a numpy integer too; bool is an int that is no year.
    if isinstance(year, bool) or not isinstance(year, numbers.Integral):
        raise InputFormatError(f"{name}={year!r} must be a whole number, a year such as 2023")
    value = int(year)
    if not MIN_YEAR <= value <= MAX_YEAR:
        raise InputFormatError(
            f"{name}={value} is outside the evaluation years parindex takes "
            f"(MIN_YEAR = {MIN_YEAR} to MAX_YEAR = {MAX_YEAR})"
        )
    return value


def _components(items: Iterable[ScoreComponent]) -> tuple[ScoreComponent, ...]:
    return tuple(items)


def _ints(items: Iterable[int]) -> tuple[int, ...]:
    return tuple(items)


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

    id: str = attrs.field(validator=attrs.validators.matches_re(r"[a-z0-9][a-z0-9._-]*"))
    name_vi: str = attrs.field(validator=check_label)
    name_en: str = attrs.field(validator=check_label)
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
            self._check_bands(year, bands)

    def _check_bands(self, year: int, bands: tuple[Band, ...]) -> None:
        """At most MAX_BANDS bands, none empty, labels distinct, no two overlapping
        (sorted once, neighbours compared: O(n log n), not every pair)."""
        if len(bands) > MAX_BANDS:
            raise LimitExceededError(
                f"{self.id}: {len(bands)} bands in {year} is more than the limit "
                f"MAX_BANDS = {MAX_BANDS}",
                limit="MAX_BANDS",
                value=len(bands),
                maximum=MAX_BANDS,
            )
        labels = [b.label for b in bands]
        if len(set(labels)) != len(labels):
            raise MethodologyError(f"{self.id}: band labels repeat in {year}")
        for band in bands:
            if band.empty:
                raise MethodologyError(
                    f"{self.id}: band {band.label!r} in {year} is empty ({band.bounds()}); "
                    "no index can fall in it"
                )
        pair = _first_overlap(bands)
        if pair is not None:
            a, b = pair
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
        if total > self.total_max + TOLERANCE:
            raise MethodologyError(
                f"{self.id}: {what} maxima add up to {total:g}, more than the total "
                f"{self.total_max:g}"
            )
        exhaustive = complete_required and parts and len(known) == len(parts)
        if exhaustive and abs(total - self.total_max) > TOLERANCE:
            raise MethodologyError(
                f"{self.id}: {what} maxima add up to {total:g}, not the total {self.total_max:g}"
            )

    def _check_partitions_agree(self) -> None:
        # Without a total, the fields and the components are still two partitions of
        # the same points: where both are fully known they must agree with each other.
        # Their sum is not taken as the total (see check_methodology's total-unknown).
        fields = self._known_sum("fields")
        comps = self._known_sum("components")
        if fields is not None and comps is not None and abs(fields - comps) > TOLERANCE:
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

    def _repr_html_(self) -> str | None:
        return html_of(self)

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
        from parindex.model.frames import methodology_frame

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
        return (
            mx is not None and len(known) == len(maxima) and abs(math.fsum(known) - mx) <= TOLERANCE
        )

    def bands_for(self, year: int | None = None) -> tuple[Band, ...]:
        """Bands of an evaluation year (empty if none are known). With ``year=None``
        and a single evaluation year, that year's bands.

        Raises:
            UnknownMethodologyError: ``year`` is not one of the evaluation years (another
                methodology scored that year, with its own bands). A methodology without
                evaluation years has no bands, so any year gives none.
            InputFormatError: ``year`` is not a year at all (:func:`check_year`).

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
        year = check_year(year)
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


def ensure_methodology(obj: object, name: str = "methodology") -> Methodology:
    """``obj`` itself when it is a :class:`Methodology`; otherwise a clear error. Keys
    such as ``"province-2023"`` are looked up at the edge (the facade, the CLI, HTTP),
    never inside the engine.

    Example:
        >>> from parindex.model.methodology import ensure_methodology
        >>> ensure_methodology("province-2017")
        Traceback (most recent call last):
        ...
        parindex.errors.InputFormatError: methodology must be a Methodology, got the text 'province-2017': look it up first with parindex.get_methodology('province-2017'), or call the parindex.* function of the same name, which looks keys up
    """
    if isinstance(obj, Methodology):
        return obj
    if isinstance(obj, str):
        raise InputFormatError(
            f"{name} must be a Methodology, got the text {obj!r}: look it up first with "
            f"parindex.get_methodology({obj!r}), or call the parindex.* function of the same "
            "name, which looks keys up"
        )
    raise InputFormatError(f"{name} must be a Methodology, got {type(obj).__name__}")
