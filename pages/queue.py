"""Penugasan: an OPD's own queue, the supervisor board, and the incident a person has open.

What a person has open and has typed survives every refresh, their own actions and new reports:
the open incident lives in this page's own session state (not in the picker, whose options
change), every form once shown for it stays on screen (disabled when it can no longer be saved,
so unsaved text can be copied), and changes made by others are told in place.
"""

from __future__ import annotations

import streamlit as st

from dashboard import incidents, labels, live, queues
from dashboard.domain import CANCEL_REASONS, CLOSED_STATUSES, OPD_ADMIN, SUPERVISOR
from pages import alert_strip, components, ui

PICK_KEY = "queue_pick"
# The open incident: {"id", "seen_event" (last event shown), "forms" (shown), "notices"}.
OPEN_KEY = "queue_open"
# Forms in the order they are drawn; a form once shown for the open incident keeps its place.
FORM_ORDER = ("resolve", "forward", "reassign", "change_status", "cancel")

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
    _act(func, incident_id, version=version, success=done.format(code=code))


def _resolve(incident_id: int, version: int, code: str) -> None:
    key = f"resolve_note_{incident_id}"
    _act(
        incidents.resolve,
        incident_id,
        version=version,
        success=labels.DONE_RESOLVE.format(code=code),
        clears=key,
        note=st.session_state.get(key, ""),
    )


def _forward(incident_id: int, version: int, code: str) -> None:
    opd = _chosen_opd(f"forward_opd_{incident_id}")
    if opd is None:
        return
    _act(
        incidents.forward_incident,
        incident_id,
        opd,
        version=version,
        success=labels.DONE_FORWARD.format(code=code),
    )


def _reassign(incident_id: int, version: int, code: str) -> None:
    reason_key = f"reassign_reason_{incident_id}"
    opd = _chosen_opd(f"reassign_opd_{incident_id}")
    if opd is None:
        return
    _act(
        incidents.reassign,
        incident_id,
        opd,
        st.session_state.get(reason_key, ""),
        version=version,
        success=labels.DONE_REASSIGN.format(code=code),
        clears=reason_key,
    )


def _change_status(incident_id: int, version: int, code: str) -> None:
    reason_key = f"status_reason_{incident_id}"
    _act(
        incidents.change_status,
        incident_id,
        st.session_state.get(f"status_to_{incident_id}"),
        version=version,
        success=labels.DONE_STATUS.format(code=code),
        clears=reason_key,
        reason=st.session_state.get(reason_key, ""),
        cancel_reason=st.session_state.get(f"status_cancel_{incident_id}"),
    )


def _cancel(incident_id: int, version: int, code: str) -> None:
    _act(
        incidents.cancel,
        incident_id,
        st.session_state.get(f"cancel_code_{incident_id}"),
        version=version,
        success=labels.DONE_CANCEL.format(code=code),
        note=st.session_state.get(f"cancel_note_{incident_id}", ""),
    )


def _act(
    func, incident_id: int, *args, version: int, success: str, clears: str = "", **kwargs
) -> None:
    """A desk action on the incident as the desk saw it (`version`); once it is done, the text
    box `clears` names is emptied (a refusal keeps what was typed, to correct and send again)."""
    done, _ = ui.act(
        func, engine, actor, incident_id, *args, seen_version=version, success=success, **kwargs
    )
    if done and clears:
        st.session_state[clears] = ""


def _chosen_opd(key: str) -> str | None:
    """The OPD picked in box `key`; none picked is refused before any service is called."""
    opd = st.session_state.get(key)
    if opd is None:
        ui.flash_error(labels.PICK_OPD_FIRST)
    return opd


def _open_picked() -> None:
    """The picker is a command: open the chosen incident, then the picker is empty again."""
    chosen = st.session_state.get(PICK_KEY)
    st.session_state[PICK_KEY] = None
    if chosen is None:
        return
    opened = st.session_state.get(OPEN_KEY)
    if opened and opened["id"] == chosen:
        return
    now = ui.run_service(queues.incident_now, engine, actor, chosen)
    st.session_state[OPEN_KEY] = {
        "id": chosen,
        "seen_event": now.last_event_id if now else 0,
        "forms": [],
        "notices": [],
    }


def _open_requested() -> None:
    """An alert's "Buka" button (pages/alert_strip.py) asked for this incident: open it."""
    requested = st.session_state.pop(alert_strip.OPEN_REQUEST_KEY, None)
    if requested is not None:
        st.session_state[PICK_KEY] = requested
        _open_picked()


def _close_panel() -> None:
    """Close the open incident; its unsaved text is given up on purpose."""
    opened = st.session_state.pop(OPEN_KEY, None)
    if opened is None:
        return
    suffix = f"_{opened['id']}"
    for key in [k for k in st.session_state if isinstance(k, str) and k.endswith(suffix)]:
        del st.session_state[key]


def _dismiss_notices() -> None:
    opened = st.session_state.get(OPEN_KEY)
    if opened:
        opened["notices"] = []


def _actions(view: queues.IncidentView | None, opened: dict, opd_names: dict[str, str]) -> None:
    """The buttons and forms for the open incident; each passes the version shown on screen.

    A form shown once stays until the panel is closed: disabled when the incident can no
    longer take it (moved away, closed by someone else), its typed text still there.
    """
    allowed = view.allowed_actions if view is not None else ()
    forms = [f for f in FORM_ORDER if f in allowed or f in opened["forms"]]
    opened["forms"] = forms
    incident_id = opened["id"]
    inc = view.incident if view is not None else {"id": incident_id, "version": 0, "code": ""}
    args = (inc["id"], inc["version"], inc["code"])
    st.markdown(f"**{labels.ACTIONS_HEADING}**")
    if not allowed:
        st.caption(labels.NO_ACTIONS)
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
    # One container per form, always drawn in the same place: a form that appears or goes
    # disabled never moves the others (their typed text stays where the person left it).
    slots = {name: st.container() for name in FORM_ORDER}
    for name in forms:
        with slots[name]:
            _FORMS[name](incident_id, args, opd_names, inc, enabled=name in allowed)


def _resolve_form(incident_id, args, opd_names, inc, *, enabled: bool) -> None:
    with st.form(f"resolve_{incident_id}"):
        st.text_area(labels.FIELD_RESOLUTION_NOTE, key=f"resolve_note_{incident_id}")
        _submit(labels.BTN_RESOLVE, _resolve, args, enabled=enabled)


def _forward_form(incident_id, args, opd_names, inc, *, enabled: bool) -> None:
    with st.form(f"forward_{incident_id}"):
        _opd_pick(labels.FIELD_FORWARD_TO, opd_names, key=f"forward_opd_{incident_id}")
        _submit(labels.BTN_FORWARD, _forward, args, enabled=enabled, primary=True)


def _reassign_form(incident_id, args, opd_names, inc, *, enabled: bool) -> None:
    others = {code: name for code, name in opd_names.items() if code != inc.get("opd_code")}
    with st.form(f"reassign_{incident_id}"):
        st.markdown(f"**{labels.REASSIGN_HEADING}**")
        _opd_pick(labels.FIELD_REASSIGN_TO, others, key=f"reassign_opd_{incident_id}")
        st.text_area(labels.FIELD_REASSIGN_REASON, key=f"reassign_reason_{incident_id}")
        _submit(labels.BTN_REASSIGN, _reassign, args, enabled=enabled)


def _status_form(incident_id, args, opd_names, inc, *, enabled: bool) -> None:
    with st.form(f"status_{incident_id}"):
        st.markdown(f"**{labels.STATUS_HEADING}**")
        st.selectbox(
            labels.FIELD_NEW_STATUS,
            list(queues.status_choices(inc.get("status", ""))),
            format_func=lambda s: labels.STATUS.get(s, s),
            key=f"status_to_{incident_id}",
        )
        # Optional here: only a change to Dibatalkan needs a reason code.
        _cancel_code_pick(
            key=f"status_cancel_{incident_id}",
            index=None,
            placeholder=labels.CANCEL_CODE_PLACEHOLDER,
        )
        st.text_area(labels.FIELD_STATUS_REASON, key=f"status_reason_{incident_id}")
        _submit(labels.BTN_CHANGE_STATUS, _change_status, args, enabled=enabled)


def _cancel_form(incident_id, args, opd_names, inc, *, enabled: bool) -> None:
    with st.form(f"cancel_{incident_id}"):
        st.markdown(f"**{labels.CANCEL_HEADING}**")
        _cancel_code_pick(key=f"cancel_code_{incident_id}")
        st.text_input(labels.FIELD_NOTE, key=f"cancel_note_{incident_id}")
        _submit(labels.BTN_CANCEL, _cancel, args, enabled=enabled)


def _opd_pick(label: str, opd_names: dict, *, key: str) -> None:
    # Forward and reassign: no OPD chosen until the desk picks one (never a silent default).
    components.choose(
        st.selectbox,
        label,
        opd_names,
        index=None,
        placeholder=labels.FORWARD_PLACEHOLDER,
        key=key,
    )


def _cancel_code_pick(*, key: str, **options) -> None:
    st.selectbox(
        labels.FIELD_CANCEL_CODE,
        list(CANCEL_REASONS),
        format_func=labels.CANCEL_REASON.get,
        key=key,
        **options,
    )


def _submit(label: str, action, args, *, enabled: bool, primary: bool = False) -> None:
    st.form_submit_button(
        label,
        type="primary" if primary else "secondary",
        on_click=action,
        args=args,
        disabled=not enabled,
    )
    if not enabled:
        st.caption(labels.DRAFT_NOT_SAVABLE)


_FORMS = {
    "resolve": _resolve_form,
    "forward": _forward_form,
    "reassign": _reassign_form,
    "change_status": _status_form,
    "cancel": _cancel_form,
}


def _open_panel(opened: dict) -> None:
    """The open incident as it is now, what others changed meanwhile, and its actions."""
    now = ui.run_service(
        queues.incident_now, engine, actor, opened["id"], after_event_id=opened["seen_event"]
    )
    if now is None:
        return
    if now.changes:
        opened["notices"] = [*opened["notices"], *map(queues.change_text, now.changes)]
    opened["seen_event"] = now.last_event_id
    title, close = st.columns([4, 1], vertical_alignment="center")
    title.markdown(f"**{labels.QUEUE_OPEN_HEADING}: {now.code}**")
    close.button(labels.BTN_CLOSE_PANEL, on_click=_close_panel, width="stretch")
    # Notices in one fixed container: they come and go without moving the forms below.
    with st.container():
        if opened["notices"]:
            lines = "\n".join(f"- {ui.plain(line)}" for line in opened["notices"])
            st.warning(f"{ui.plain(labels.CHANGED_ELSEWHERE.format(code=now.code))}\n{lines}")
            st.button(labels.BTN_DISMISS_NOTICE, on_click=_dismiss_notices)
        if not now.still_yours:
            st.error(ui.plain(labels.MOVED_AWAY.format(code=now.code, opd=now.opd_name or "-")))
        elif now.status in CLOSED_STATUSES:
            status = labels.STATUS.get(now.status, now.status).lower()
            st.info(ui.plain(labels.CLOSED_ELSEWHERE.format(code=now.code, status=status)))
    view = None
    if now.still_yours:
        view = ui.run_service(queues.incident_view, engine, actor, opened["id"])
    with st.container():
        if view is not None:
            components.show_incident_header(view)
    actions, detail = st.columns([2, 3], gap="large")
    with actions:
        _actions(view, opened, queues.opd_choices(engine))
    if view is not None:
        with detail:
            components.show_incident_body(view)


def _filters() -> tuple[tuple[str, ...], bool]:
    if actor.role == OPD_ADMIN:
        return (), False
    opd_names = ui.run_service(queues.opd_choices, engine) or {}
    left, right = st.columns([3, 1])
    chosen = components.choose(
        left.multiselect,
        labels.FILTER_OPD,
        opd_names,
        placeholder=labels.FILTER_OPD_ALL,
        key="queue_filter_opd",
    )
    overdue = right.toggle(labels.FILTER_OVERDUE, key="queue_filter_overdue")
    return tuple(chosen), overdue


opd_filter, overdue_only = _filters()
_open_requested()


# The same refresh rule as every other live screen (live.refresh_interval_s: setting, floor).
@st.fragment(run_every=live.refresh_interval_s(ui.settings()))
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
    by_id = {r.id: r for r in rows}
    pick, summary = st.columns([3, 2], vertical_alignment="bottom")
    # The picker only opens an incident; what is open is kept apart, so a refresh that changes
    # the list (a new report, a status, an overdue mark) never closes it.
    pick.selectbox(
        labels.PICK_INCIDENT,
        list(by_id),
        index=None,
        placeholder=labels.PICK_INCIDENT_PLACEHOLDER,
        format_func=lambda i: queues.row_label(by_id[i]) if i in by_id else str(i),
        key=PICK_KEY,
        on_change=_open_picked,
    )
    overdue = sum(1 for r in rows if r.overdue)
    summary.caption(labels.QUEUE_SUMMARY.format(count=len(rows), overdue=overdue))
    opened = st.session_state.get(OPEN_KEY)
    if opened:
        _open_panel(opened)
    if not rows:
        st.info(labels.QUEUE_EMPTY)
        return
    table_px = min(300, 35 * (len(rows) + 1) + 3)
    st.dataframe(queues.queue_frame(rows), hide_index=True, width="stretch", height=table_px)


queue_section()
