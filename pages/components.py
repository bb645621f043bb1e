"""Page parts shared by the desk pages: code pickers, an incident's detail and timeline, KPIs."""

from __future__ import annotations

import html
from collections.abc import Callable, Mapping
from typing import TypeVar

import streamlit as st

from dashboard import alerts, labels, queues
from dashboard.domain import format_wib
from dashboard.places import place_text

T = TypeVar("T")
# What a browser is told each export is, by the file name's ending.
MIME_TYPES = {
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def choose(widget: Callable[..., T], label: str, names: Mapping, **options) -> T:
    """A selectbox or multiselect (`widget`, e.g. st.selectbox, cols[1].multiselect) over the
    codes of `names` (code -> what the user reads): the page gets codes back, never display
    text, and the options and their texts come from one mapping, so they cannot disagree.
    With nothing picked it reads labels.PICK_PLACEHOLDER unless `placeholder` says otherwise."""
    options.setdefault("placeholder", labels.PICK_PLACEHOLDER)
    return widget(label, list(names), format_func=names.get, **options)


def show_incident_header(view: queues.IncidentView) -> None:
    """Code, category, status, OPD, priority and call time: what a desk checks before acting."""
    inc = view.incident
    st.subheader(f"{inc['code']} · {inc['category_name']}")
    cols = st.columns([1, 1.6, 0.6, 0.9])
    cols[0].metric(labels.COL_STATUS, labels.STATUS.get(inc["status"], inc["status"]))
    cols[1].metric(labels.COL_OPD, inc.get("opd_name") or "-")
    cols[2].metric(labels.COL_PRIORITY, f"P{inc['priority']}")
    cols[3].metric(labels.COL_RECEIVED, format_wib(inc["received_at_utc"], with_date=False))
    st.caption(
        labels.DETAIL_RECEIVED.format(
            at=format_wib(inc["received_at_utc"]),
            priority=labels.PRIORITY.get(inc["priority"], inc["priority"]),
        )
    )


def show_incident_body(view: queues.IncidentView) -> None:
    """What was reported, where, the caller's number (as the viewer may see it), the timeline."""
    inc = view.incident
    left, right = st.columns(2)
    with left:
        st.markdown(f"**{labels.FIELD_KONDISI}**")
        st.text(inc["kondisi"])
        st.markdown(f"**{labels.FIELD_ADDRESS}**")
        st.text(inc["address"])
    with right:
        st.markdown(f"**{labels.DETAIL_PLACE}**")
        st.text(place_text(inc) or labels.PLACE_UNKNOWN)
        if inc.get("at_sea"):
            st.warning(labels.DETAIL_AT_SEA)
        elif not inc.get("in_city", True):
            st.warning(labels.OUTSIDE_CITY_SHORT)
        if inc.get("in_flood_zone"):
            st.info(labels.FLOOD_ZONE_NAMED.format(names=inc.get("flood_zone_names") or "-"))
        st.markdown(f"**{labels.FIELD_PHONE}**")
        st.text(view.phone)
    if inc.get("resolution_note"):
        st.markdown(f"**{labels.DETAIL_RESOLUTION}**")
        st.text(inc["resolution_note"])
    if inc.get("cancel_reason"):
        st.text(labels.CANCEL_REASON.get(inc["cancel_reason"], inc["cancel_reason"]))
    st.markdown(f"**{labels.DETAIL_TIMELINE}**")
    st.dataframe(view.timeline, hide_index=True, width="stretch")
    if view.alerts is not None and not view.alerts.empty:
        st.markdown(f"**{labels.DETAIL_ALERTS}**")
        st.dataframe(view.alerts, hide_index=True, width="stretch")


def kpi_html(tiles: list, *, css: str) -> str:
    """The KPI strip as escaped HTML (label, value, note per tile; alerts marked): the wall
    draws it large (css "wall"), the desk pages as one compact wrapping row (css "desk")."""
    esc = html.escape
    cells = "".join(
        f"<div class='{css}-kpi{' alert' if tile.alert else ''}'>"
        f"<div class='k-label'>{esc(tile.label)}</div>"
        f"<div class='k-value'>{esc(tile.value)}</div>"
        f"<div class='k-note'>{esc(tile.note) or '&nbsp;'}</div></div>"
        for tile in tiles
    )
    return f"<div class='{css}-kpis'>{cells}</div>"


def waiting_item_text(template: str, item: alerts.OpenAlert | alerts.Overdue) -> str:
    """One incident waiting for its OPD in a line: `template` (labels.STRIP_ITEM,
    labels.WALL_LATE_ITEM) filled with its code, category, place, OPD and wait, so the alert
    strip and the wall's late banner name the same things the same way."""
    return template.format(
        code=item.code,
        category=item.category_name,
        place=item.place,
        opd=item.opd_name or "-",
        waited=alerts.format_wait(item.waited_s),
    )


def download(
    where, label: str, data: Callable[[], bytes], file_name: str, *, key: str, **options
) -> None:
    """A download button in `where` (st, a column) for an export: the file is built only when
    clicked (`data` is called then), the click does not rerun the page, and the browser is told
    its type by the ending of `file_name`."""
    where.download_button(
        label,
        data=data,
        file_name=file_name,
        mime=MIME_TYPES[file_name.rsplit(".", 1)[-1]],
        on_click="ignore",
        key=key,
        **options,
    )
