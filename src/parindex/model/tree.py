"""The criteria tree (cây tiêu chí): fields (lĩnh vực), criteria (tiêu chí) and
sub-criteria (tiêu chí thành phần), and the check that children fit their parent."""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Iterator, Mapping

import attrs

from parindex._numbers import TOLERANCE
from parindex.errors import MethodologyError
from parindex.model.parts import Method, _check_max, _opt_float, check_label
from parindex.rules import Rule

__all__ = ["Node"]

_ID = re.compile(r"^[0-9A-Za-z]+(\.[0-9A-Za-z]+)*$")


def _nodes(items: Iterable[Node]) -> tuple[Node, ...]:
    return tuple(items)


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
    name_vi: str = attrs.field(default="", validator=check_label)
    name_en: str = attrs.field(default="", validator=check_label)
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
        if not isinstance(value, str) or not _ID.fullmatch(value):
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


def _validate_children_sum(node: Node, complete: bool) -> None:
    if not node.children:
        return
    maxima = [c.max_points for c in node.children]
    known = [m for m in maxima if m is not None]
    here_complete = complete if node.children_complete is None else node.children_complete
    if node.max_points is None:
        return
    total = math.fsum(known)
    if total > node.max_points + TOLERANCE:
        raise MethodologyError(
            f"node {node.id}: children's maxima add up to {total:g}, more than the node's "
            f"maximum {node.max_points:g}",
            node=node.id,
        )
    if here_complete and len(known) == len(maxima) and abs(total - node.max_points) > TOLERANCE:
        raise MethodologyError(
            f"node {node.id}: children's maxima add up to {total:g}, not the node's maximum "
            f"{node.max_points:g} (the tree is marked complete here)",
            node=node.id,
        )
