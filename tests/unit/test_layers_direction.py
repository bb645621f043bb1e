"""Layers point one way: pages -> mapview -> dashboard -> geo, read from every module's imports.

An import inside a function counts as much as one at the top: hiding an arrow does not turn it.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
# package -> top-level modules it must never import
FORBIDDEN = {
    "geo": {"dashboard", "mapview", "pages", "web", "streamlit", "streamlit_folium"},
    "dashboard": {"mapview", "pages", "web", "streamlit", "streamlit_folium"},
    "mapview": {"pages", "web", "streamlit", "streamlit_folium"},
}


def imported_packages(source: str) -> set[str]:
    """The top-level names a module imports, wherever the import statement sits."""
    names = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


def wrong_arrows(package: str, root: Path = REPO) -> list[str]:
    """'geo/x.py imports dashboard' for each forbidden import in the package's modules."""
    found = []
    for path in sorted((root / package).rglob("*.py")):
        imported = imported_packages(path.read_text(encoding="utf-8"))
        for name in sorted(imported & FORBIDDEN[package]):
            found.append(f"{path.relative_to(root)} imports {name}")
    return found


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_no_module_imports_a_layer_above_its_own(package):
    assert (REPO / package / "__init__.py").is_file()
    assert wrong_arrows(package) == []


def test_an_import_hidden_inside_a_function_is_found_too(tmp_path):
    (tmp_path / "geo").mkdir()
    (tmp_path / "geo" / "ok.py").write_text("import math\nfrom geo.crs import METRIC_CRS\n")
    (tmp_path / "geo" / "bad.py").write_text(
        "def km(m):\n    from dashboard.fmt import format_km\n\n    return format_km(m)\n"
    )
    (tmp_path / "geo" / "worse.py").write_text("import mapview.base as maps\n")
    assert wrong_arrows("geo", tmp_path) == [
        "geo/bad.py imports dashboard",
        "geo/worse.py imports mapview",
    ]
