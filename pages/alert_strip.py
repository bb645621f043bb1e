"""The alert strip above every signed-in page of an OPD admin or a supervisor.

A fragment refreshing at the live screens' interval: it appears without a reload when an incident
is forwarded to the OPD (or escalated, for supervisors), shows a count and the most urgent few
(the demo city starts with many overdue incidents: never a wall of boxes), and stays until the
alert ends (dashboard/alerts.py: the rows survive reloads). It sits in the page's flow at the
top, never over the page's own controls. Its browser side (alert_strip.js) plays the app's own
sound and shows a desktop notification for alert ids this tab has not seen yet.
"""

from __future__ import annotations

import html
import json
from pathlib import Path

import streamlit as st
from sqlalchemy.exc import SQLAlchemyError

from dashboard import alert_sound, alerts, labels
from dashboard.domain import Actor
from dashboard.handoff import ASSIGNED, ESCALATED, MOVED_AWAY
from pages import components, ui

# Penugasan reads (and removes) this on its next run and opens the incident (pages/queue.py).
OPEN_REQUEST_KEY = "alert_open_request"
_SWITCH_KEY = "_alert_switch_to_queue"
QUEUE_PAGE = "pages/queue.py"
REMIND_S = 60
_JS = Path(__file__).with_name("alert_strip.js").read_text(encoding="utf-8")

_CSS = """
<style>
.st-key-siaga_alert_strip { background: #b71c1c; color: #fff; border-radius: 6px;
  padding: 4px 10px 6px 10px; gap: 0.2rem; }
.st-key-siaga_alert_strip.moved-only, .st-key-siaga_alert_strip:has(.moved-only) {
  background: #5d4037; }
.siaga-strip { line-height: 1.3; font-size: 0.86rem; color: #fff; }
.siaga-strip .s-head { font-weight: 700; display: flex; flex-wrap: wrap; gap: 4px 14px;
  align-items: center; }
.siaga-strip .s-dot { display: inline-block; width: 0.6rem; height: 0.6rem; border-radius: 50%;
  background: #fff; margin-right: 6px; animation: siaga-strip-blink 1s steps(2) infinite; }
@keyframes siaga-strip-blink { 50% { opacity: 0.2; } }
@media (prefers-reduced-motion: reduce) { .siaga-strip .s-dot { animation: none; } }
.siaga-strip ul { margin: 0; padding-left: 1.1rem; }
.siaga-strip li { margin: 0; padding: 0; white-space: nowrap; overflow: hidden;
  text-overflow: ellipsis; font-size: 0.86rem; }
.siaga-strip .s-more { font-weight: 400; }
.siaga-strip button, .siaga-alert-controls button { font-size: 0.78rem; padding: 1px 8px;
  border-radius: 4px; border: 1px solid #b71c1c; background: #fff; color: #b71c1c;
  cursor: pointer; }
.siaga-alert-controls button { margin: 2px 0; }
.st-key-siaga_alert_strip button[kind] { min-height: 1.7rem; padding: 0 0.6rem; background: #fff;
  color: #b71c1c; border: 1px solid #fff; }
.st-key-siaga_alert_strip button[kind] p { font-size: 0.8rem; font-weight: 600; }
</style>
"""


def show(actor: Actor, every_s: float) -> None:
    """The strip for this person (nothing for roles without alerts)."""
    if alerts.audience(actor) is None:
        return
    st.fragment(_strip, run_every=every_s)(actor)


def sidebar_controls(actor: Actor) -> None:
    """In the sidebar: 'Aktifkan notifikasi desktop' while the browser has not been asked, and
    'Aktifkan suara' while it refuses sound (shown and hidden by alert_strip.js)."""
    if alerts.audience(actor) is None:
        return
    st.html(
        f"{_CSS}<div class='siaga-alert-controls'>{_control_buttons()}</div><script>{_JS}</script>",
        unsafe_allow_javascript=True,
    )


def _strip(actor: Actor) -> None:
    if ui.current_actor(touch=False) is None:
        return
    if st.session_state.pop(_SWITCH_KEY, False):
        st.switch_page(QUEUE_PAGE)
    try:
        now = alerts.open_alerts(ui.get_engine(), actor, now=ui.now_utc())
    except SQLAlchemyError:
        # The page shows the outage itself; the strip comes back at the next refresh.
        return
    if not now.top:
        # Nothing to show: only the browser side, which takes no room.
        st.html(_script(now), unsafe_allow_javascript=True)
        return
    with st.container(key="siaga_alert_strip"):
        st.html(_strip_html(now) + _script(now), unsafe_allow_javascript=True)
        _buttons(actor, now)


def _strip_html(now: alerts.AlertsNow) -> str:
    esc = html.escape
    heads = [
        labels.STRIP_ESCALATED.format(n=now.counts[ESCALATED]) if now.counts.get(ESCALATED) else "",
        labels.STRIP_NEW.format(n=now.counts[ASSIGNED]) if now.counts.get(ASSIGNED) else "",
        labels.STRIP_MOVED.format(n=now.counts[MOVED_AWAY]) if now.counts.get(MOVED_AWAY) else "",
    ]
    if now.waiting_for_opd:
        heads.append(labels.STRIP_WAITING_OPD.format(n=now.waiting_for_opd))
    heads = [h for h in heads if h]
    if not heads:
        return ""
    items = "".join(
        f"<li class='{'moved' if a.kind == MOVED_AWAY else ''}' data-alert-id='{a.id}'>"
        f"{esc(_item_text(a))}</li>"
        for a in now.top
    )
    more = now.total - len(now.top)
    more_html = f" <span class='s-more'>({esc(labels.STRIP_MORE.format(n=more))})</span>"
    moved_only = set(now.counts) == {MOVED_AWAY}
    return (
        f"<div class='siaga-strip{' moved-only' if moved_only else ''}' role='alert'"
        f" data-testid='siaga-alert-strip'><div class='s-head'><span><span class='s-dot'></span>"
        f"{esc(' · '.join(heads))}{more_html if more > 0 else ''}</span>"
        f"{_control_buttons()}</div><ul>{items}</ul></div>"
    )


def _item_text(a: alerts.OpenAlert) -> str:
    kind = alerts.alert_kind_text(a.kind, a.level)
    return f"{kind}: {components.waiting_item_text(labels.STRIP_ITEM, a)}"


def _control_buttons() -> str:
    esc = html.escape
    return (
        f"<button type='button' data-siaga-sound hidden title='{esc(labels.SOUND_BLOCKED_HINT)}'>"
        f"{esc(labels.BTN_SOUND_ON)}</button>"
        f"<button type='button' data-siaga-notify hidden>{esc(labels.BTN_NOTIFY_ON)}</button>"
    )


def _script(now: alerts.AlertsNow) -> str:
    state = {
        "sound": alert_sound.URL,
        "remindS": REMIND_S,
        "remind": bool(now.counts.get(ASSIGNED)),
        "ids": now.ids,
        "more": labels.NOTIFY_MORE,
        "notify": [
            {
                "id": a.id,
                "title": labels.NOTIFY_TITLE.get(a.kind, "{code}").format(code=a.code),
                "body": _item_text(a),
            }
            for a in now.newest
        ],
    }
    payload = json.dumps(state, ensure_ascii=False).replace("</", "<\\/")
    return f"{_CSS}<script>{_JS}\nwindow.siagaAlerts.update({payload});</script>"


def _buttons(actor: Actor, now: alerts.AlertsNow) -> None:
    with st.container(horizontal=True, gap="small"):
        for a in now.top:
            # An incident moved away is no longer the OPD's to open: only "seen" is offered.
            if a.kind != MOVED_AWAY:
                st.button(
                    labels.STRIP_BTN_OPEN.format(code=a.code),
                    key=f"alert_open_{a.id}",
                    on_click=_request_open,
                    args=(a.incident_id,),
                    type="primary",
                )
            if a.kind in (MOVED_AWAY, ESCALATED):
                st.button(
                    labels.STRIP_BTN_SEEN if a.kind == MOVED_AWAY else labels.STRIP_BTN_TAKE,
                    key=f"alert_ack_{a.id}",
                    on_click=_acknowledge,
                    args=(actor, a.id, a.kind, a.code),
                )


def _request_open(incident_id: int) -> None:
    st.session_state[OPEN_REQUEST_KEY] = incident_id
    st.session_state[_SWITCH_KEY] = True


def _acknowledge(actor: Actor, alert_id: int, kind: str, code: str) -> None:
    # A toast, not the page's kept outcome (ui.act): the page's own last message stays.
    done = labels.STRIP_DONE_SEEN if kind == MOVED_AWAY else labels.STRIP_DONE_TAKE
    # The engine is asked for inside the attempt: a database that is not prepared is an outage.
    acknowledged, _, refusal = ui.attempt(
        lambda: alerts.acknowledge_alert(ui.get_engine(), actor, alert_id)
    )
    st.toast(done.format(code=code) if acknowledged else ui.plain(refusal))
