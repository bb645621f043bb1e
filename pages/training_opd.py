"""Latihan OPD: an OPD admin gets an incident and acts on it against the targets.

The incident may not be theirs (it arrived at the wrong OPD): then the right move is to
reassign it with a reason, not to acknowledge and handle it. Each action's time counts from
the moment the scenario is shown; the drill ends with Selesai, Alihkan or "Akhiri skenario",
then the score and what was missed. Everything is on the training database.
"""

from __future__ import annotations

import streamlit as st

from dashboard import labels, training
from dashboard.training_rules import (
    ACK,
    HANDLE,
    REASSIGN,
    RESOLVE,
    OpdAction,
    OpdAttempt,
    Scenario,
)
from pages import training_view as view

FIELD_PREFIX = "t_opd_"
DRILL = view.Drill(
    "t_drill_opd", FIELD_PREFIX, progress="actions", kind=training.OPD, fields=("to_opd", "reason")
)


def _act(action: str) -> None:
    at_s = DRILL.elapsed_s()
    get = st.session_state.get
    if action == REASSIGN:
        DRILL.state["actions"].append(
            OpdAction(
                REASSIGN,
                at_s,
                to_opd=get(f"{FIELD_PREFIX}to_opd"),
                reason=get(f"{FIELD_PREFIX}reason", "") or "",
            )
        )
    else:
        DRILL.state["actions"].append(OpdAction(action, at_s))


def _finish(actor, scenario: Scenario) -> None:
    attempt = OpdAttempt(tuple(DRILL.state["actions"]))
    DRILL.record(training.record_opd_attempt, actor, scenario, attempt)


def _act_and_maybe_finish(actor, scenario: Scenario, action: str) -> None:
    _act(action)
    if action in (RESOLVE, REASSIGN):
        _finish(actor, scenario)


def _incident(scenario: Scenario, actions: list[OpdAction]) -> None:
    categories, opds = view.category_names(), view.opd_names()
    st.info(
        labels.TRAINING_OPD_ARRIVED.format(
            opd=opds.get(scenario.assigned_opd, scenario.assigned_opd or "-")
        )
    )
    st.markdown(
        f"**{categories.get(scenario.category_code, scenario.category_code or '-')}** · "
        f"{scenario.kelurahan or labels.TRAINING_AT_SEA}"
    )
    st.text(scenario.opening)
    st.caption(
        labels.TRAINING_OPD_TARGETS.format(
            ack_s=scenario.target_ack_s,
            handle_s=scenario.target_handle_s,
            resolve_s=scenario.target_resolve_s,
        )
    )
    if actions:
        st.markdown(f"**{labels.TRAINING_OPD_DONE}**")
        st.markdown(
            "\n".join(
                f"- {labels.TRAINING_ACTION[a.action]} · {round(a.at_s)} s"
                + (f" → {opds.get(a.to_opd, a.to_opd)}" if a.action == REASSIGN else "")
                for a in actions
            )
        )


def _actions(actor, scenario: Scenario, actions: list[OpdAction]) -> None:
    done = {a.action for a in actions}
    cols = st.columns(3)
    for col, action in zip(cols, (ACK, HANDLE, RESOLVE), strict=True):
        col.button(
            labels.TRAINING_ACTION[action],
            key=f"{FIELD_PREFIX}do_{action}",
            disabled=action in done,
            on_click=_act_and_maybe_finish,
            args=(actor, scenario, action),
            width="stretch",
        )
    opds = view.opd_names()
    with st.expander(labels.TRAINING_REASSIGN_TITLE):
        view.pick_or_none(labels.TRAINING_FIELD_TO_OPD, opds, key=f"{FIELD_PREFIX}to_opd")
        st.text_input(labels.TRAINING_FIELD_REASON, key=f"{FIELD_PREFIX}reason")
        st.button(
            labels.TRAINING_ACTION[REASSIGN],
            key=f"{FIELD_PREFIX}do_reassign",
            on_click=_act_and_maybe_finish,
            args=(actor, scenario, REASSIGN),
        )
    st.button(labels.TRAINING_END_SCENARIO, on_click=_finish, args=(actor, scenario))


actor = view.require()
st.title(labels.TRAINING_PAGE_OPD)
lib = view.library()
drills = {code: s for code, s in lib.scenarios.items() if s.kind == "opd"}
# An OPD's own admin starts with the incidents that arrive at their OPD.
own = [code for code, s in drills.items() if s.assigned_opd == actor.opd_code]
scenario = DRILL.current(
    actor, lib.scenarios, lambda: DRILL.choose(drills, labels.TRAINING_OPD_INTRO, preferred=own)
)
left, right = st.columns([1.3, 1])
with left:
    _incident(scenario, DRILL.state["actions"])
    _actions(actor, scenario, DRILL.state["actions"])
with right:
    view.show_card(lib.cards.get(scenario.category_code) if scenario.category_code else None)
