"""Start page: the city at a glance for the signed-in user."""

from __future__ import annotations

import streamlit as st

from dashboard import labels, queries
from dashboard.domain import format_wib
from pages import ui

actor = ui.require()
engine = ui.get_engine()
st.title(labels.APP_TITLE)
st.caption(labels.APP_SUBTITLE)

k = ui.run_service(queries.kpis, engine, now_utc=ui.now_utc())
if k is not None:
    cols = st.columns(4)
    cols[0].metric("Laporan terbuka", sum(k.open_by_status.values()))
    cols[1].metric("Terlambat", k.overdue)
    cols[2].metric("Laporan hari ini", k.reports_today)
    share = "-" if k.nuisance_share_today is None else f"{k.nuisance_share_today:.0%}"
    cols[3].metric("Iseng/kosong hari ini", share)
    st.caption(f"Data per {format_wib(k.as_of_utc)} WIB")
