"""Hypothesis strategies for parindex inputs: rules, methodologies, score sheets, unit
names, hostile values and administrative units."""

from __future__ import annotations

import math
from decimal import Decimal
from typing import Any

from hypothesis import strategies as st

from parindex._text import normalize_key, spelling_key
from parindex.model.methodology import (
    AdministrativeUnit,
    Methodology,
    Node,
    RankingPolicy,
    ScoreComponent,
)
from parindex.model.methodology import Decision as _Decision
from parindex.model.sheet import ScoreEntry, ScoreSheet
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
    "hostile_values",
    "invalid_score_sheets",
    "leaf_values",
    "methodologies",
    "rules",
    "score_sheets",
    "unit_names",
]

_STEP = Decimal("0.05")


def _points(max_units: int = 200) -> st.SearchStrategy[Decimal]:
    """Positive decimals in steps of 0.05 (like published maxima: 0.25, 0.5, 14.5, ...)."""
    return st.integers(min_value=1, max_value=max_units).map(lambda k: k * _STEP)


@st.composite
def rules(draw: st.DrawFn, max_points: float) -> Rule:
    """A rule valid for a leaf with this maximum (every kind can appear).

    Tiers are monotone (more % never earns fewer points), as in every real decision.
    Points are multiples of 0.05 (as published: 0.25, 0.5, 1.5), so that results have
    an exact decimal reference.

    Example:
        >>> from hypothesis import given
        >>> from parindex.testing import rules
        >>> @given(rules(10.0))
        ... def test_every_drawn_rule_fits_its_leaf(rule):
        ...     rule.check(10.0, "1.1")  # raises MethodologyError if it did not
        >>> test_every_drawn_rule_fits_its_leaf()
    """
    step_max = int(Decimal(str(max_points)) / _STEP)
    points = st.integers(0, step_max).map(lambda k: float(k * _STEP))
    kind = draw(
        st.sampled_from(["tiers", "yes_no", "categorical", "proportional", "deduction", "points"])
    )
    if kind == "tiers":
        cuts = sorted(draw(st.sets(st.integers(1, 99), min_size=1, max_size=3)))
        pts = sorted(draw(st.lists(points, min_size=len(cuts) + 1, max_size=len(cuts) + 1)))
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
        pts = sorted((draw(points) for _ in range(n)), reverse=True)
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
    names: st.SearchStrategy[str] | None = None,
) -> ScoreSheet:
    """Score sheets for a methodology: one entry per leaf and unit.

    ``values`` lets leaves with a rule get a raw value instead of points; ``na`` marks
    some leaves not applicable where allowed; ``partial`` may drop leaves (score with
    ``missing="zero"`` or ``"unknown"``); ``groups`` assigns peer groups; ``names``
    draws unit names (default "Đơn vị 1", "Đơn vị 2", ...; :func:`unit_names` gives
    awkward real-world ones). Points are multiples of 0.05, so they are exact decimals.

    Example:
        >>> from hypothesis import given, settings
        >>> import parindex
        >>> from parindex.testing import score_sheets
        >>> m = parindex.get_methodology("illustrative-district")
        >>> @settings(max_examples=5)
        ... @given(score_sheets(m, max_units=3))
        ... def test_every_index_is_a_percentage(sheet):
        ...     for unit in parindex.score(m, sheet):
        ...         assert 0 <= unit.total.index <= 100
        >>> test_every_index_is_a_percentage()
    """
    n_units = draw(st.integers(min_units, max_units))
    labels = (
        [f"Đơn vị {u + 1}" for u in range(n_units)]
        if names is None
        else draw(st.lists(names, min_size=n_units, max_size=n_units, unique_by=_unit_key))
    )
    leaves = [n for n in methodology.nodes() if n.is_leaf]
    entries: list[ScoreEntry] = []
    for unit in labels:
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
        entries.append(ScoreEntry(labels[0] if labels else "Đơn vị 1", leaf.id, points=0.0))
    return ScoreSheet(tuple(entries))


def _unit_key(name: str) -> str:
    """The key under which a sheet takes two names for one unit: spaces trimmed and
    collapsed, Unicode form, letter case and tone-mark placement folded ("A" and "a",
    "Hoà" and "Hòa" are one unit, which a sheet refuses to see spelled two ways)."""
    return spelling_key(normalize_key(name))


_NAMES = [
    "Đắk Lắk",
    "Bà Rịa - Vũng Tàu",
    "Thừa Thiên Huế",
    "Sở Tài nguyên và Môi trường",
    'UBND huyện "Krông Năng"',
    "Phường 1, Quận 3",
    "Ủy ban Dân tộc; Thanh tra Chính phủ",
    "xã Ea H'leo",
    "=SUM(A1:A2)",
]
_LETTERS = "aăâbcdđeêghiklmnoôơpqrstuưvxyAĂÂĐÊÔƠƯáàảãạắằẳẵặấầẩẫậéèẻẽẹếềểễệíìỉĩịóòỏõọốồổỗộớờởỡợúùủũụứừửữựýỳỷỹỵ"


def unit_names() -> st.SearchStrategy[str]:
    """Awkward but valid unit names: Vietnamese letters in NFC or NFD, commas, quotes,
    semicolons, runs of spaces, a leading ``=`` (spreadsheet formula). Two drawn names
    are the same unit when they differ only in spacing, Unicode form, letter case or
    tone-mark placement (:func:`score_sheets` draws its names distinct in all of these).

    Example:
        >>> from parindex.testing import unit_names
        >>> isinstance(unit_names().example(), str)
        True
    """
    import unicodedata

    free = st.text(alphabet=_LETTERS + " ,;'\"-()/=0123456789", min_size=1, max_size=16)
    base = st.sampled_from(_NAMES) | free
    nfd = base.map(lambda name: unicodedata.normalize("NFD", name))
    return (base | nfd).filter(lambda name: bool(normalize_key(name)))


def hostile_values() -> st.SearchStrategy[object]:
    """Values that are never valid points: NaN, infinities, negatives, booleans,
    overflowing integers, text with decimal commas or thousands separators, rates,
    words, blanks, containers.

    Example:
        >>> import parindex
        >>> from hypothesis import given
        >>> from parindex.testing import hostile_values
        >>> @given(hostile_values())
        ... def test_refused(value):
        ...     try:
        ...         parindex.ScoreEntry("A", "1", points=value)
        ...     except parindex.ParIndexError:
        ...         return
        ...     raise AssertionError(f"accepted {value!r}")
        >>> test_refused()
    """
    return st.one_of(
        st.sampled_from(
            [
                math.nan,
                math.inf,
                -math.inf,
                True,
                False,
                10**400,
                "abc",
                "1,5",
                "1,234",
                "87,82",
                "97%",
                "nan",
                "-inf",
                "1e999",
                "1_000",
                "0x10",
                "1/2",
                "5 điểm",
                [1.0],
                {"points": 1.0},
                (1.0,),
            ]
        ),
        st.floats(max_value=-1e-9, allow_nan=False, allow_infinity=False),
        st.integers(max_value=-1),
    )


@st.composite
def invalid_score_sheets(draw: st.DrawFn, methodology: Methodology) -> list[dict[str, Any]]:
    """Plain records (what a caller passes to :meth:`~parindex.ScoreSheet.from_records`)
    that are invalid for this methodology in exactly one, drawn way: a hostile points
    value, points above the maximum, an unknown node, a duplicate row (possibly spelt
    in another Unicode form or spacing), N/A where forbidden, points at two levels, or
    a bare number for a rate. Reading and scoring them (``missing="zero"``) must raise
    :class:`~parindex.ParIndexError`.

    Example:
        >>> import parindex
        >>> from parindex.testing import invalid_score_sheets
        >>> m = parindex.get_methodology("illustrative-district")
        >>> records = invalid_score_sheets(m).example()
        >>> try:
        ...     parindex.score(m, parindex.ScoreSheet.from_records(records), missing="zero")
        ... except parindex.ParIndexError:
        ...     print("refused")
        refused
    """
    import unicodedata

    sheet = draw(score_sheets(methodology, max_units=3, names=unit_names()))
    records = sheet.to_records()
    i = draw(st.integers(0, len(records) - 1))
    rec = records[i]
    leaves = [n for n in methodology.nodes() if n.is_leaf]
    no_na = [n for n in leaves if not n.allow_na]
    rated = [n for n in leaves if isinstance(n.rule, PercentTiers)]
    kinds = ["hostile", "unknown-node", "duplicate", "respelt-duplicate", "overlap"]
    kinds += ["above-maximum"] * any(n.max_points is not None for n in leaves)
    kinds += ["na-forbidden"] * bool(no_na) + ["bare-rate"] * bool(rated)
    kind = draw(st.sampled_from(kinds))
    bare = {
        "unit": rec["unit"],
        "node": rec["node"],
        **({"group": rec["group"]} if "group" in rec else {}),
    }
    if kind == "hostile":
        records[i] = bare | {"points": draw(hostile_values())}
    elif kind == "unknown-node":
        records[i] = rec | {"node": draw(st.sampled_from(["99", "0", "1.99", "x", "sipas"]))}
        if methodology.has_node(records[i]["node"]) or any(
            c.id == records[i]["node"] for c in methodology.components
        ):  # pragma: no cover - the drawn ids are not used by generated trees
            records[i]["node"] = "99.99"
    elif kind == "duplicate":
        records.append(dict(rec))
    elif kind == "respelt-duplicate":
        unit = rec["unit"]
        respelt = draw(
            st.sampled_from(
                [f"  {unit} ", unit.replace(" ", "  "), unicodedata.normalize("NFD", unit)]
            )
        )
        records.append(rec | {"unit": respelt})
    elif kind == "overlap":
        parent = methodology.parent_of(rec["node"]) or "total"
        records.append(bare | {"node": parent, "points": 0.0})
    elif kind == "above-maximum":
        leaf = draw(st.sampled_from([n for n in leaves if n.max_points is not None]))
        records = [r for r in records if r["node"] != leaf.id or r["unit"] != rec["unit"]]
        extra = Decimal(draw(st.sampled_from(["0.01", "0.05", "1"])))
        over = float(Decimal(str(leaf.max_points)) + extra)
        records.append(bare | {"node": leaf.id, "points": over})
    elif kind == "na-forbidden":
        leaf = draw(st.sampled_from(no_na))
        records = [r for r in records if r["node"] != leaf.id or r["unit"] != rec["unit"]]
        records.append(bare | {"node": leaf.id, "status": "na"})
    else:
        leaf = draw(st.sampled_from(rated))
        records = [r for r in records if r["node"] != leaf.id or r["unit"] != rec["unit"]]
        records.append(
            bare | {"node": leaf.id, "value": draw(st.sampled_from([97, 0.97, "97", "0.5", 100]))}
        )
    return records


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
