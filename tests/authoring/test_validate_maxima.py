"""check_methodology refuses children whose maxima add up to more than the nearest known
maximum above them (``maxima-sum``), where construction cannot see it: through a child
whose own maximum is unknown (issue #14)."""

from __future__ import annotations

from pathlib import Path

import attrs

import parindex
from parindex import Methodology, Node
from parindex.authoring.validate import Finding, check_methodology, check_methodology_file
from parindex.model.methodology import Decision

SHIPPED = sorted(Path(parindex.__file__).parent.glob("data/methodologies/*.yaml"))


def _methodology(tree: tuple[Node, ...], total: float | None = 10.0) -> Methodology:
    return Methodology(
        id="maxima",
        name_vi="Thử điểm tối đa",
        name_en="Maxima",
        level="district",
        decision=Decision(None),
        evaluation_years=(2024,),
        total_max=total,
        tree=tree,
        official=False,
    )


def _maxima_sum(m: Methodology) -> list[Finding]:
    return [f for f in check_methodology(m) if f.code == "maxima-sum"]


def test_grandchildren_beyond_a_known_maximum_are_an_error() -> None:
    # 1 (10) > 1.1 (unknown) > 6 + 6: construction sees only 1.1's unknown maximum.
    inner = Node("1.1", children=(Node("1.1.1", max_points=6), Node("1.1.2", max_points=6)))
    m = _methodology((Node("1", max_points=10, children=(inner,)),))
    assert [str(f) for f in _maxima_sum(m)] == [
        "error [maxima-sum] 1: its children's maxima add up to at least 12, more than the "
        "node's maximum 10 (counting 1.1 at least 12: a maximum left unknown is at least what "
        "its own children's add up to); points there could never all be scored"
    ]


def test_fields_of_unknown_maximum_beyond_the_total_are_an_error() -> None:
    field = Node("1", children=(Node("1.1", max_points=6), Node("1.2", max_points=6)))
    m = _methodology((field, Node("2", max_points=3)))
    (finding,) = _maxima_sum(m)
    assert (finding.severity, finding.node) == ("error", None)
    assert "the fields' maxima add up to at least 15, more than the total maximum 10" in str(
        finding
    )


def test_the_excess_is_reported_once_at_the_nearest_known_maximum() -> None:
    # Two unknown levels between the excess and the known maximum: one finding, at "1".
    deep = Node("1.1.1", children=(Node("1.1.1.1", max_points=8), Node("1.1.1.2", max_points=8)))
    m = _methodology((Node("1", max_points=10, children=(Node("1.1", children=(deep,)),)),))
    assert [(f.node, f.severity) for f in _maxima_sum(m)] == [("1", "error")]


def test_maxima_that_fit_are_not_reported_but_one_point_more_is() -> None:
    def inner(second: float) -> Node:
        return Node("1.1", children=(Node("1.1.1", max_points=4), Node("1.1.2", max_points=second)))

    assert _maxima_sum(_methodology((Node("1", max_points=10, children=(inner(6),)),))) == []
    assert len(_maxima_sum(_methodology((Node("1", max_points=10, children=(inner(7),)),)))) == 1
    # An unknown total bounds nothing.
    loose = Node("1", children=(Node("1.1", max_points=60), Node("1.2", max_points=60)))
    assert _maxima_sum(_methodology((loose,), total=None)) == []


def test_shipped_methodologies_are_clean_and_an_over_full_part_in_them_is_found() -> None:
    grown_some = 0
    for path in SHIPPED:
        m, findings = check_methodology_file(path)
        assert m is not None
        assert [f for f in findings if f.code == "maxima-sum"] == [], path.stem
        # The same methodology with one more part of unknown maximum under the total
        # (or, the total being unknown, under its first node of known maximum) holding
        # a criterion worth more than its holder: never scorable, an error at the holder.
        holder = None if m.total_max is not None else _first_known(m)
        mx = m.total_max if holder is None else holder.max_points
        if mx is None:
            continue  # no maximum is known anywhere: nothing can exceed one
        prefix = "99" if holder is None else f"{holder.id}.99"
        extra = Node(prefix, children=(Node(f"{prefix}.1", max_points=mx + 1),))
        tree = (
            (*m.tree, extra)
            if holder is None
            else tuple(_grow(f, holder.id, extra) for f in m.tree)
        )
        grown = attrs.evolve(m, tree=tree, complete=False, counts={})
        expected = None if holder is None else holder.id
        found = [(f.severity, f.node) for f in _maxima_sum(grown)]
        assert found == [("error", expected)], path.stem
        grown_some += 1
    assert grown_some >= len(SHIPPED) // 2


def _first_known(m: Methodology) -> Node | None:
    return next((n for n in m.nodes() if n.max_points is not None and n.rule is None), None)


def _grow(node: Node, at: str, extra: Node) -> Node:
    if node.id == at:
        return attrs.evolve(node, children=(*node.children, extra), children_complete=False)
    return attrs.evolve(node, children=tuple(_grow(c, at, extra) for c in node.children))
