"""The maps' JavaScript and CSS files: inlined safely, and every theme defines what map.css uses."""

from __future__ import annotations

import re

import pytest

from mapview import assets

BROWSER_FILES = sorted([*assets.BROWSER_DIR.glob("*.js"), *assets.BROWSER_DIR.glob("*.css")])


def test_every_browser_file_survives_brancas_second_template_pass():
    # branca renders every map script as a Jinja template once more: no {{, {% or {# allowed.
    assert {path.name for path in BROWSER_FILES} >= {"initial_view.js", "incident_layer.js"}
    for path in BROWSER_FILES:
        source = path.read_text(encoding="utf-8")
        found = [marker for marker in ("{{", "{%", "{#", "%}", "}}") if marker in source]
        assert not found, f"{path.name} holds {found}"
        assert assets.browser_source(path.name) == source


def test_a_browser_file_with_template_code_is_refused(tmp_path, monkeypatch):
    (tmp_path / "bad.js").write_text("var x = '{{ 7*7 }}';", encoding="utf-8")
    monkeypatch.setattr(assets, "BROWSER_DIR", tmp_path)
    with pytest.raises(ValueError, match=r"bad\.js"):
        assets.browser_source("bad.js")


def test_both_themes_define_every_variable_the_map_style_uses():
    used = set(re.findall(r"var\((--[\w-]+)\)", assets.browser_source("map.css")))
    assert len(used) >= 10
    for theme in ("theme_light.css", "theme_dark.css"):
        defined = set(re.findall(r"(--[\w-]+):", assets.browser_source(theme)))
        assert used <= defined, f"{theme} lacks {sorted(used - defined)}"
