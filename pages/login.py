"""Sign-in page."""

from __future__ import annotations

import streamlit as st

from dashboard import auth, labels
from dashboard.config import load_settings
from pages import ui

st.title(labels.APP_TITLE)
st.caption(labels.APP_SUBTITLE)
reason = st.session_state.pop(ui.SIGNED_OUT_REASON_KEY, None)
if reason:
    st.info(reason)

with st.form("login"):
    username = st.text_input(labels.FIELD_USERNAME)
    password = st.text_input(labels.FIELD_PASSWORD, type="password")
    submitted = st.form_submit_button(labels.BTN_SIGN_IN, type="primary")

if submitted:
    actor = ui.run_service(auth.authenticate, ui.get_engine(), username, password)
    if actor is not None:
        ui.sign_in(actor)
        st.rerun()

if load_settings().demo:
    st.caption(labels.LOGIN_DEMO_HINT)
