"""Penugasan: an OPD's own queue, the supervisor board, and one incident's detail and actions."""

from __future__ import annotations

import streamlit as st

from dashboard import incidents, labels, queues
from dashboard.domain import CANCEL_REASONS, OPD_ADMIN, SUPERVISOR
from pages import components, ui

PICK_KEY = "queue_pick"

actor = ui.require()
engine = ui.get_engine()
st.title(labels.QUEUE_TITLE)
if actor.role == OPD_ADMIN:
    st.caption(labels.QUEUE_CAPTION_OPD.format(opd=actor.opd_code))
elif actor.role == SUPERVISOR:
    st.caption(labels.QUEUE_CAPTION_SUPERVISOR)
else:
    st.caption(labels.QUEUE_CAPTION_BOARD)


def _step(func, incident_id: int, version: int, code: str, done: str) -> None:
    ui.act(func, engine, actor, incident_id, seen_version=version, success=done.format(code=code))


def _resolve(incident_id: int, version: int, code: str) -> None:
    key = f"resolve_note_{incident_id}"
    done, _ = ui.act(
        incidents.resolve,
        engine,
        actor,
        incident_id,
        seen_version=version,
        note=st.session_state.get(key, ""),
        success=labels.DONE_RESOLVE.format(code=code),
    )
    if done:
        st.session_state[key] = ""


def _forward(incident_id: int, version: int, code: str) -> None:
    if st.session_state.get(f"forward_opd_{incident_id}") is None:
        ui.flash_error(labels.PICK_OPD_FIRST)
        return
    ui.act(
        incidents.forward_incident,
        engine,
        actor,
        incident_id,
        st.session_state.get(f"forward_opd_{incident_id}"),
        seen_version=version,
        success=labels.DONE_FORWARD.format(code=code),
    )


def _reassign(incident_id: int, version: int, code: str) -> None:
    reason_key = f"reassign_reason_{incident_id}"
    if st.session_state.get(f"reassign_opd_{incident_id}") is None:
        ui.flash_error(labels.PICK_OPD_FIRST)
        return
    done, _ = ui.act(
        incidents.reassign,
        engine,
        actor,
        incident_id,
        st.session_state.get(f"reassign_opd_{incident_id}"),
        st.session_state.get(reason_key, ""),
        seen_version=version,
        success=labels.DONE_REASSIGN.format(code=code),
    )
    if done:
        st.session_state[reason_key] = ""


def _change_status(incident_id: int, version: int, code: str) -> None:
    reason_key = f"status_reason_{incident_id}"
    done, _ = ui.act(
        incidents.change_status,
        engine,
        actor,
        incident_id,
        st.session_state.get(f"status_to_{incident_id}"),
        seen_version=version,
        reason=st.session_state.get(reason_key, ""),
        cancel_reason=st.session_state.get(f"status_cancel_{incident_id}"),
        success=labels.DONE_STATUS.format(code=code),
    )
    if done:
        st.session_state[reason_key] = ""


def _cancel(incident_id: int, version: int, code: str) -> None:
    ui.act(
        incidents.cancel,
        engine,
        actor,
        incident_id,
        st.session_state.get(f"cancel_code_{incident_id}"),
        seen_version=version,
        note=st.session_state.get(f"cancel_note_{incident_id}", ""),
        success=labels.DONE_CANCEL.format(code=code),
    )


def _actions(view: queues.IncidentView, opd_names: dict[str, str]) -> None:
    """The buttons and forms this actor may use; each passes the version shown on screen."""
    inc = view.incident
    args = (inc["id"], inc["version"], inc["code"])
    allowed = view.allowed_actions
    if not allowed:
        st.caption(labels.NO_ACTIONS)
        return
    st.markdown(f"**{labels.ACTIONS_HEADING}**")
    if "acknowledge" in allowed:
        st.button(
            labels.BTN_ACKNOWLEDGE,
            type="primary",
            on_click=_step,
            args=(incidents.acknowledge, *args, labels.DONE_ACKNOWLEDGE),
        )
    if "handle" in allowed:
        st.button(
            labels.BTN_HANDLE,
            type="primary",
            on_click=_step,
            args=(incidents.start_handling, *args, labels.DONE_HANDLE),
        )
    left, right = st.columns(2)
    if "resolve" in allowed:
        with left.form(f"resolve_{inc['id']}"):
            st.text_area(labels.FIELD_RESOLUTION_NOTE, key=f"resolve_note_{inc['id']}")
            st.form_submit_button(labels.BTN_RESOLVE, on_click=_resolve, args=args)
    if "forward" in allowed:
        with left.form(f"forward_{inc['id']}"):
            st.selectbox(
                labels.FIELD_FORWARD_TO,
                list(opd_names),
                index=None,
                placeholder=labels.FORWARD_PLACEHOLDER,
                format_func=opd_names.get,
                key=f"forward_opd_{inc['id']}",
            )
            st.form_submit_button(labels.BTN_FORWARD, type="primary", on_click=_forward, args=args)
    if "reassign" in allowed:
        others = [code for code in opd_names if code != inc.get("opd_code")]
        with left.form(f"reassign_{inc['id']}"):
            st.markdown(f"**{labels.REASSIGN_HEADING}**")
            st.selectbox(
                labels.FIELD_REASSIGN_TO,
                others,
                index=None,
                placeholder=labels.FORWARD_PLACEHOLDER,
                format_func=opd_names.get,
                key=f"reassign_opd_{inc['id']}",
            )
            st.text_area(labels.FIELD_REASSIGN_REASON, key=f"reassign_reason_{inc['id']}")
            st.form_submit_button(labels.BTN_REASSIGN, on_click=_reassign, args=args)
    if "change_status" in allowed:
        with right.form(f"status_{inc['id']}"):
            st.markdown(f"**{labels.STATUS_HEADING}**")
            st.selectbox(
                labels.FIELD_NEW_STATUS,
                list(queues.status_choices(inc["status"])),
                format_func=lambda s: labels.STATUS.get(s, s),
                key=f"status_to_{inc['id']}",
            )
            st.selectbox(
                labels.FIELD_CANCEL_CODE,
                list(CANCEL_REASONS),
                index=None,
                placeholder=labels.CANCEL_CODE_PLACEHOLDER,
                format_func=labels.CANCEL_REASON.get,
                key=f"status_cancel_{inc['id']}",
            )
            st.text_area(labels.FIELD_STATUS_REASON, key=f"status_reason_{inc['id']}")
            st.form_submit_button(labels.BTN_CHANGE_STATUS, on_click=_change_status, args=args)
    if "cancel" in allowed:
        with right.form(f"cancel_{inc['id']}"):
            st.markdown(f"**{labels.CANCEL_HEADING}**")
            st.selectbox(
                labels.FIELD_CANCEL_CODE,
                list(CANCEL_REASONS),
                format_func=labels.CANCEL_REASON.get,
                key=f"cancel_code_{inc['id']}",
            )
            st.text_input(labels.FIELD_NOTE, key=f"cancel_note_{inc['id']}")
            st.form_submit_button(labels.BTN_CANCEL, on_click=_cancel, args=args)


def _filters() -> tuple[tuple[str, ...], bool]:
    if actor.role == OPD_ADMIN:
        return (), False
    opd_names = ui.run_service(queues.opd_choices, engine) or {}
    left, right = st.columns([3, 1])
    chosen = left.multiselect(
        labels.FILTER_OPD,
        list(opd_names),
        format_func=opd_names.get,
        placeholder=labels.FILTER_OPD_ALL,
        key="queue_filter_opd",
    )
    overdue = right.toggle(labels.FILTER_OVERDUE, key="queue_filter_overdue")
    return tuple(chosen), overdue


opd_filter, overdue_only = _filters()


@st.fragment(run_every=max(int(ui.settings_value("refresh_interval_s", 10)), 10))
def queue_section() -> None:
    # Refreshing by itself is not activity: an idle desk still signs out on time.
    if ui.current_actor(touch=False) is None:
        st.rerun(scope="app")
    ui.show_flash()
    rows = ui.run_service(
        queues.open_queue,
        engine,
        actor,
        now_utc=ui.now_utc(),
        opds=opd_filter,
        overdue_only=overdue_only,
    )
    if rows is None:
        return
    overdue = sum(1 for r in rows if r.overdue)
    st.caption(labels.QUEUE_SUMMARY.format(count=len(rows), overdue=overdue))
    if not rows:
        st.info(labels.QUEUE_EMPTY)
        return
    st.dataframe(queues.queue_frame(rows), hide_index=True, width="stretch")
    by_id = {r.id: r for r in rows}
    # Keyed: its identity survives refreshes that change the list or a label (a new report, an
    # overdue mark), so an open list stays open and the pick stays picked.
    chosen = st.selectbox(
        labels.PICK_INCIDENT,
        list(by_id),
        index=None,
        placeholder=labels.PICK_INCIDENT_PLACEHOLDER,
        format_func=lambda i: queues.row_label(by_id[i]) if i in by_id else str(i),
        key=PICK_KEY,
    )
    if chosen is None or chosen not in by_id:
        return
    view = components.incident_panel(actor, chosen)
    if view is not None:
        _actions(view, queues.opd_choices(engine))


queue_section()
