"""Result tables: the index column's name, its deprecated old name, and label columns.

The index column is ``par_index`` (chỉ số cải cách hành chính). It used to be called
``index``, which clashes with :attr:`pandas.DataFrame.index`: ``table.index`` gives the
row labels, not the PAR INDEX. For one release the old name still reads the column
(``table["index"]`` and ``table[["unit", "index"]]``) with a :class:`DeprecationWarning`.

Labels that may be missing (``group``, ``band``) are pandas' nullable ``string`` dtype,
missing as ``<NA>`` like the nullable ``rank`` column, never ``None`` in an object
column.

This module imports pandas: it is imported only when a table is built.

Example:
    >>> import warnings, parindex
    >>> t = parindex.score("province-2017", parindex.load_sheet("examples/daklak-2017.csv")).totals()
    >>> float(t["par_index"].iloc[0])
    75.37
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     old = float(t["index"].iloc[0])
    >>> old, caught[0].category.__name__
    (75.37, 'DeprecationWarning')
"""

from __future__ import annotations

import warnings
from collections.abc import Hashable, Sequence
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["INDEX_COLUMN", "OLD_INDEX_COLUMN", "ResultFrame", "label_column"]

INDEX_COLUMN = "par_index"
"""The name of the index column in every result table."""

OLD_INDEX_COLUMN = "index"
"""Its old name, still read (with a DeprecationWarning) until the next release."""

_WARNING = (
    "the result column 'index' is now 'par_index' (the old name clashed with "
    "DataFrame.index); 'index' will stop working in the next release"
)


class ResultFrame(pd.DataFrame):
    """A :class:`pandas.DataFrame` that still reads the old column name ``index`` as
    ``par_index``, with a :class:`DeprecationWarning`. Everything else is a DataFrame.

    Example:
        >>> import warnings
        >>> from parindex.engine.tables import ResultFrame
        >>> t = ResultFrame({"unit": ["A"], "par_index": [80.0]})
        >>> with warnings.catch_warnings():
        ...     warnings.simplefilter("ignore", DeprecationWarning)
        ...     t[["unit", "index"]].to_dict("records")
        [{'unit': 'A', 'index': 80.0}]
        >>> t.index.tolist()  # the row labels, as in any DataFrame
        [0]
    """

    @property
    def _constructor(self) -> type[ResultFrame]:
        # Slices and copies of a result table keep reading the old name.
        return ResultFrame

    def __getitem__(self, key: Any) -> Any:
        if self._reads_old_name(key):
            warnings.warn(_WARNING, DeprecationWarning, stacklevel=2)
            if isinstance(key, str):
                return super().__getitem__(INDEX_COLUMN).rename(OLD_INDEX_COLUMN)
            new = [INDEX_COLUMN if k == OLD_INDEX_COLUMN else k for k in key]
            picked = super().__getitem__(new)
            # The caller asked for a column called "index": that is what they get.
            return picked.rename(columns={INDEX_COLUMN: OLD_INDEX_COLUMN})
        return super().__getitem__(key)

    def _reads_old_name(self, key: Any) -> bool:
        columns = self.columns
        if OLD_INDEX_COLUMN in columns or INDEX_COLUMN not in columns:
            return False
        if isinstance(key, str):
            return key == OLD_INDEX_COLUMN
        return (
            isinstance(key, list)
            and OLD_INDEX_COLUMN in key
            and INDEX_COLUMN not in key
            and all(isinstance(k, Hashable) for k in key)
        )


def label_column(values: Sequence[object] | np.ndarray) -> pd.api.extensions.ExtensionArray:
    """Text labels as pandas' nullable ``string`` dtype: ``None`` becomes ``<NA>``.

    Example:
        >>> from parindex.engine.tables import label_column
        >>> col = label_column(["Tốt", None])
        >>> str(col.dtype), col[1] is __import__("pandas").NA
        ('string', True)
    """
    return pd.array(np.asarray(values, dtype=object), dtype="string")
