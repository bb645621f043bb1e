"""Live views shared by every viewer: the change watch, and each map rendered once per data.

A live map costs the server a snapshot query, a folium build and st_folium's render of that
build to Leaflet JavaScript (measured on the wall: most of the ~250 ms per refresh is the build
and the render). Here the render is done once per data version and filter set, in the process,
and every viewer's refresh only sends its result; a one-second change stamp (two index lookups,
shared by all viewers) reruns a viewer's page as soon as an incident is recorded or changes,
instead of waiting for the next timed refresh. The watch runs in the browser (live_watch.js asks
web/live_routes.py for the stamp): a poll that finds nothing new costs no Streamlit run.
SIAGA_LIVE_SHARED=0 turns both off (every viewer rebuilds at every refresh, as before;
benchmarks/bench_viewers.py compares the two).
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import branca
import folium
import folium.elements
import streamlit as st
import streamlit_folium

from dashboard import labels, live
from pages import ui
from web import live_routes

# How often each viewer asks whether anything changed (seconds, SIAGA_LIVE_WATCH_S; 0 = never):
# a new call is on screen within this plus one rebuild, well inside the timed refresh. Each ask
# is one small HTTP request from the browser (web/live_routes.py), not a Streamlit run.
WATCH_S = float(os.environ.get("SIAGA_LIVE_WATCH_S", "1.5"))
WATCH_BUTTON_KEY = "live_watch_rerun"
_WATCH_JS = Path(__file__).with_name("live_watch.js").read_text(encoding="utf-8")
RENDERS_KEPT = 32
SNAPSHOTS = live.SharedSnapshots()
T = TypeVar("T")

# How long a value read for every viewer (live_shared.recent) serves them all: a revoked wall
# token or a newly imported layer is seen within this.
RECENT_S = 5.0
_recent: dict[Hashable, tuple[float, object]] = {}
_recent_lock = threading.Lock()
_renders: OrderedDict[Hashable, tuple[MapRender, tuple]] = OrderedDict()
_renders_lock = threading.Lock()
# One build at a time: the viewers who come while it runs wait and take its result.
_build_lock = threading.Lock()


@dataclass(frozen=True)
class MapRender:
    """st_folium's component arguments for one map and its layers, except the per-viewer ones."""

    args: dict
    layer_scripts: tuple[str, ...]
    hash_key: str
    key: str


def shared() -> bool:
    """Whether live views share their snapshot and rendering (SIAGA_LIVE_SHARED, default on)."""
    return os.environ.get("SIAGA_LIVE_SHARED", "1") != "0"


def recent(key: Hashable, fetch: Callable[[], T], *, max_age_s: float = RECENT_S) -> T:
    """`fetch()`'s value shared by every viewer of this process for `max_age_s` seconds.

    For what every viewer asks at every refresh and what changes rarely (is this wall's token
    still valid, which city layers are current): one read serves all of them, and a change is
    seen within `max_age_s`. A failure is not kept: the next call asks again.
    """
    now = time.monotonic()
    with _recent_lock:
        hit = _recent.get(key)
    if hit is not None and now - hit[0] < max_age_s:
        return hit[1]
    value = fetch()
    with _recent_lock:
        _recent[key] = (now, value)
        while len(_recent) > RENDERS_KEPT:
            _recent.pop(next(iter(_recent)))
    return value


def city():
    """ui.get_city(), read at most once per RECENT_S by all live viewers together."""
    return recent(("city", str(ui.get_engine().url)), ui.get_city)


def drawn(view: str, content: Hashable) -> None:
    """Record what this viewer's map part of `view` now shows (see rerun_if_changed)."""
    st.session_state[f"{view}_drawn"] = content


def rerun_if_changed(view: str, content: Hashable) -> None:
    """From a view's timed top part: run the whole page again when what its map part would show
    differs from what it shows. Once per change: a map part that cannot take it never loops."""
    if content != st.session_state.get(f"{view}_drawn") and content != st.session_state.get(
        f"{view}_asked"
    ):
        st.session_state[f"{view}_asked"] = content
        st.rerun()


def snapshot(key: Hashable, build: Callable[[], T], *, interval_s: float) -> T:
    """`build()`'s snapshot shared by every viewer of `key` in this refresh interval until an
    incident changes (dashboard.live.SharedSnapshots)."""
    return SNAPSHOTS.get(ui.get_engine(), key, build, now_utc=ui.now_utc(), interval_s=interval_s)


def watch_changes() -> None:
    """Rerun the page when the incidents' change stamp moves: the browser polls the stamp
    (live_watch.js) and presses this hidden button when it changed."""
    if not (shared() and WATCH_S > 0):
        return
    st.button(labels.LIVE_WATCH_RERUN, key=WATCH_BUTTON_KEY)
    button = f".st-key-{WATCH_BUTTON_KEY} button"
    setup = (
        f"window.siagaWatch.configure({json.dumps(live_routes.PATH)}, "
        f"{round(WATCH_S * 1000)}, {json.dumps(button)});"
    )
    st.html(
        f"<style>.st-key-{WATCH_BUTTON_KEY} {{ display: none; }}</style>"
        f"<script>{_WATCH_JS}\n{setup}</script>",
        unsafe_allow_javascript=True,
    )


def rendered(
    cache_key: Hashable,
    build: Callable[[], tuple[folium.Map, Sequence[folium.FeatureGroup], object]],
    *,
    key: str,
    returned_objects: Sequence[str],
    keep: tuple = (),
) -> MapRender:
    """The map `build()` returns (map, layers, layer control or None) rendered once per
    `cache_key` in this process: the same text st_folium would produce for it.

    `keep` holds the objects whose id() is in the key alive while the render is cached, so an
    id cannot be reused by another snapshot meanwhile.
    """
    if not shared():
        fig, layers, control = build()
        return _render(fig, layers, control, key=key, returned_objects=returned_objects)
    with _build_lock:
        with _renders_lock:
            hit = _renders.get(cache_key)
            if hit is not None:
                _renders.move_to_end(cache_key)
                return hit[0]
        fig, layers, control = build()
        result = _render(fig, layers, control, key=key, returned_objects=returned_objects)
        with _renders_lock:
            _renders[cache_key] = (result, keep)
            while len(_renders) > RENDERS_KEPT:
                _renders.popitem(last=False)
    return result


def content_key(value: object) -> str | None:
    """A short key for a value's content (e.g. the CAP warnings' outline); None for None."""
    if value is None:
        return None
    text = json.dumps(getattr(value, "geojson", value), sort_keys=True, default=str)
    return hashlib.sha1(text.encode(), usedforsecurity=False).hexdigest()


def show(
    render: MapRender,
    *,
    height: int,
    last_layer: folium.FeatureGroup | None = None,
    on_change: Callable[[], None] | None = None,
):
    """Send a shared render to this viewer as st_folium does (same iframe key: the map is not
    reloaded, its zoom stays); `last_layer` replaces the render's last layer for this viewer
    only (the live map's nearest posts of the viewer's pick)."""
    scripts = list(render.layer_scripts)
    # An empty layer (nothing picked) is the render's own last layer: its shared script is
    # sent as it is, not drawn again for this viewer at every refresh.
    if last_layer is not None and scripts and last_layer._children:
        scripts[-1] = _layer_script(last_layer, folium.Map(tiles=None), len(scripts) - 1)
    key = render.key

    def _on_change() -> None:
        # What st_folium's own callback does: the returned values under the caller's key.
        st.session_state[key] = st.session_state.get(render.hash_key, {})
        if on_change is not None:
            on_change()

    return streamlit_folium._component_func(
        **render.args,
        key=render.hash_key,
        height=height,
        width=None,
        feature_group="".join(scripts) if scripts else None,
        on_change=_on_change,
    )


# --- private helpers -------------------------------------------------------------------------


def _render(
    fig: folium.Map,
    layers: Sequence[folium.FeatureGroup],
    control: folium.LayerControl | None,
    *,
    key: str,
    returned_objects: Sequence[str],
) -> MapRender:
    # streamlit_folium.st_folium's steps for a folium.Map, in its order, with its own helpers
    # (streamlit-folium 0.27), stopping short of the component call.
    sf = streamlit_folium
    fig.get_root().render()
    fig.render()
    html = sf._get_html(fig)
    header = sf._get_header(fig)
    leaflet = sf._get_map_string(fig)
    bounds = fig.get_bounds()
    defaults = {
        "last_object_clicked": None,
        "bounds": {
            "_southWest": {"lat": bounds[0][0], "lng": bounds[0][1]},
            "_northEast": {"lat": bounds[1][0], "lng": bounds[1][1]},
        },
        "zoom": fig.options.get("zoom"),
    }
    scripts = tuple(_layer_script(layer, fig, idx) for idx, layer in enumerate(layers))
    control_script = sf._get_layer_control_string(control, fig) if control is not None else None
    css_links: list[str] = []
    js_links: list[str] = []
    for elem in _walk(fig):
        css_links.extend(href for _, href in getattr(elem, "default_css", []))
        js_links.extend(src for _, src in getattr(elem, "default_js", []))
    args = {
        "script": leaflet,
        "header": header,
        "html": html,
        "id": sf.get_full_id(fig),
        "returned_objects": list(returned_objects),
        "default": {k: v for k, v in defaults.items() if k in returned_objects},
        "zoom": None,
        "center": None,
        "return_on_hover": False,
        "layer_control": control_script,
        "pixelated": False,
        "css_links": list(dict.fromkeys(css_links)),
        "js_links": list(dict.fromkeys(js_links)),
        "wrap_longitude": False,
    }
    return MapRender(
        args=args,
        layer_scripts=scripts,
        hash_key=sf.generate_js_hash(leaflet, key, False),
        key=key,
    )


def _layer_script(layer: folium.FeatureGroup, fig: folium.Map, idx: int) -> str:
    return streamlit_folium._get_feature_group_string(layer, map=fig, idx=idx)


def _walk(element):
    if isinstance(element, branca.colormap.ColorMap | folium.elements.JSCSSMixin):
        yield element
    for child in getattr(element, "_children", {}).values():
        yield from _walk(child)
