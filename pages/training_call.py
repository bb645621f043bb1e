"""Latihan panggilan: a trainee takes scripted callers, asks the SOP questions, decides, is scored.

A drill is a set of call scenarios run one after another. For each: the caller's first words;
a button per SOP question reveals the caller's answer (what was asked is scored); the form
(category, OPD, place search or coordinates, kondisi, number) with the category's SOP card
beside it; a decision (forward, prank, duplicate of an open incident). After the decision the
score and what was missed, in Indonesian. Everything is on the training database.
"""

from __future__ import annotations

import streamlit as st

from dashboard import intake, labels, training
from dashboard.training_rules import (
    DUPLICATE,
    FORWARD,
    OUTCOMES,
    PRANK,
    SOP_QUESTIONS,
    CallAttempt,
    Scenario,
)
from pages import training_view as view
from pages import ui

FIELD_PREFIX = "t_call_"
# The form's widgets (FIELD_PREFIX + name) kept with the drill, so a reload brings them back.
FORM_FIELDS = (
    "category",
    "opd",
    "search",
    "lat",
    "lon",
    "kondisi",
    "phone",
    "outcome",
    "duplicate",
)
DRILL = view.Drill(
    "t_drill_call", FIELD_PREFIX, progress="asked", kind=training.CALL, fields=FORM_FIELDS
)


def _ask(question: str) -> None:
    drill = DRILL.state
    if drill is not None and question not in drill["asked"]:
        drill["asked"].append(question)


def _use_place(lat: float, lon: float) -> None:
    st.session_state[f"{FIELD_PREFIX}lat"] = lat
    st.session_state[f"{FIELD_PREFIX}lon"] = lon


def _submit(actor, scenario: Scenario) -> None:
    get = st.session_state.get
    outcome = get(f"{FIELD_PREFIX}outcome", FORWARD)
    attempt = CallAttempt(
        asked=frozenset(DRILL.state["asked"]),
        outcome=outcome,
        category_code=get(f"{FIELD_PREFIX}category"),
        opd_code=get(f"{FIELD_PREFIX}opd"),
        lat=get(f"{FIELD_PREFIX}lat"),
        lon=get(f"{FIELD_PREFIX}lon"),
        kondisi=get(f"{FIELD_PREFIX}kondisi", "") or "",
        phone=get(f"{FIELD_PREFIX}phone", "") or "",
        duplicate_of=get(f"{FIELD_PREFIX}duplicate") if outcome == DUPLICATE else None,
        elapsed_s=DRILL.elapsed_s(),
    )
    DRILL.record(training.record_call_attempt, actor, scenario, attempt)


def _transcript(scenario: Scenario, asked: list[str]) -> None:
    st.markdown(f"**{labels.TRAINING_CALLER}:** {scenario.opening}")
    for question in asked:
        st.markdown(f"**{labels.TRAINING_YOU}:** {labels.TRAINING_QUESTION[question]}")
        st.markdown(f"**{labels.TRAINING_CALLER}:** {scenario.answers.get(question, '')}")
    remaining = [q for q in SOP_QUESTIONS if q not in asked]
    cols = st.columns(2)
    for i, question in enumerate(remaining):
        cols[i % 2].button(
            labels.TRAINING_ASK[question],
            key=f"{FIELD_PREFIX}ask_{question}",
            on_click=_ask,
            args=(question,),
            width="stretch",
        )
    if scenario.open_incidents:
        st.markdown(f"**{labels.TRAINING_OPEN_INCIDENTS}**")
        st.dataframe(
            [
                {
                    labels.TRAINING_COL_CODE: item.code,
                    labels.TRAINING_COL_CATEGORY: view.category_names().get(
                        item.category_code, item.category_code
                    ),
                    labels.TRAINING_COL_PLACE: item.place,
                    labels.TRAINING_COL_RECEIVED: item.received,
                }
                for item in scenario.open_incidents
            ],
            hide_index=True,
            width="stretch",
        )


def _form(actor, scenario: Scenario) -> str | None:
    categories, opds = view.category_names(), view.opd_names()
    category = view.pick_or_none(
        labels.TRAINING_FIELD_CATEGORY, categories, key=f"{FIELD_PREFIX}category"
    )
    view.pick_or_none(labels.TRAINING_FIELD_OPD, opds, key=f"{FIELD_PREFIX}opd")
    query = st.text_input(labels.SEARCH_PLACE, key=f"{FIELD_PREFIX}search")
    matches = ui.run_service(intake.search_places, view.engine(), query) or []
    for i, match in enumerate(matches):
        st.button(
            match.label,
            key=f"{FIELD_PREFIX}match_{i}",
            on_click=_use_place,
            args=(match.lat, match.lon),
        )
    if query and len(query.strip()) >= 3 and not matches:
        st.caption(labels.TRAINING_NO_PLACE)
    coordinates = (("lat", labels.TRAINING_FIELD_LAT), ("lon", labels.TRAINING_FIELD_LON))
    for col, (name, label) in zip(st.columns(2), coordinates, strict=True):
        col.number_input(label, value=None, format="%.5f", step=0.0001, key=f"{FIELD_PREFIX}{name}")
    st.text_area(labels.TRAINING_FIELD_KONDISI, key=f"{FIELD_PREFIX}kondisi", height=80)
    st.text_input(labels.TRAINING_FIELD_PHONE, key=f"{FIELD_PREFIX}phone")
    outcome = st.radio(
        labels.TRAINING_FIELD_OUTCOME,
        list(OUTCOMES),
        format_func=lambda code: labels.TRAINING_OUTCOME[code],
        key=f"{FIELD_PREFIX}outcome",
        horizontal=True,
    )
    if outcome == DUPLICATE:
        codes = {item.code: item.code for item in scenario.open_incidents}
        view.pick_or_none(labels.TRAINING_FIELD_DUPLICATE, codes, key=f"{FIELD_PREFIX}duplicate")
    label = {
        FORWARD: labels.TRAINING_SUBMIT_FORWARD,
        PRANK: labels.TRAINING_SUBMIT_PRANK,
        DUPLICATE: labels.TRAINING_SUBMIT_DUPLICATE,
    }[outcome]
    st.button(label, type="primary", on_click=_submit, args=(actor, scenario))
    return category


actor = view.require()
st.title(labels.TRAINING_PAGE_CALL)
lib = view.library()
calls = {code: s for code, s in lib.scenarios.items() if s.kind == "call"}
scenario = DRILL.current(
    actor, lib.scenarios, lambda: DRILL.choose(calls, labels.TRAINING_CALL_INTRO)
)
talk, form, card = st.columns([1.2, 1.2, 1])
with talk:
    _transcript(scenario, DRILL.state["asked"])
with form:
    picked = _form(actor, scenario)
with card:
    view.show_card(lib.cards.get(picked) if picked else None)
