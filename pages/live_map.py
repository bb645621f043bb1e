"""Placeholder until its issue lands."""

import streamlit as st

st.info("Halaman ini sedang disiapkan.")
