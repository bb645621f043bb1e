"""Sign-in page."""

from __future__ import annotations

import streamlit as st

from dashboard import auth, labels
from dashboard.config import load_settings
from pages import ui

st.title(labels.APP_TITLE)
st.caption(labels.APP_SUBTITLE)
reason = st.session_state.pop("signed_out_reason", None)
if reason:
    st.info(reason)

with st.form("login"):
    username = st.text_input("Nama pengguna")
    password = st.text_input("Kata sandi", type="password")
    submitted = st.form_submit_button("Masuk", type="primary")

if submitted:
    actor = ui.run_service(auth.authenticate, ui.get_engine(), username, password)
    if actor is not None:
        ui.sign_in(actor)
        st.rerun()

if load_settings().demo:
    st.caption("Mode demo: lihat README untuk akun demo (mis. `spv.eka`).")
