"""The docs render Vietnamese offline: no web fonts fetched, a bundled monospace font
that has every Vietnamese letter (the usual Linux ones lack ế, ổ, ữ in code blocks)."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]


def test_no_google_fonts_and_the_bundled_css_is_used() -> None:
    config = yaml.load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"), Loader=yaml.BaseLoader)
    assert config["theme"]["font"] == "false"
    assert "stylesheets/fonts.css" in config["extra_css"]


def test_every_font_the_css_names_is_shipped() -> None:
    css = (ROOT / "docs" / "stylesheets" / "fonts.css").read_text(encoding="utf-8")
    urls = re.findall(r'url\("\.\./([^"]+)"\)', css)
    assert len(urls) == 2
    for url in urls:
        font = ROOT / "docs" / url
        assert font.stat().st_size > 10_000, url
        assert font.read_bytes()[:4] == b"wOF2"
    assert (ROOT / "docs" / "assets" / "fonts" / "OFL.txt").exists()
