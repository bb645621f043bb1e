"""What a map page loads: vendored Leaflet (copied from xstatic), and mapview's own JS/CSS files."""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import folium

# Streamlit serves `<repo>/static/` at `/app/static/` when `server.enableStaticServing` is on.
# A deployment under a URL prefix (`server.baseUrlPath`) sets SIAGA_STATIC_URL accordingly.
DEFAULT_STATIC_URL = "/app/static"
VENDOR_DIR = "vendor"
# The .js/.css files beside these modules. branca renders every map script as a Jinja template a
# second time: a file holding one of these would be read as template code.
BROWSER_DIR = Path(__file__).resolve().parent
JINJA_MARKERS = ("{{", "{%", "{#")


@dataclass(frozen=True)
class VendorFile:
    """One file copied from an installed xstatic package into static/vendor/<folder>/."""

    package: str
    source: str
    folder: str


VENDOR_FILES: tuple[VendorFile, ...] = (
    VendorFile("leaflet", "leaflet.js", "leaflet"),
    VendorFile("leaflet", "leaflet.css", "leaflet"),
    # leaflet.css points at images/ relative to itself (layer-control icon, default marker).
    VendorFile("leaflet", "images/layers.png", "leaflet"),
    VendorFile("leaflet", "images/layers-2x.png", "leaflet"),
    VendorFile("leaflet", "images/marker-icon.png", "leaflet"),
    VendorFile("leaflet", "images/marker-icon-2x.png", "leaflet"),
    VendorFile("leaflet", "images/marker-shadow.png", "leaflet"),
    VendorFile("leaflet_markercluster", "leaflet.markercluster.js", "markercluster"),
    VendorFile("leaflet_markercluster", "MarkerCluster.css", "markercluster"),
    VendorFile("leaflet_markercluster", "MarkerCluster.Default.css", "markercluster"),
)


@dataclass(frozen=True)
class AssetUrls:
    """Where the browser loads each vendored file from."""

    leaflet_js: str
    leaflet_css: str
    markercluster_js: str
    markercluster_css: str
    markercluster_default_css: str


def ensure_static_assets(static_dir: str | Path) -> Path:
    """Copy Leaflet and MarkerCluster from the installed xstatic packages into static/vendor/.

    Idempotent and safe when several app processes start at once: a file is rewritten only
    when its bytes differ, through a temporary file and an atomic rename. Returns the
    vendor folder. Raises RuntimeError naming the missing package if one is not installed.
    """
    vendor = Path(static_dir) / VENDOR_DIR
    for item in VENDOR_FILES:
        source = _package_dir(item.package) / item.source
        target = vendor / item.folder / item.source
        if not source.is_file():
            msg = f"file {item.source} missing from the xstatic package {item.package!r}"
            raise RuntimeError(msg)
        _copy_if_changed(source, target)
    return vendor


def asset_urls(static_url: str | None = None) -> AssetUrls:
    """The URLs of the vendored files under the app's static prefix (SIAGA_STATIC_URL)."""
    base = (static_url or os.environ.get("SIAGA_STATIC_URL") or DEFAULT_STATIC_URL).rstrip("/")
    vendor = f"{base}/{VENDOR_DIR}"
    return AssetUrls(
        leaflet_js=f"{vendor}/leaflet/leaflet.js",
        leaflet_css=f"{vendor}/leaflet/leaflet.css",
        markercluster_js=f"{vendor}/markercluster/leaflet.markercluster.js",
        markercluster_css=f"{vendor}/markercluster/MarkerCluster.css",
        markercluster_default_css=f"{vendor}/markercluster/MarkerCluster.Default.css",
    )


def offline_assets(element: Any, *, static_url: str | None = None) -> Any:
    """Point the map's and every plugin's JS/CSS at the app's vendored copies.

    Leaflet and MarkerCluster are vendored (ensure_static_assets); jQuery, Bootstrap and the
    awesome-markers font are dropped because nothing here uses them. Any other CDN asset
    raises ValueError: better a clear error in development than a blank map in the command room.
    """
    urls = asset_urls(static_url)
    local_js = {
        "leaflet": urls.leaflet_js,
        "markerclusterjs": urls.markercluster_js,
        "markercluster": urls.markercluster_js,
    }
    local_css = {
        "leaflet_css": urls.leaflet_css,
        "markerclustercss": urls.markercluster_css,
        "markerclusterdefaultcss": urls.markercluster_default_css,
    }
    dropped = {
        "jquery",
        "bootstrap",
        "awesome_markers",
        "bootstrap_css",
        "glyphicons_css",
        "awesome_markers_font_css",
        "awesome_markers_css",
        "awesome_rotate_css",
    }
    for item in _walk(element):
        if isinstance(item, folium.Map):
            item.default_js = [
                ("leaflet", urls.leaflet_js),
                ("markerclusterjs", urls.markercluster_js),
            ]
            item.default_css = [
                ("leaflet_css", urls.leaflet_css),
                ("markerclustercss", urls.markercluster_css),
                ("markerclusterdefaultcss", urls.markercluster_default_css),
            ]
            continue
        for attribute, local in (("default_js", local_js), ("default_css", local_css)):
            links = getattr(item, attribute, None)
            if not links:
                continue
            kept = []
            for key, url in links:
                if key in dropped:
                    continue
                if _is_local(url, urls):
                    kept.append((key, url))
                elif key in local:
                    kept.append((key, local[key]))
                else:
                    msg = f"{type(item).__name__} needs {url}, which is not served offline"
                    raise ValueError(msg)
            setattr(item, attribute, kept)
    return element


def browser_source(name: str) -> str:
    """The text of one of mapview's .js/.css files, inlined into map pages by its module.

    Raises ValueError if the file holds a Jinja marker ("{{", "{%", "{#"): branca's second
    template pass would run it on the server or break the page.
    """
    text = (BROWSER_DIR / name).read_text(encoding="utf-8")
    for marker in JINJA_MARKERS:
        if marker in text:
            msg = f"{name} contains {marker!r}, which branca's second template pass would read"
            raise ValueError(msg)
    return text


# --- private helpers -------------------------------------------------------------------------


def _is_local(url: str, urls: AssetUrls) -> bool:
    return url in set(vars(urls).values()) or not re.match(r"^(https?:)?//", url)


def _walk(element: Any) -> Iterable[Any]:
    yield element
    for child in getattr(element, "_children", {}).values():
        yield from _walk(child)


def _package_dir(package: str) -> Path:
    # Imported here, not at the top: the app needs them only to copy the files, and a missing
    # package is reported with its pip name instead of failing every import of mapview.
    try:
        if package == "leaflet":
            import xstatic.pkg.leaflet as module  # noqa: PLC0415 - copy-time only
        elif package == "leaflet_markercluster":
            import xstatic.pkg.leaflet_markercluster as module  # noqa: PLC0415 - copy-time only
        else:
            msg = f"unknown xstatic package {package!r}"
            raise RuntimeError(msg)
    except ImportError as error:
        pip_name = "xstatic-" + package.replace("_", "-")
        msg = f"{pip_name} is not installed (pip install -r requirements.txt)"
        raise RuntimeError(msg) from error
    return Path(module.BASE_DIR)


def _copy_if_changed(source: Path, target: Path) -> None:
    data = source.read_bytes()
    if target.is_file() and target.read_bytes() == data:
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temp_name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.chmod(temp_name, 0o644)
        os.replace(temp_name, target)
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise
