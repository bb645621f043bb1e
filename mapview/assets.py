"""Leaflet and its plugins served by the app itself: copy them from the xstatic packages."""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

# Streamlit serves `<repo>/static/` at `/app/static/` when `server.enableStaticServing` is on.
# A deployment under a URL prefix (`server.baseUrlPath`) sets SIAGA_STATIC_URL accordingly.
DEFAULT_STATIC_URL = "/app/static"
VENDOR_DIR = "vendor"


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


def _package_dir(package: str) -> Path:
    try:
        if package == "leaflet":
            import xstatic.pkg.leaflet as module
        elif package == "leaflet_markercluster":
            import xstatic.pkg.leaflet_markercluster as module
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
