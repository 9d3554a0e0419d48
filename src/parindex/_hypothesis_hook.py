"""The ``hypothesis`` entry point: strategies for parindex's public attrs types.

Hypothesis runs its entry points while ``import hypothesis`` executes, and that import
can come from inside ``import parindex.testing`` (which imports hypothesis). So this
module imports nothing at load time, and the strategies from :mod:`parindex.testing`
are looked up only when hypothesis first needs one (``st.from_type``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from hypothesis.strategies import SearchStrategy

    from parindex.model.methodology import AdministrativeUnit, Methodology


def _methodologies(_: type[Methodology]) -> SearchStrategy[Methodology]:
    from parindex.testing import methodologies

    return methodologies()


def _administrative_units(_: type[AdministrativeUnit]) -> SearchStrategy[AdministrativeUnit]:
    from parindex.testing import administrative_units

    return administrative_units()


def _hypothesis_setup_hook() -> None:
    """Register strategies for ``Methodology`` and ``AdministrativeUnit``."""
    from hypothesis import strategies as st

    from parindex.model.methodology import AdministrativeUnit, Methodology

    st.register_type_strategy(Methodology, _methodologies)
    st.register_type_strategy(AdministrativeUnit, _administrative_units)
