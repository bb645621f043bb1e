"""Start page: the city at a glance for the signed-in user, with the next step for their role."""

from __future__ import annotations

import streamlit as st

from dashboard import fmt, labels, live
from dashboard.domain import OPD_ADMIN, can, format_wib
from dashboard.queries import IncidentFilter
from pages import ui

# Shortcut per permission, in the order a desk works: record, route, watch, evaluate, administer.
SHORTCUTS = (
    ("create", "pages/intake.py", "intake", ":material/call:"),
    ("acknowledge", "pages/queue.py", "queue", ":material/assignment:"),
    (None, "pages/live_map.py", "live", ":material/map:"),
    ("trends", "pages/trends.py", "trends", ":material/trending_up:"),
    ("admin", "pages/admin.py", "admin", ":material/settings:"),
)

actor = ui.require()
engine = ui.get_engine()
st.title(labels.APP_TITLE)
st.caption(labels.APP_SUBTITLE)

# An OPD admin's start page is their own OPD's open incidents; everyone else sees the city.
own_opd = actor.opd_code if actor.role == OPD_ADMIN else None
flt = IncidentFilter(opds=(own_opd,)) if own_opd else None


def _figures(own_opd: str | None) -> None:
    """The figures and the open incidents, refreshed by themselves like every live view (the
    alert strip above says "new" and this list shows it at the same refresh)."""
    flt = IncidentFilter(opds=(own_opd,)) if own_opd else None
    snapshot = ui.run_service(live.live_snapshot, engine, now_utc=ui.now_utc(), flt=flt)
    if snapshot is None:
        return
    k = snapshot.kpis
    cols = st.columns(4)
    # Open and overdue follow the incidents listed below (the OPD's own for an OPD admin).
    cols[0].metric(labels.HOME_OPEN, len(snapshot.incidents))
    cols[1].metric(labels.HOME_OVERDUE, int(snapshot.incidents["overdue"].notna().sum()))
    cols[2].metric(labels.HOME_TODAY, k.reports_today)
    cols[3].metric(labels.HOME_NUISANCE, fmt.format_percent(k.nuisance_share_today))
    st.caption(labels.HOME_AS_OF.format(at=format_wib(k.as_of_utc)))
    title = labels.HOME_NEWEST_OPD.format(opd=own_opd) if own_opd else labels.HOME_NEWEST_ALL
    st.subheader(title)
    if snapshot.incidents.empty:
        st.info(labels.HOME_NONE_OPEN)
    else:
        st.dataframe(snapshot.newest, hide_index=True, width="stretch")


st.subheader(labels.HOME_SHORTCUTS)
links = [s for s in SHORTCUTS if s[0] is None or can(actor, s[0])]
for column, (_, path, key, icon) in zip(st.columns(len(links)), links, strict=True):
    column.page_link(path, label=labels.HOME_LINK[key], icon=icon)

st.fragment(_figures, run_every=live.refresh_interval_s(ui.settings()))(own_opd)
