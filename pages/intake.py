"""Laporan baru: the call-taker records a report (SOP fields), locates, checks and forwards it.

The form is kept server-side as a per-user draft: a reload, a second tab or a visit to another
page brings it back as it was, until it is saved, closed or emptied. Closing a filled report as
a nuisance call asks once.
"""

from __future__ import annotations

import contextlib
from datetime import datetime

import streamlit as st
from streamlit_folium import st_folium

from dashboard import drafts, incidents, intake, labels
from dashboard.domain import format_wib
from mapview.base import base_map
from mapview.facilities import nearest_post_layer
from pages import components, training_view, ui

POINT_KEY = "intake_point"
LAST_CLICK_KEY = "intake_last_click"
STARTED_KEY = "intake_started_utc"
# The Lokasi text last filled in by the app (a place match, a map click): replaced when the
# point moves, unlike text the call-taker typed.
ADDRESS_AUTO_KEY = "intake_address_auto"
# Widget values to set on the next run, before the widgets are drawn (a rerun from the map).
PENDING_KEY = "intake_pending"
CONFIRM_KEY = "intake_confirm_close"
SAVED_DRAFT_KEY = "intake_saved_draft"
FIELD_KEYS = ("intake_category", "intake_kondisi", "intake_address", "intake_phone")
# Draft field -> widget/session key.
DRAFT_KEYS = {
    "category": "intake_category",
    "kondisi": "intake_kondisi",
    "phone": "intake_phone",
    "address": "intake_address",
    "address_auto": ADDRESS_AUTO_KEY,
}
QUICK_CLOSE = ("PRANK", "GHOST", "BUKAN_DARURAT")
MAP_HEIGHT_PX = 360

actor = ui.require("create")
engine = ui.get_engine()


def _restore_draft() -> None:
    """After a reload (or a visit to another page) the form comes back from the kept draft."""
    if "intake_kondisi" in st.session_state:
        return
    draft = ui.run_service(drafts.load_draft, engine, actor) or {}
    for name, key in DRAFT_KEYS.items():
        st.session_state[key] = draft.get(name) or (None if name == "category" else "")
    point = draft.get("point")
    if isinstance(point, list | tuple) and len(point) == 2:
        st.session_state[POINT_KEY] = (float(point[0]), float(point[1]))
    if draft.get("started"):
        with contextlib.suppress(ValueError):
            st.session_state[STARTED_KEY] = datetime.fromisoformat(str(draft["started"]))
    st.session_state[SAVED_DRAFT_KEY] = _draft_fields()


def _draft_fields() -> dict:
    point = st.session_state.get(POINT_KEY)
    started = st.session_state.get(STARTED_KEY)
    return {
        **{name: st.session_state.get(key) for name, key in DRAFT_KEYS.items()},
        "point": list(point) if point else None,
        "started": started.isoformat() if started else None,
    }


def _keep_draft() -> None:
    """Write the draft when the form changed since it was last kept (not at every refresh)."""
    fields = _draft_fields()
    if fields != st.session_state.get(SAVED_DRAFT_KEY):
        ui.run_service(drafts.save_draft, engine, actor, fields)
        st.session_state[SAVED_DRAFT_KEY] = fields


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
    for key in (POINT_KEY, STARTED_KEY, ADDRESS_AUTO_KEY, CONFIRM_KEY):
        st.session_state.pop(key, None)
    ui.run_service(drafts.clear_draft, engine, actor)
    st.session_state[SAVED_DRAFT_KEY] = _draft_fields()


def _save(opd_key: str) -> None:
    report = _report(opd_key)
    done, recorded = ui.act(incidents.create_incident, engine, actor, report)
    if done:
        ui.flash_success(
            labels.DONE_INTAKE.format(code=recorded.code, opd=recorded.opd_code or "-")
        )
        _clear()


def _has_report() -> bool:
    """Whether the form holds more than a number: then closing it unforwarded asks first."""
    return bool(
        st.session_state.get("intake_category")
        or (st.session_state.get("intake_kondisi") or "").strip()
        or (st.session_state.get("intake_address") or "").strip()
        or st.session_state.get(POINT_KEY)
    )


def _close(reason_code: str) -> None:
    if _has_report():
        st.session_state[CONFIRM_KEY] = reason_code
        return
    _close_now(reason_code)


def _close_now(reason_code: str) -> None:
    st.session_state.pop(CONFIRM_KEY, None)
    done, recorded = ui.act(incidents.record_and_close, engine, actor, _report(None), reason_code)
    if done:
        ui.flash_success(
            labels.DONE_INTAKE_CLOSED.format(
                code=recorded.code, reason=labels.CANCEL_REASON[reason_code]
            )
        )
        _clear()


def _confirm_close() -> None:
    reason_code = st.session_state.get(CONFIRM_KEY)
    if reason_code:
        _close_now(reason_code)


def _cancel_close() -> None:
    st.session_state.pop(CONFIRM_KEY, None)


def _auto_address(text: str) -> None:
    """Fill Lokasi with `text` unless the call-taker typed their own (kept as typed)."""
    current = (st.session_state.get("intake_address") or "").strip()
    if current and current != st.session_state.get(ADDRESS_AUTO_KEY):
        return
    st.session_state["intake_address"] = text
    st.session_state[ADDRESS_AUTO_KEY] = text


def _use_match(lat: float, lon: float, address: str) -> None:
    st.session_state[POINT_KEY] = (lat, lon)
    _auto_address(address)


def _clear_point() -> None:
    st.session_state.pop(POINT_KEY, None)
    if st.session_state.get("intake_address") == st.session_state.get(ADDRESS_AUTO_KEY):
        st.session_state["intake_address"] = ""
    st.session_state.pop(ADDRESS_AUTO_KEY, None)


_restore_draft()
for pending_key, pending_value in (st.session_state.pop(PENDING_KEY, None) or {}).items():
    if pending_key == "intake_address":
        _auto_address(pending_value)
    else:
        st.session_state[pending_key] = pending_value

st.title(labels.INTAKE_TITLE)
st.caption(labels.INTAKE_CAPTION)
ui.show_flash()

categories, opd_names = ui.run_service(intake.form_options, engine) or ({}, {})
form, where = st.columns([5, 6], gap="medium")

with form:
    components.choose(
        st.selectbox,
        labels.FIELD_CATEGORY_SOP,
        categories,
        index=None,
        placeholder=labels.CATEGORY_PLACEHOLDER,
        key="intake_category",
    )
    # The category's SOP card, folded: what to ask, which OPD, the usual mistakes. Its slot is
    # there with or without a category, so the fields below keep their place (and focus).
    card_slot = st.container()
    if st.session_state.get("intake_category"):
        card = training_view.card_for(st.session_state["intake_category"])
        if card is not None:
            with card_slot, st.expander(labels.INTAKE_SOP_CARD):
                training_view.show_card(card, compact=True, live=True)
    st.text_area(labels.FIELD_KONDISI_SOP, key="intake_kondisi", height=90)
    phone_col, address_col = st.columns(2)
    phone_col.text_input(
        labels.FIELD_PHONE_SOP, key="intake_phone", placeholder="08xx / +62 / (0285)"
    )
    address_col.text_input(labels.FIELD_ADDRESS_SOP, key="intake_address")
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
with form:
    # A road file that cannot be used says so once, next to the checks that show the posts.
    roads = ui.road_graph() if point else None
pv = ui.run_service(
    intake.preview,
    engine,
    st.session_state.get("intake_category"),
    point[0] if point else None,
    point[1] if point else None,
    st.session_state.get("intake_phone"),
    now=ui.now_utc(),
    road_graph=roads,
)

with where:
    layer = None
    if point and pv is not None:
        layer = nearest_post_layer(point[0], point[1], pv.posts, label=labels.INTAKE_POINT_LABEL)
    result = st_folium(
        base_map(ui.get_city(), layers=("kelurahan", "flood_zones", "facilities"), legend=False),
        key="intake_map",
        height=MAP_HEIGHT_PX,
        use_container_width=True,
        returned_objects=["last_clicked"],
        feature_group_to_add=layer,
    )
    click = (result or {}).get("last_clicked")
    if click and click != st.session_state.get(LAST_CLICK_KEY):
        st.session_state[LAST_CLICK_KEY] = click
        lat, lon = float(click["lat"]), float(click["lng"])
        st.session_state[POINT_KEY] = (lat, lon)
        # The Lokasi text follows the new point ("Laut, 1,2 km dari Panjang Wetan"), never a
        # leftover address of the place picked before; typed text is kept.
        moved = ui.run_service(intake.preview, engine, None, lat, lon, None, now=ui.now_utc())
        if moved is not None:
            st.session_state[PENDING_KEY] = {"intake_address": intake.address_for_point(moved)}
        st.rerun()
    point_col, clear_col = st.columns([3, 1], vertical_alignment="center")
    if point:
        point_col.caption(labels.INTAKE_POINT.format(lat=point[0], lon=point[1]))
        clear_col.button(labels.BTN_CLEAR_POINT, on_click=_clear_point, width="stretch")
    else:
        point_col.caption(labels.INTAKE_MAP_HINT)
    suggested = pv.suggested_opd if pv is not None else None
    opd_key = f"intake_opd_{suggested or 'none'}"
    codes = list(opd_names)
    opd_col, save_col = st.columns([3, 2], vertical_alignment="bottom")
    components.choose(
        opd_col.selectbox,
        labels.FIELD_FORWARD_TO,
        opd_names,
        index=codes.index(suggested) if suggested in codes else None,
        placeholder=labels.FORWARD_PLACEHOLDER,
        key=opd_key,
        help=labels.HELP_FORWARD_OVERRIDE,
    )
    save_col.button(
        labels.BTN_SAVE_FORWARD,
        type="primary",
        on_click=_save,
        args=(opd_key,),
        width="stretch",
    )
    confirming = st.session_state.get(CONFIRM_KEY)
    if confirming:
        kondisi = (st.session_state.get("intake_kondisi") or "").strip()
        summary = categories.get(st.session_state.get("intake_category")) or (
            kondisi[:60] + ("…" if len(kondisi) > 60 else "")
        )
        st.warning(
            ui.plain(
                labels.QUICK_CLOSE_CONFIRM.format(
                    reason=labels.CANCEL_REASON_SHORT[confirming],
                    summary=summary or labels.LOCATION_GIVEN,
                )
            )
        )
        yes, no = st.columns(2)
        yes.button(
            labels.BTN_CONFIRM_CLOSE.format(reason=labels.CANCEL_REASON_SHORT[confirming]),
            on_click=_confirm_close,
            type="primary",
            width="stretch",
        )
        no.button(labels.BTN_CANCEL_CLOSE, on_click=_cancel_close, width="stretch")
    else:
        quick = list(QUICK_CLOSE) + (["DUPLIKAT"] if pv is not None and pv.duplicates else [])
        label_col, *button_cols = st.columns([2.2] + [1] * len(quick), vertical_alignment="center")
        label_col.caption(f"**{labels.QUICK_CLOSE_HEADING}**", help=labels.QUICK_CLOSE_HELP)
        for col, code in zip(button_cols, quick, strict=True):
            col.button(
                labels.CANCEL_REASON_SHORT[code],
                key=f"intake_close_{code}",
                on_click=_close,
                args=(code,),
                width="stretch",
            )

with form:
    st.markdown(f"**{labels.INTAKE_CHECK_HEADING}**")
    if STARTED_KEY in st.session_state:
        st.caption(labels.INTAKE_STARTED.format(at=format_wib(st.session_state[STARTED_KEY])))
    if pv is not None:
        for level, text in intake.notices(pv):
            {"error": st.error, "warning": st.warning}.get(level, st.info)(ui.plain(text))

_keep_draft()
