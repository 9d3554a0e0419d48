"""Whether a completed methodology is one ``parindex validate`` accepts, for
:mod:`parindex.authoring.complete`.

Construction refuses what can never be right (maxima that do not add up). It cannot
see the split by assessment method: in a complete methodology the leaves marked
``appraisal`` make up the appraisal component exactly (and likewise for a survey
component that is the only one of its method), as
:func:`~parindex.authoring.validate.check_methodology` requires (``split-method``) and
the engine assumes when it derives components from leaves. :func:`split_gaps` finds the
components the leaves do not make up, :func:`settle_split` refuses them or, where the
table is accepted, leaves the split by leaf unknown, and :func:`ensure_valid` runs
every check of ``validate`` last, so that nothing is returned that it rejects.
"""

from __future__ import annotations

from collections.abc import Collection

import attrs

from parindex._numbers import TOLERANCE
from parindex._text import plural
from parindex.authoring.validate import check_methodology
from parindex.errors import MethodologyError
from parindex.model.methodology import Methodology

__all__ = ["SplitGap", "ensure_valid", "settle_split", "split_gaps"]


@attrs.frozen
class SplitGap:
    """A score component that the leaves of its assessment method do not make up.

    Attributes:
        component: the component's id.
        method: its assessment method (``appraisal`` or ``survey``).
        leaves: what the leaves marked with that method add up to.
        maximum: the component's maximum.
        from_table: whether that maximum is the table's own row (else the skeleton's).
        unmarked: the leaves that have no method.

    Example:
        >>> from parindex.authoring._complete_check import SplitGap
        >>> print(SplitGap("appraisal", "appraisal", 9.5, 61.5, False, ("2.1",)))
        component:appraisal [split-method]: the leaves the table marks appraisal add up to 9.5, not the appraisal component's maximum 61.5 (the skeleton's)
    """

    component: str
    method: str
    leaves: float
    maximum: float
    from_table: bool
    unmarked: tuple[str, ...]

    @property
    def over(self) -> bool:
        """The leaves are worth more than the component: no method column can fix it."""
        return self.leaves > self.maximum + TOLERANCE

    @property
    def settled_by_accepting(self) -> bool:
        """Whether leaving the split by leaf unknown settles it: the leaves fall short
        of the component and some of them have no method."""
        return not self.over and bool(self.unmarked)

    def __str__(self) -> str:
        origin = f"the table's {self.component} row" if self.from_table else "the skeleton's"
        return (
            f"component:{self.component} [split-method]: the leaves the table marks "
            f"{self.method} add up to {self.leaves:g}, {'more than' if self.over else 'not'} "
            f"the {self.component} component's maximum {self.maximum:g} ({origin})"
        )

    def advice(self) -> str:
        """What the table should supply, in Python's words (``accept_table=True``).

        Example:
            >>> from parindex.authoring._complete_check import SplitGap
            >>> SplitGap("appraisal", "appraisal", 70, 61.5, True, ()).advice()
            "correct the table's appraisal row or the method of those leaves"
        """
        row = f"the table's {self.component} row or " if self.from_table else ""
        if self.over:
            return f"correct {row}the method of those leaves"
        if not self.unmarked:
            return f"every leaf has a method: correct {row}the leaves' methods"
        return (
            f"{_leaves(self.unmarked)}: mark each leaf assessed by {self.method} as "
            f"{self.method} in the method column (a leaf of a block without a method, such "
            "as impact, stays blank), or pass accept_table=True to write the methodology "
            f"without the complete mark, leaving unknown which leaves are assessed by "
            f"{self.method}"
        )


def _leaves(ids: tuple[str, ...]) -> str:
    verb = "leaf has" if len(ids) == 1 else "leaves have"
    return f"{len(ids)} {verb} no method ({', '.join(ids)})"


def split_gaps(m: Methodology, from_table: Collection[str] = ()) -> list[SplitGap]:
    """The components of ``m`` that its leaves do not make up, as
    :func:`~parindex.authoring.validate.check_methodology` checks them: a component with
    a method, the only one of that method and of known maximum, against the leaves
    marked with its method (exactly when ``m`` is complete, else as a ceiling).
    ``from_table`` names the components whose maximum is the table's own row.

    Example:
        >>> import parindex
        >>> from parindex.authoring._complete_check import split_gaps
        >>> split_gaps(parindex.get_methodology("illustrative-district"))
        []
    """
    leaves = [n for n in m.nodes() if n.is_leaf]
    unmarked = tuple(n.id for n in leaves if n.method is None)
    out = []
    for comp in m.components:
        if comp.method is None or comp.max_points is None:
            continue
        if sum(c.method == comp.method for c in m.components) != 1:
            continue  # validate compares a method's leaves only with a lone component
        got = sum(n.max_points or 0.0 for n in leaves if n.method == comp.method)
        gap = SplitGap(comp.id, comp.method, got, comp.max_points, comp.id in from_table, unmarked)
        if gap.over or (m.complete and abs(got - comp.max_points) > TOLERANCE):
            out.append(gap)
    return out


def settle_split(
    m: Methodology, from_table: Collection[str] = (), *, accept_table: bool = False
) -> tuple[Methodology, str]:
    """``m`` itself when its leaves make up its components; with ``accept_table``, ``m``
    without the complete mark when leaving the split by leaf unknown settles every gap,
    with a sentence saying so (else ``""``).

    Raises:
        MethodologyError: a gap that accepting does not settle (the leaves are worth
            more than their component, or every leaf has a method and they still fall
            short), or any gap without ``accept_table``; the message names the check,
            the component, both numbers and what to supply.

    Example:
        >>> import parindex
        >>> from parindex.authoring._complete_check import settle_split
        >>> m = parindex.get_methodology("illustrative-district")
        >>> settle_split(m) == (m, "")
        True
    """
    gaps = split_gaps(m, from_table)
    if not gaps:
        return m, ""
    # Once the table is accepted, only what accepting does not settle is refused.
    refused = [g for g in gaps if not (accept_table and g.settled_by_accepting)]
    if refused:
        raise MethodologyError(
            "; ".join(f"{g}: {g.advice()}" for g in refused),
            node=f"component:{refused[0].component}",
        )
    said = "; ".join(
        f"the leaves the table marks {g.method} add up to {g.leaves:g} of the {g.component} "
        f"component's {g.maximum:g}"
        for g in gaps
    )
    why = (  # every gap has the same unmarked leaves: all the leaves without a method
        f"not marked complete: {said}, and {_leaves(gaps[0].unmarked)}, so which of them "
        f"are assessed by {' or '.join(sorted({g.method for g in gaps}))} is left unknown"
    )
    return attrs.evolve(m, complete=False), why


def ensure_valid(m: Methodology) -> None:
    """Refuse ``m`` when :func:`~parindex.authoring.validate.check_methodology` finds an
    error, naming every one (check, node and message).

    Example:
        >>> import parindex
        >>> from parindex.authoring._complete_check import ensure_valid
        >>> ensure_valid(parindex.get_methodology("province-2022")) is None
        True
    """
    errors = [f for f in check_methodology(m) if f.severity == "error"]
    if errors:
        raise MethodologyError(
            f"the completed methodology would not pass validate "
            f"({plural(len(errors), 'error')}): " + "; ".join(map(str, errors)),
            node=errors[0].node,
        )
