"""Serah terima: what a rotated OPD admin's replacement needs on day one (live data, read-only).

The OPD's open incidents, the routing rules that send categories to it, its escalations of the
last 30 days, and the SOP cards of its categories. An OPD admin sees their own OPD; supervisors
and admins pick one.
"""

from __future__ import annotations

import streamlit as st

from dashboard import labels, training
from dashboard.domain import OPD_ADMIN
from pages import components, training_view, ui

actor = ui.require()
st.title(labels.HANDOVER_TITLE)
st.caption(labels.HANDOVER_INTRO)
engine = ui.get_engine()
if actor.role == OPD_ADMIN:
    opd_code = actor.opd_code
else:
    names = training_view.opd_names(live=True)
    opd_code = components.choose(st.selectbox, labels.HANDOVER_PICK_OPD, names, key="handover_opd")
# The reviewed cards of data/latihan/ (the live desk never waits for the training database).
view = ui.run_service(
    training.handover, engine, opd_code, now_utc=ui.now_utc(), cards=training_view.file_cards()
)
if view is None:
    st.stop()
st.subheader(labels.HANDOVER_OPEN.format(opd=view.opd_name, n=len(view.open_incidents)))
if view.open_incidents:
    st.dataframe(view.open_table, hide_index=True, width="stretch")
else:
    st.caption(labels.HANDOVER_NONE_OPEN)
st.subheader(labels.HANDOVER_RULES)
st.dataframe(view.routing_table, hide_index=True, width="stretch")
st.subheader(labels.HANDOVER_ESCALATIONS)
if view.escalations.empty:
    st.caption(labels.HANDOVER_NO_ESCALATIONS)
else:
    st.dataframe(view.escalations, hide_index=True, width="stretch")
st.subheader(labels.HANDOVER_CARDS)
for card in view.cards:
    name = training_view.category_names(live=True).get(card.category_code, card.category_code)
    with st.expander(labels.TRAINING_CARD_TITLE.format(category=name)):
        training_view.show_card(card, live=True)
