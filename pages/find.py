"""Cari laporan: find any incident (open or closed) and, for a supervisor, reopen it."""

from __future__ import annotations

import streamlit as st

from dashboard import labels
from pages import ui

actor = ui.require()
st.title(labels.FIND_TITLE)
