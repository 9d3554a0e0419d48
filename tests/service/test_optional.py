"""The service is an extra: ``import parindex``, ``import parindex.service`` and every
other command run without Starlette, uvicorn or the validators being imported, and
``parindex serve`` without them says which extra to install. Each check runs in a
fresh interpreter, since this session has long imported them."""

from __future__ import annotations

import pytest

from ..conftest import fresh_python

WEB = ("starlette", "uvicorn", "anyio", "jsonschema", "jsonschema_rs", "orjson")


@pytest.mark.parametrize(
    "argv",
    [
        ["methodologies"],
        ["show", "province-2017"],
        ["score", "-m", "illustrative-district", "examples/illustrative-districts.csv"],
        ["schema", "sheet"],
        ["serve", "--help"],
    ],
)
def test_other_commands_import_no_web_stack(argv: list[str]) -> None:
    code = (
        "import contextlib, io, sys\n"
        "import parindex, parindex.service\n"
        "from parindex.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    try:\n"
        f"        status = main({argv!r})\n"
        "    except SystemExit as done:  # --help\n"
        "        status = done.code\n"
        f"print(status, sorted(m for m in {WEB!r} if m in sys.modules))"
    )
    assert fresh_python(code) == "0 []"


@pytest.mark.parametrize("missing", ["starlette", "uvicorn"])
def test_serve_without_the_extra_says_what_to_install(missing: str) -> None:
    code = (
        "import io, sys\n"
        f"sys.modules[{missing!r}] = None  # as if not installed\n"
        "from parindex.cli import main\n"
        "err = io.StringIO()\n"
        "status = main(['serve', '--port', '0'], stdout=io.StringIO(), stderr=err)\n"
        "print(status, err.getvalue().strip())"
    )
    assert fresh_python(code) == (
        f"2 parindex: error: the HTTP service needs {missing}: pip install 'parindex[service]'"
    )


def test_without_orjson_the_answers_are_the_same() -> None:
    # orjson only reads and writes faster: without it, json gives the same documents.
    code = (
        "import json, sys\n"
        "HIDE"
        "from parindex.service import dispatch\n"
        "body = json.dumps({'methodology': 'province-2017', 'sheet': [\n"
        "    {'unit': 'Đắk Lắk', 'node': n, 'points': 5.5} for n in '12345678']}).encode()\n"
        "status, text = dispatch('POST', '/score', body)\n"
        'dup = dispatch(\'POST\', \'/score\', b\'{"methodology": "a", "methodology": "b"}\')\n'
        "print(status, json.loads(text)['units'][0]['index'], dup[0], sys.modules.get('orjson') is not None)"
    )
    with_orjson = fresh_python(code.replace("HIDE", ""))
    without = fresh_python(code.replace("HIDE", "sys.modules['orjson'] = None  # as if gone\n"))
    assert with_orjson.rsplit(" ", 1) == [without.rsplit(" ", 1)[0], "True"]
    assert without.endswith(" 400 False")
