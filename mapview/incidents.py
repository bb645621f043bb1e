"""Open incidents as one map layer: compact rows built here, markers made in the browser."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import folium
import pandas as pd
from branca.element import MacroElement
from folium.template import Template

from dashboard import labels
from dashboard.catalogue import category_class
from dashboard.domain import format_wib
from mapview.assets import browser_source
from mapview.escape import clean_text, inert_json, redact_phone_like, safe_colour
from mapview.style import CLASS_COLOR, STATUS_CLASS

KONDISI_TOOLTIP_CHARS = 140
CLUSTER_RADIUS_PX = 40
NO_CLUSTER_FROM_ZOOM = 17
INCIDENT_LOOKUPS = ("status", "overdue", "code_prefix", "category", "kelurahan", "opd")
_INCIDENT_LAYER_JS = browser_source("incident_layer.js")


def incident_layer(
    frame: pd.DataFrame,
    *,
    wall: bool = False,
    cluster: bool = True,
    marker_px: int | None = None,
    name: str | None = None,
) -> folium.FeatureGroup:
    """Open incidents as one clustered layer built in the browser from compact rows.

    `frame` has the columns of dashboard.queries.incidents_frame plus `overdue` (reason or None,
    see queries.with_overdue). Fill colour = category colour, outline/shape = status, a red
    pulsing ring = overdue. No phone number is ever put on the map; the tooltip shows code,
    category, status, kelurahan, time (WIB), OPD and, except on the wall, the kondisi.
    Markers are created by one loop in JavaScript (incident_layer.js) and clustered
    (MarkerCluster with its own callback), so 5,000 incidents stay usable; a tooltip is
    assembled from the row and the layer's lookup tables only when it opens, as DOM text nodes
    (caller text is never markup).
    """
    group = folium.FeatureGroup(name=name or labels.MAP_LAYER_INCIDENTS, overlay=True)
    payload = incident_payload(frame, wall=wall)
    layer = IncidentLayer(
        payload.rows,
        lookups=payload.lookups,
        palette=_palette(frame, wall=wall),
        cluster=cluster,
        marker_px=marker_px or (30 if wall else 18),
        escalated=escalated_levels(frame),
    )
    group.add_child(layer)
    return group


@dataclass(frozen=True)
class IncidentPayload:
    """What the incident layer sends: one compact row per incident and the tables rows index.

    A row is [lat, lon, id, colour index, status index, overdue, code prefix index, code
    suffix, category index, kelurahan index, time "HH:MM" WIB or "", OPD index] plus the
    kondisi (shortened, phone-like digits masked) except on the wall. `overdue` is 0 when on
    time, else 1 + the index of its reason in lookups["overdue"]. `lookups` maps "status",
    "overdue", "code_prefix", "category", "kelurahan" and "opd" to lists of display texts,
    each sent once per layer; a missing value is "" in its table. The "kelurahan" text is
    "Kel. <name>", or the frame's `place` column for an incident with no kelurahan (at sea).
    """

    rows: list[list[Any]]
    lookups: dict[str, list[str]]


def incident_payload(frame: pd.DataFrame, *, wall: bool = False) -> IncidentPayload:
    """The incident layer's rows and lookup tables for `frame` (see IncidentPayload)."""
    lookups = {key: _Lookup() for key in INCIDENT_LOOKUPS}
    for status in STATUS_CLASS:
        # Status indices double as the marker's status class (STATUS_CLASS order).
        lookups["status"].index(labels.STATUS.get(status, status))
    if frame.empty:
        return IncidentPayload([], {key: table.values for key, table in lookups.items()})
    palette = _palette(frame, wall=wall)
    colour_index = {colour: i for i, colour in enumerate(palette)}
    rows = []
    for row, colour in zip(frame.itertuples(index=False), _colours(frame, wall=wall), strict=True):
        overdue = clean_text(getattr(row, "overdue", None))
        status = str(row.status)
        code = clean_text(row.code) or ""
        cut = code.rfind("-") + 1
        kelurahan = clean_text(getattr(row, "kelurahan", None))
        # Outside the city there is no kelurahan: the frame's own place text ("Laut, ...").
        place = (
            labels.MAP_KELURAHAN_SHORT.format(kelurahan=kelurahan)
            if kelurahan
            else clean_text(getattr(row, "place", None)) or ""
        )
        received = getattr(row, "received_at_utc", None)
        when = (
            format_wib(_as_datetime(received), with_date=False)[:5] if received is not None else ""
        )
        item = [
            round(float(row.lat), 6),
            round(float(row.lon), 6),
            int(row.id),
            colour_index[colour],
            lookups["status"].index(labels.STATUS.get(status, status)),
            1 + lookups["overdue"].index(labels.MAP_OVERDUE.format(reason=overdue))
            if overdue
            else 0,
            lookups["code_prefix"].index(code[:cut]),
            code[cut:],
            lookups["category"].index(clean_text(getattr(row, "category_name", None)) or ""),
            lookups["kelurahan"].index(place),
            when if when != "-" else "",
            lookups["opd"].index(clean_text(getattr(row, "opd_name", None)) or ""),
        ]
        if not wall:
            item.append(_short_kondisi(clean_text(getattr(row, "kondisi", None)) or ""))
        rows.append(item)
    return IncidentPayload(rows, {key: table.values for key, table in lookups.items()})


def escalated_levels(frame: pd.DataFrame) -> dict[str, int]:
    """Incident id -> escalation level (1 or 2) for the escalated ones: their markers carry a
    mark (an "!" badge, "!!" at level 2) and their tooltip says so. Keys are strings (JSON)."""
    if frame.empty or "escalation_level" not in frame.columns:
        return {}
    levels = {}
    for incident_id, level in zip(frame["id"], frame["escalation_level"], strict=True):
        if pd.notna(level) and int(level) > 0:
            levels[str(int(incident_id))] = int(level)
    return levels


def incident_rows(frame: pd.DataFrame, *, wall: bool = False) -> list[list[Any]]:
    """The compact row per incident of incident_payload (field order: IncidentPayload)."""
    return incident_payload(frame, wall=wall).rows


class IncidentLayer(MacroElement):
    """A MarkerCluster (or plain group) filled by one JavaScript loop over compact rows.

    Rows and lookups are IncidentPayload's; the browser side is incident_layer.js. A tooltip
    is built when it opens, from text nodes and <b>/<i>/<br> elements made with
    document.createElement: no text is parsed as HTML.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        {{ this.source }}
        var {{ this.get_name() }} = siagaIncidentLayer({{ this.rows_json }},
            {{ this.lookups_json }}, {{ this.palette|tojson }}, {{ this.js_options_json }});
        {{ this.get_name() }}.addTo({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(
        self,
        rows: list[list[Any]],
        *,
        lookups: Mapping[str, list[str]],
        palette: list[str],
        cluster: bool = True,
        marker_px: int = 18,
        escalated: Mapping[str, int] | None = None,
    ) -> None:
        super().__init__()
        self._name = "IncidentLayer"
        self.source = _INCIDENT_LAYER_JS
        self.rows = rows
        self.lookups = dict(lookups)
        self.palette = palette
        time_before, _, time_after = labels.MAP_TIME_WIB.partition("{time}")
        self.js_options = {
            "cluster": cluster,
            "markerPx": marker_px,
            "statusClass": list(STATUS_CLASS.values()),
            "timeLabel": [time_before, time_after],
            "separator": " · ",
            # Escalated incidents (id -> level) and the tooltip line that says so.
            "escalated": dict(escalated or {}),
            "escalatedLabel": labels.MAP_ESCALATED,
            "clusterOptions": {
                "maxClusterRadius": CLUSTER_RADIUS_PX,
                "disableClusteringAtZoom": NO_CLUSTER_FROM_ZOOM,
                "showCoverageOnHover": False,
                "spiderfyOnMaxZoom": True,
                "chunkedLoading": True,
            },
        }
        # Caller and catalogue text: serialised so that neither HTML nor Jinja can read into it.
        self.rows_json = inert_json(rows)
        self.lookups_json = inert_json(self.lookups)
        self.js_options_json = inert_json(self.js_options)


# --- private helpers -------------------------------------------------------------------------


class _Lookup:
    """Distinct texts in first-seen order; index() adds a new one."""

    def __init__(self) -> None:
        self.values: list[str] = []
        self._positions: dict[str, int] = {}

    def index(self, value: str) -> int:
        position = self._positions.get(value)
        if position is None:
            position = self._positions[value] = len(self.values)
            self.values.append(value)
        return position


def _colours(frame: pd.DataFrame, *, wall: bool) -> list[str]:
    """Each incident's fill: its category's colour, or on the wall its class's (six colours a
    person tells apart at five metres, colour-blind safe: mapview.style.CLASS_COLOR)."""
    if wall and "category_code" in frame.columns:
        return [CLASS_COLOR[category_class(code)] for code in frame["category_code"]]
    if "color" not in frame.columns:
        return [safe_colour(None)] * len(frame)
    return [safe_colour(value) for value in frame["color"].tolist()]


def _palette(frame: pd.DataFrame, *, wall: bool = False) -> list[str]:
    if frame.empty:
        return [safe_colour(None)]
    return sorted(set(_colours(frame, wall=wall)))


def _short_kondisi(kondisi: str) -> str:
    if len(kondisi) > KONDISI_TOOLTIP_CHARS:
        kondisi = kondisi[:KONDISI_TOOLTIP_CHARS] + "…"
    return redact_phone_like(kondisi)


def _as_datetime(value: object) -> Any:
    if isinstance(value, pd.Timestamp):
        return None if pd.isna(value) else value.to_pydatetime()
    return value
