"""Kartu SOP: every category's SOP card; the trainer edits a card or adds a scenario (JSON)."""

from __future__ import annotations

import json

import streamlit as st

from dashboard import labels, training
from dashboard.training_library import card_to_json, scenario_to_json
from pages import training_view as view
from pages import ui

actor = view.require()
st.title(labels.TRAINING_PAGE_CARDS)
lib = view.library()
names = view.category_names()
st.caption(labels.TRAINING_CARDS_INTRO)
codes = [code for code in names if code in lib.cards]
chosen = st.selectbox(
    labels.TRAINING_FIELD_CATEGORY, codes, format_func=lambda code: names[code], key="t_cards_pick"
)
if chosen:
    view.show_card(lib.cards[chosen])

if training.is_trainer(actor):
    st.divider()
    st.subheader(labels.TRAINING_EDIT_TITLE)
    edit_card, add_scenario = st.tabs([labels.TRAINING_EDIT_CARD, labels.TRAINING_ADD_SCENARIO])
    with edit_card:
        st.caption(labels.TRAINING_EDIT_CARD_HINT)
        example = json.dumps(card_to_json(lib.cards[chosen]), ensure_ascii=False, indent=2)
        body = st.text_area(
            labels.TRAINING_FIELD_JSON, value=example, height=320, key=f"t_card_json_{chosen}"
        )
        if st.button(labels.TRAINING_SAVE_CARD, type="primary"):
            saved = ui.run_service(training.save_card, view.engine(), actor, body)
            if saved is not None:
                st.success(
                    labels.TRAINING_CARD_SAVED.format(
                        category=names.get(saved.category_code, saved.category_code)
                    )
                )
    with add_scenario:
        st.caption(labels.TRAINING_ADD_SCENARIO_HINT)
        first = next(iter(lib.scenarios.values()), None)
        template = (
            json.dumps(scenario_to_json(first), ensure_ascii=False, indent=2) if first else ""
        )
        body = st.text_area(
            labels.TRAINING_FIELD_JSON, value=template, height=420, key="t_scenario_json"
        )
        if st.button(labels.TRAINING_SAVE_SCENARIO, type="primary"):
            added = ui.run_service(training.add_scenario, view.engine(), actor, body)
            if added is not None:
                st.success(labels.TRAINING_SCENARIO_SAVED.format(code=added.code))
