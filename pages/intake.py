"""Laporan baru: the call-taker records a report (SOP fields), locates, checks and forwards it."""

from __future__ import annotations

import streamlit as st
from streamlit_folium import st_folium

from dashboard import incidents, intake, labels
from dashboard.domain import format_wib
from geo.maps import base_map, nearest_post_layer
from pages import ui

POINT_KEY = "intake_point"
LAST_CLICK_KEY = "intake_last_click"
STARTED_KEY = "intake_started_utc"
FIELD_KEYS = ("intake_category", "intake_kondisi", "intake_address", "intake_phone")
QUICK_CLOSE = ("PRANK", "GHOST", "BUKAN_DARURAT")

actor = ui.require("create")
engine = ui.get_engine()
st.title(labels.INTAKE_TITLE)
st.caption(labels.INTAKE_CAPTION)
ui.show_flash()


def _report(opd_key: str | None) -> incidents.NewReport:
    point = st.session_state.get(POINT_KEY)
    return incidents.NewReport(
        category_code=st.session_state.get("intake_category") or "",
        kondisi=st.session_state.get("intake_kondisi", ""),
        lat=point[0] if point else None,
        lon=point[1] if point else None,
        address=st.session_state.get("intake_address", ""),
        caller_phone=st.session_state.get("intake_phone", ""),
        received_at_utc=st.session_state.get(STARTED_KEY),
        forward_to=st.session_state.get(opd_key) if opd_key else None,
    )


def _clear() -> None:
    st.session_state["intake_category"] = None
    for key in FIELD_KEYS[1:]:
        st.session_state[key] = ""
    st.session_state["intake_search"] = ""
    for key in (POINT_KEY, STARTED_KEY):
        st.session_state.pop(key, None)


def _save(opd_key: str) -> None:
    report = _report(opd_key)
    done, recorded = ui.act(incidents.create_incident, engine, actor, report)
    if done:
        ui.flash_success(
            labels.DONE_INTAKE.format(code=recorded.code, opd=recorded.opd_code or "-")
        )
        _clear()


def _close(reason_code: str) -> None:
    done, recorded = ui.act(incidents.record_and_close, engine, actor, _report(None), reason_code)
    if done:
        ui.flash_success(
            labels.DONE_INTAKE_CLOSED.format(
                code=recorded.code, reason=labels.CANCEL_REASON[reason_code]
            )
        )
        _clear()


def _use_match(lat: float, lon: float, address: str) -> None:
    st.session_state[POINT_KEY] = (lat, lon)
    if not st.session_state.get("intake_address"):
        st.session_state["intake_address"] = address


def _clear_point() -> None:
    st.session_state.pop(POINT_KEY, None)


categories, opd_names = ui.run_service(intake.form_options, engine) or ({}, {})
form, check = st.columns([3, 2], gap="large")

with form:
    st.selectbox(
        labels.FIELD_CATEGORY_SOP,
        list(categories),
        index=None,
        format_func=categories.get,
        placeholder=labels.CATEGORY_PLACEHOLDER,
        key="intake_category",
    )
    st.text_area(labels.FIELD_KONDISI_SOP, key="intake_kondisi", height=90)
    st.text_input(labels.FIELD_PHONE_SOP, key="intake_phone", placeholder="08xx / +62 / (0285)")
    st.text_input(labels.FIELD_ADDRESS_SOP, key="intake_address")
    search_col, pick_col = st.columns(2)
    query = search_col.text_input(labels.SEARCH_PLACE, key="intake_search")
    matches = (ui.run_service(intake.search_places, engine, query) or []) if query else []
    if query and not matches:
        pick_col.caption(labels.SEARCH_NOTHING)
    for i, match in enumerate(matches):
        pick_col.button(
            match.label,
            key=f"intake_match_{i}",
            on_click=_use_match,
            args=(match.lat, match.lon, match.address),
            width="stretch",
        )

# Started when the first field is filled: the time-to-forward KPI counts from the call.
has_content = any(st.session_state.get(k) for k in FIELD_KEYS) or POINT_KEY in st.session_state
if has_content and STARTED_KEY not in st.session_state:
    st.session_state[STARTED_KEY] = ui.now_utc()
elif not has_content:
    st.session_state.pop(STARTED_KEY, None)

point = st.session_state.get(POINT_KEY)
pv = ui.run_service(
    intake.preview,
    engine,
    st.session_state.get("intake_category"),
    point[0] if point else None,
    point[1] if point else None,
    st.session_state.get("intake_phone"),
    now=ui.now_utc(),
)

with form:
    layer = None
    if point and pv is not None:
        layer = nearest_post_layer(point[0], point[1], pv.posts, label=labels.INTAKE_POINT_LABEL)
    result = st_folium(
        base_map(ui.get_city(), layers=("kelurahan", "flood_zones", "facilities"), legend=False),
        key="intake_map",
        height=430,
        use_container_width=True,
        returned_objects=["last_clicked"],
        feature_group_to_add=layer,
    )
    click = (result or {}).get("last_clicked")
    if click and click != st.session_state.get(LAST_CLICK_KEY):
        st.session_state[LAST_CLICK_KEY] = click
        st.session_state[POINT_KEY] = (float(click["lat"]), float(click["lng"]))
        st.rerun()
    if point:
        st.caption(labels.INTAKE_POINT.format(lat=point[0], lon=point[1]))
        st.button(labels.BTN_CLEAR_POINT, on_click=_clear_point)
    else:
        st.caption(labels.INTAKE_MAP_HINT)

with check:
    st.subheader(labels.INTAKE_CHECK_HEADING)
    if STARTED_KEY in st.session_state:
        st.caption(labels.INTAKE_STARTED.format(at=format_wib(st.session_state[STARTED_KEY])))
    if pv is not None:
        for level, text in intake.notices(pv):
            {"error": st.error, "warning": st.warning}.get(level, st.info)(ui.plain(text))
    suggested = pv.suggested_opd if pv is not None else None
    opd_key = f"intake_opd_{suggested or 'none'}"
    codes = list(opd_names)
    st.selectbox(
        labels.FIELD_FORWARD_TO,
        codes,
        index=codes.index(suggested) if suggested in codes else None,
        format_func=opd_names.get,
        placeholder=labels.FORWARD_PLACEHOLDER,
        key=opd_key,
        help=labels.HELP_FORWARD_OVERRIDE,
    )
    st.button(
        labels.BTN_SAVE_FORWARD,
        type="primary",
        on_click=_save,
        args=(opd_key,),
        width="stretch",
    )
    st.markdown(f"**{labels.QUICK_CLOSE_HEADING}**")
    st.caption(labels.QUICK_CLOSE_HELP)
    quick = list(QUICK_CLOSE) + (["DUPLIKAT"] if pv is not None and pv.duplicates else [])
    for col, code in zip(st.columns(len(quick)), quick, strict=True):
        col.button(
            labels.CANCEL_REASON_SHORT[code],
            key=f"intake_close_{code}",
            on_click=_close,
            args=(code,),
            width="stretch",
        )
