"""Test tooling for parindex users: hypothesis strategies and assertion helpers.

Requires the ``hypothesis`` extra (``pip install "parindex[hypothesis]"``).

Strategies generate valid inputs: methodologies (complete trees with rules on every
leaf, maxima in steps of 0.05 so that float noise is exercised), score sheets for a
methodology (points or raw values, N/A where allowed, optionally partial), and
administrative units. The assertion helpers compare results to published numbers the
way published tables round (half-up to 2 decimals).

Example:
    A downstream property test:

    >>> from hypothesis import given, settings
    >>> import parindex
    >>> from parindex.testing import methodologies, score_sheets
    >>> @settings(max_examples=20, deadline=None)
    ... @given(data=methodologies().flatmap(lambda m: score_sheets(m).map(lambda s: (m, s))))
    ... def test_index_in_range(data):
    ...     m, sheet = data
    ...     for unit in parindex.score(m, sheet):
    ...         assert unit.total.index is None or 0 <= unit.total.index <= 100
    >>> test_index_in_range()
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from hypothesis import strategies as st

from parindex._model import (
    AdministrativeUnit,
    Methodology,
    Node,
    RankingPolicy,
    ScoreComponent,
)
from parindex._model import Decision as _Decision
from parindex._numbers import round_half_up
from parindex._scoring import Scores
from parindex._sheet import ScoreEntry, ScoreSheet
from parindex.rules import (
    Categorical,
    Deduction,
    DirectPoints,
    Level,
    PercentTiers,
    Proportional,
    Rule,
    Tier,
    YesNo,
)

__all__ = [
    "administrative_units",
    "assert_matches_published",
    "assert_scores_equal",
    "leaf_values",
    "methodologies",
    "rules",
    "score_sheets",
]

_STEP = Decimal("0.05")


def _points(max_units: int = 200) -> st.SearchStrategy[Decimal]:
    """Positive decimals in steps of 0.05 (like published maxima: 0.25, 0.5, 14.5, ...)."""
    return st.integers(min_value=1, max_value=max_units).map(lambda k: k * _STEP)


@st.composite
def rules(draw: st.DrawFn, max_points: float) -> Rule:
    """A rule valid for a leaf with this maximum (every kind can appear).

    Tiers are monotone (more % never earns fewer points), as in every real decision.
    """
    kind = draw(
        st.sampled_from(["tiers", "yes_no", "categorical", "proportional", "deduction", "points"])
    )
    if kind == "tiers":
        cuts = sorted(draw(st.sets(st.integers(1, 99), min_size=1, max_size=3)))
        pts = sorted(
            draw(st.lists(st.floats(0, max_points), min_size=len(cuts) + 1, max_size=len(cuts) + 1))
        )
        bounds = [None, *cuts, None]
        incl = [draw(st.booleans()) for _ in cuts]  # True: the cut belongs to the upper tier
        tiers = []
        for i in range(len(cuts) + 1):
            lower, upper = bounds[i], bounds[i + 1]
            tiers.append(
                Tier(
                    points=pts[i],
                    lower=None if lower is None else float(lower),
                    upper=None if upper is None else float(upper),
                    lower_inclusive=True if i == 0 else incl[i - 1],
                    upper_inclusive=False if i == len(cuts) else not incl[i],
                )
            )
        return PercentTiers(tuple(tiers))
    if kind == "yes_no":
        return YesNo()
    if kind == "categorical":
        n = draw(st.integers(2, 4))
        pts = sorted((draw(st.floats(0, max_points)) for _ in range(n)), reverse=True)
        return Categorical(tuple(Level(f"level {i}", p) for i, p in enumerate(pts)))
    if kind == "proportional":
        return Proportional(full_at=float(draw(st.integers(1, 100))))
    if kind == "deduction":
        return Deduction(per_occurrence=float(draw(st.sampled_from([0.25, 0.5, 1.0]))))
    return DirectPoints()


@st.composite
def _subtree(
    draw: st.DrawFn, node_id: str, depth: int, max_depth: int, with_rules: bool
) -> tuple[Node, Decimal]:
    is_leaf = depth >= max_depth or draw(st.booleans())
    if is_leaf:
        mx = draw(_points())
        rule = draw(rules(float(mx))) if with_rules else None
        return (
            Node(
                node_id,
                name_vi=f"Tiêu chí {node_id}",
                max_points=float(mx),
                method=draw(st.sampled_from(["appraisal", "survey"])),
                rule=rule,
                allow_na=draw(st.booleans()),
            ),
            mx,
        )
    n = draw(st.integers(1, 4))
    children = [
        draw(_subtree(f"{node_id}.{i}", depth + 1, max_depth, with_rules)) for i in range(1, n + 1)
    ]
    total = sum((m for _, m in children), Decimal(0))
    node = Node(
        node_id,
        name_vi=f"Lĩnh vực {node_id}",
        max_points=float(total),
        children=tuple(c for c, _ in children),
    )
    return node, total


@st.composite
def methodologies(
    draw: st.DrawFn,
    *,
    max_fields: int = 4,
    max_depth: int = 3,
    with_rules: bool = True,
    with_components: bool | None = None,
) -> Methodology:
    """Complete methodologies: a tree whose maxima add up exactly, rules on leaves.

    With components (drawn when ``with_components`` is ``None``), the total is also
    split into ``appraisal`` and ``survey``.

    Example:
        >>> from parindex.testing import methodologies
        >>> m = methodologies().example()
        >>> m.complete and m.total_max > 0
        True
    """
    n_fields = draw(st.integers(1, max_fields))
    fields = [draw(_subtree(str(i), 1, max_depth, with_rules)) for i in range(1, n_fields + 1)]
    total = sum((m for _, m in fields), Decimal(0))
    comps: tuple[ScoreComponent, ...] = ()
    if with_components if with_components is not None else draw(st.booleans()):
        share = draw(st.integers(0, int(total / _STEP))) * _STEP
        comps = (
            ScoreComponent("appraisal", float(total - share), allow_na=False),
            ScoreComponent("survey", float(share), allow_na=draw(st.booleans())),
        )
    return Methodology(
        id="generated",
        name_vi="Bộ chỉ số sinh ngẫu nhiên",
        name_en="Generated methodology",
        level="district",
        decision=_Decision(None),
        evaluation_years=(2024,),
        total_max=float(total),
        tree=tuple(f for f, _ in fields),
        complete=True,
        official=False,
        components=comps,
        ranking=RankingPolicy(
            ties=draw(st.sampled_from(["min", "dense", "average", "first", "max"]))
        ),
    )


def leaf_values(rule: Rule, max_points: float) -> st.SearchStrategy[object]:
    """Raw values a rule accepts (rates as ``"97.5%"`` strings, labels, counts).

    Example:
        >>> from parindex.rules import YesNo
        >>> from parindex.testing import leaf_values
        >>> leaf_values(YesNo(), 1.0).example() in (True, False)
        True
    """
    rate = st.integers(0, 10000).map(lambda k: f"{Decimal(k) / 100}%")
    if isinstance(rule, PercentTiers):
        return rate
    if isinstance(rule, YesNo):
        return st.booleans()
    if isinstance(rule, Categorical):
        return st.sampled_from([lv.label for lv in rule.levels])
    if isinstance(rule, Proportional):
        return rate if rule.rate else st.integers(0, 200)
    if isinstance(rule, Deduction):
        return st.integers(0, 20)
    return st.integers(0, int(Decimal(str(max_points)) / _STEP)).map(lambda k: float(k * _STEP))


@st.composite
def score_sheets(
    draw: st.DrawFn,
    methodology: Methodology,
    *,
    min_units: int = 1,
    max_units: int = 5,
    na: bool = True,
    values: bool = True,
    partial: bool = False,
    groups: bool = False,
) -> ScoreSheet:
    """Score sheets for a methodology: one entry per leaf and unit.

    ``values`` lets leaves with a rule get a raw value instead of points; ``na`` marks
    some leaves not applicable where allowed; ``partial`` may drop leaves (score with
    ``missing="zero"`` or ``"unknown"``); ``groups`` assigns peer groups.
    Points are multiples of 0.05, so they are exact decimals.
    """
    n_units = draw(st.integers(min_units, max_units))
    leaves = [n for n in methodology.nodes() if n.is_leaf]
    entries: list[ScoreEntry] = []
    for u in range(n_units):
        unit = f"Đơn vị {u + 1}"
        group = draw(st.sampled_from(["A", "B"])) if groups else None
        for leaf in leaves:
            mx = leaf.max_points if leaf.max_points is not None else 0.0
            if partial and draw(st.integers(0, 4)) == 0:
                continue
            if na and leaf.allow_na and draw(st.integers(0, 5)) == 0:
                entries.append(ScoreEntry(unit, leaf.id, na=True, group=group))
            elif values and leaf.rule is not None and draw(st.booleans()):
                entries.append(
                    ScoreEntry(unit, leaf.id, value=draw(leaf_values(leaf.rule, mx)), group=group)
                )
            else:
                k = draw(st.integers(0, int(Decimal(str(mx)) / _STEP)))
                entries.append(ScoreEntry(unit, leaf.id, points=float(k * _STEP), group=group))
    if not entries:
        leaf = leaves[0]
        entries.append(ScoreEntry("Đơn vị 1", leaf.id, points=0.0))
    return ScoreSheet(tuple(entries))


def administrative_units(level: str | None = None) -> st.SearchStrategy[AdministrativeUnit]:
    """Administrative units with Vietnamese names.

    Example:
        >>> from parindex.testing import administrative_units
        >>> administrative_units("commune").example().level
        'commune'
    """
    levels = (
        st.just(level)
        if level
        else st.sampled_from(
            ["province", "department", "district", "commune", "ward", "special_zone"]
        )
    )
    names = st.sampled_from(
        ["Đắk Lắk", "Gia Lai", "Hà Tĩnh", "Bến Tre", "Cà Mau", "Hà Nội", "Krông Năng", "Ea Súp"]
    )
    return st.builds(
        AdministrativeUnit,
        code=st.integers(1, 99999).map(lambda k: f"{k:05d}"),
        name=names,
        level=levels,
        group=st.none() | st.sampled_from(["sở", "huyện"]),
    )


def assert_scores_equal(a: Scores, b: Scores, *, tolerance: float = 0.0) -> None:
    """Assert two results agree on every unit, node, component and the total.

    Example:
        >>> import parindex
        >>> from parindex.testing import assert_scores_equal
        >>> sheet = parindex.ScoreSheet.read("examples/daklak-2017.csv")
        >>> assert_scores_equal(parindex.score("province-2017", sheet), parindex.score("province-2017", sheet))
    """
    if a.units != b.units:
        raise AssertionError(f"different units: {a.units} vs {b.units}")
    for ra, rb in zip(a, b, strict=True):
        pairs = [("total", ra.total, rb.total)]
        pairs += [(k, v, rb.nodes[k]) for k, v in ra.nodes.items()]
        pairs += [(k, v, rb.components[k]) for k, v in ra.components.items()]
        for node, x, y in pairs:
            for field in ("points", "max_points", "index"):
                vx, vy = getattr(x, field), getattr(y, field)
                if (vx is None) != (vy is None) or (
                    vx is not None
                    and vy is not None
                    and not math.isclose(vx, vy, rel_tol=0, abs_tol=tolerance)
                ):
                    raise AssertionError(
                        f"unit {ra.unit!r}, node {node!r}: {field} {vx!r} != {vy!r}"
                    )
            if x.status != y.status:
                raise AssertionError(
                    f"unit {ra.unit!r}, node {node!r}: status {x.status} != {y.status}"
                )


def assert_matches_published(
    scores: Scores, published: Mapping[str, float], *, decimals: int = 2, field: str = "index"
) -> None:
    """Assert each unit's total, rounded half-up as published tables round, equals the
    published figure.

    Example:
        >>> import parindex
        >>> from parindex.testing import assert_matches_published
        >>> scores = parindex.score("province-2017", parindex.ScoreSheet.read("examples/daklak-2017.csv"))
        >>> assert_matches_published(scores, {"Đắk Lắk": 75.37})
    """
    for unit, expected in published.items():
        value: Any = getattr(scores.unit(unit).total, field)
        if value is None:
            raise AssertionError(f"unit {unit!r}: {field} is unknown, published {expected}")
        got = round_half_up(value, decimals)
        if got != round_half_up(expected, decimals):
            raise AssertionError(f"unit {unit!r}: {field} {got} != published {expected}")


def _hypothesis_setup_hook() -> None:
    """Register strategies for the public attrs types (hypothesis entry point)."""
    st.register_type_strategy(Methodology, methodologies())
    st.register_type_strategy(AdministrativeUnit, administrative_units())
