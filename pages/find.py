"""Cari laporan: find any incident (open or closed) and, for a supervisor, reopen it."""

from __future__ import annotations

import streamlit as st

from dashboard import incidents, labels, queues
from pages import components, ui

TEXT_KEY = "find_text"
DATES_KEY = "find_dates"
STATUS_KEY = "find_status"
# The incident this person has open: kept here, not only in the picker, whose options follow
# each search (a new search or a status change must not close what is open).
PICK_KEY = "find_pick"
ROW_PX = 35  # st.dataframe's row (and header) height

actor = ui.require()
engine = ui.get_engine()
st.title(labels.FIND_TITLE)
st.caption(labels.FIND_CAPTION)


def _search_form() -> None:
    with st.form("find_form", border=False):
        cols = st.columns([3, 2, 2, 1], vertical_alignment="bottom")
        cols[0].text_input(labels.FIELD_FIND_TEXT, key=TEXT_KEY, help=labels.FIELD_FIND_TEXT_HELP)
        cols[1].date_input(
            labels.FIELD_FIND_DATES,
            value=queues.default_search_days(ui.now_utc()),
            format="DD/MM/YYYY",
            key=DATES_KEY,
        )
        components.choose(
            cols[2].selectbox, labels.FIELD_FIND_STATUS, labels.FIND_STATUS_FILTER, key=STATUS_KEY
        )
        cols[3].form_submit_button(labels.BTN_FIND, type="primary", width="stretch")


def _dates() -> tuple:
    chosen = tuple(st.session_state.get(DATES_KEY) or ())
    if not chosen:
        return None, None
    # While the second day of a range is not picked yet, the range is that one day.
    return chosen[0], chosen[-1]


def _pick(box_key: str) -> None:
    st.session_state[PICK_KEY] = st.session_state.get(box_key)


def _reopen(incident_id: int, version: int, code: str) -> None:
    reason_key = f"reopen_reason_{incident_id}"
    done, recorded = ui.act(
        incidents.reopen,
        engine,
        actor,
        incident_id,
        st.session_state.get(reason_key, ""),
        seen_version=version,
    )
    if not done:
        return
    st.session_state[reason_key] = ""
    if recorded.opd_code is None:
        ui.flash_success(labels.DONE_REOPEN_NEW.format(code=code))
    else:
        opd = queues.opd_choices(engine).get(recorded.opd_code, recorded.opd_code)
        ui.flash_success(labels.DONE_REOPEN_FORWARDED.format(code=code, opd=opd))


def _results() -> None:
    date_from, date_to = _dates()
    result = ui.run_service(
        queues.search_incidents,
        engine,
        actor,
        text=st.session_state.get(TEXT_KEY, ""),
        date_from=date_from,
        date_to=date_to,
        status=st.session_state.get(STATUS_KEY) or None,
    )
    if result is None:
        return
    if not result.rows:
        st.info(labels.FIND_EMPTY)
        return
    summary = labels.FIND_SUMMARY.format(count=len(result.rows))
    st.caption(f"{summary} {labels.FIND_MATCHED_BY[result.matched_by]}")
    if result.more:
        st.caption(labels.FIND_MORE.format(limit=len(result.rows)))
    # Up to five rows in view (the rest scroll): the detail below stays near the top.
    height = ROW_PX * (min(len(result.rows), 5) + 1) + 3
    st.dataframe(queues.search_frame(result.rows), hide_index=True, width="stretch", height=height)
    by_id = {r.id: r for r in result.rows}
    ids = list(by_id)
    shown = {r.id: queues.found_label(r) for r in result.rows}
    picked = st.session_state.get(PICK_KEY)
    # A picker per list as shown (a reopened report's label changes): a fresh one starts at the
    # pick, so it never shows a stale label; the pick itself lives in PICK_KEY.
    box_key = f"find_pick_box_{abs(hash(tuple(shown.items())))}"
    components.choose(
        st.selectbox,
        labels.FIND_PICK,
        shown,
        index=ids.index(picked) if picked in by_id else None,
        placeholder=labels.FIND_PICK_PLACEHOLDER,
        key=box_key,
        on_change=_pick,
        args=(box_key,),
    )


def _detail() -> None:
    ui.show_flash()
    picked = st.session_state.get(PICK_KEY)
    if picked is None:
        return
    view = ui.run_service(queues.incident_view, engine, actor, picked)
    if view is None:
        return
    components.show_incident_header(view)
    if "reopen" not in view.allowed_actions:
        components.show_incident_body(view)
        return
    # The supervisor's one action sits beside the detail, high enough for a laptop screen.
    action, detail = st.columns([2, 3], gap="large")
    inc = view.incident
    with action, st.form(f"reopen_{inc['id']}"):
        st.markdown(f"**{labels.REOPEN_HEADING}**")
        st.caption(labels.REOPEN_HINT)
        st.text_area(labels.FIELD_REOPEN_REASON, key=f"reopen_reason_{inc['id']}")
        st.form_submit_button(
            labels.BTN_REOPEN,
            type="primary",
            on_click=_reopen,
            args=(inc["id"], inc["version"], inc["code"]),
        )
    with detail:
        components.show_incident_body(view)


_search_form()
_results()
_detail()
