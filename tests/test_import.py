"""``import parindex`` stays light: pandas loads only when a DataFrame feature runs.

Each check runs a fresh interpreter, since this test session has long imported pandas.
"""

from __future__ import annotations

import pytest

from .conftest import fresh_python


def test_import_parindex_does_not_import_pandas() -> None:
    assert fresh_python("import parindex, sys; print('pandas' in sys.modules)") == "False"


@pytest.mark.parametrize(
    "argv",
    [
        ["methodologies"],
        ["show", "province-2017"],
        # Scoring and ranking stay in arrays up to the printed table or JSON document.
        ["score", "-m", "province-2017", "examples/daklak-2017.csv"],
        [
            "score",
            "-m",
            "illustrative-district",
            "--format",
            "json",
            "examples/illustrative-districts.csv",
        ],
    ],
)
def test_commands_that_print_no_frame_do_not_import_pandas(argv: list[str]) -> None:
    code = (
        "import contextlib, io, sys\n"
        "from parindex.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        f"    status = main({argv!r})\n"
        "print(status, 'pandas' in sys.modules)"
    )
    assert fresh_python(code) == "0 False"


def test_a_frame_made_after_import_parindex_is_still_recognised() -> None:
    # score() checks for a DataFrame without importing pandas; pandas arrives later here.
    code = (
        "import parindex\n"
        "frame = parindex.load_sheet('examples/daklak-2017.csv').to_frame()\n"
        "result = parindex.score('province-2017', frame)\n"
        "print(parindex.round_half_up(result.unit('Đắk Lắk').total.index))"
    )
    assert fresh_python(code) == "75.37"
