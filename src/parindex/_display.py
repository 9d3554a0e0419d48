"""Notebook display without an upward import: a model, engine or analysis object's
``_repr_html_`` asks this registry for its HTML, and :mod:`parindex.present.html`
(imported by ``import parindex``) registers how each class is drawn. The lower layers
never import ``present``.

Example:
    >>> import parindex
    >>> from parindex._display import html_of
    >>> "province-2017" in html_of(parindex.get_methodology("province-2017"))
    True
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

__all__ = ["html_of", "register_html"]

_RENDERERS: dict[type, Callable[[Any], str]] = {}


def register_html(cls: type, render: Callable[[Any], str]) -> None:
    """Draw instances of ``cls`` (and its subclasses) with ``render`` in notebooks.

    Example:
        >>> from parindex._display import html_of, register_html
        >>> class Box: ...
        >>> register_html(Box, lambda box: "<b>box</b>")
        >>> html_of(Box())
        '<b>box</b>'
    """
    _RENDERERS[cls] = render


def html_of(obj: object) -> str | None:
    """The HTML registered for ``obj``'s class, or ``None`` (the notebook then shows
    its text ``repr``).

    Example:
        >>> from parindex._display import html_of
        >>> html_of(3) is None
        True
    """
    for cls in type(obj).__mro__:
        render = _RENDERERS.get(cls)
        if render is not None:
            return render(obj)
    return None
