"""No picker shows Streamlit's English placeholder ("Choose an option", "Choose options").

A multiselect shows its placeholder whenever nothing is picked, and a selectbox whenever its value
is None (index=None, or a value restored as None: a resumed Latihan drill showed "Choose an
option" in its category box). Every such call on a page names an Indonesian placeholder;
components.choose gives one by default.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from dashboard import labels

REPO = Path(__file__).resolve().parents[2]
SOURCES = [*sorted((REPO / "pages").glob("*.py")), REPO / "app.py"]


def _widget(call: ast.Call) -> str | None:
    """'selectbox' / 'multiselect' for st.selectbox(...), cols[1].multiselect(...) and
    components.choose(st.selectbox, ...); None for any other call."""
    func = call.func
    name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
    if name == "choose" and call.args and isinstance(call.args[0], ast.Attribute):
        name = call.args[0].attr
    return name if name in {"selectbox", "multiselect"} else None


def _pickers_without_placeholder(source: str, path: str) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call) or _widget(node) is None:
            continue
        keywords = {k.arg: k.value for k in node.keywords}
        if "placeholder" in keywords:
            continue
        is_choose = getattr(node.func, "attr", getattr(node.func, "id", "")) == "choose"
        may_be_empty = _widget(node) == "multiselect" or (
            isinstance(keywords.get("index"), ast.Constant) and keywords["index"].value is None
        )
        if may_be_empty and not is_choose:
            found.append(f"{path}:{node.lineno}")
    return found


def test_every_picker_that_can_be_empty_names_an_indonesian_placeholder():
    found = [
        place
        for path in SOURCES
        for place in _pickers_without_placeholder(path.read_text(), path.name)
    ]
    assert found == []


def test_the_scan_finds_a_multiselect_and_an_empty_selectbox_without_one():
    source = (
        "st.multiselect('Skenario', ['a'])\n"
        "cols[1].selectbox('OPD', ['a'], index=None)\n"
        "st.selectbox('OPD', ['a'])\n"  # index 0: never empty
        "components.choose(st.multiselect, 'OPD', names)\n"  # choose gives one
    )
    assert _pickers_without_placeholder(source, "x.py") == ["x.py:1", "x.py:2"]


def _choose_script():
    import streamlit as st  # noqa: PLC0415 - AppTest runs this function's body alone

    from pages import components  # noqa: PLC0415 - the same

    components.choose(st.selectbox, "OPD", {"BPBD": "BPBD"}, index=None, key="opd")
    components.choose(st.multiselect, "Kategori", {"BANJIR": "Banjir"}, key="cat")


@pytest.mark.parametrize("widget", ["selectbox", "multiselect"])
def test_choose_with_nothing_picked_reads_the_indonesian_placeholder(widget):
    at = AppTest.from_function(_choose_script).run()
    assert not at.exception
    assert getattr(at, widget)[0].proto.placeholder == labels.PICK_PLACEHOLDER
