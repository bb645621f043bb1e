"""Pelatih: each trainee's scores over time, the SOP steps new staff miss most, an export."""

from __future__ import annotations

import functools

import altair as alt
import pandas as pd
import streamlit as st

from dashboard import labels, training
from dashboard.domain import format_wib, to_wib
from dashboard.fmt import format_percent
from pages import components, ui
from pages import training_view as view

actor = view.require()
st.title(labels.TRAINING_PAGE_TRAINER)
if not training.is_trainer(actor):
    st.error(labels.TRAINING_ERR_TRAINER_ONLY)
    st.stop()
engine = view.engine()


def _add_trainee() -> None:
    """A training account for a new or rotated member of staff (the training database only)."""
    with st.expander(labels.TRAINING_ADD_TRAINEE), st.form("t_add_trainee", clear_on_submit=True):
        username = st.text_input(labels.FIELD_USERNAME)
        full_name = st.text_input(labels.TRAINING_FIELD_FULL_NAME)
        role = st.selectbox(
            labels.TRAINING_FIELD_ROLE,
            training.TRAINEE_ROLES,
            format_func=lambda code: labels.ROLE.get(code, code),
        )
        opds = view.opd_names()
        opd = st.selectbox(
            labels.TRAINING_FIELD_OPD_ACCOUNT,
            [None, *opds],
            format_func=lambda code: labels.TRAINING_PICK_NONE if code is None else opds[code],
        )
        password = st.text_input(labels.FIELD_PASSWORD, type="password")
        if st.form_submit_button(labels.TRAINING_SAVE_TRAINEE, type="primary"):
            added = ui.run_service(
                training.add_trainee,
                engine,
                actor,
                username=username,
                full_name=full_name,
                role=role,
                opd_code=opd,
                password=password,
            )
            if added is not None:
                st.success(labels.TRAINING_TRAINEE_SAVED.format(username=username.strip().lower()))


_add_trainee()
scores = training.trainee_scores(engine)
if scores.empty:
    st.info(labels.TRAINING_NO_ATTEMPTS)
    st.stop()
st.subheader(labels.TRAINING_SCORES_TITLE)
newest_first = scores.iloc[::-1]
st.dataframe(
    {
        labels.TRAINING_COL_TRAINEE: [
            f"{name} ({user})" if name != user else user
            for name, user in zip(
                newest_first["trainee_name"], newest_first["trainee"], strict=True
            )
        ],
        labels.TRAINING_COL_WHEN: [format_wib(v) for v in newest_first["submitted_at_utc"]],
        labels.TRAINING_COL_SCENARIO: [
            f"{code} · {title}"
            for code, title in zip(
                newest_first["scenario_code"], newest_first["scenario_title"], strict=True
            )
        ],
        labels.TRAINING_COL_POINTS: [
            f"{score}/{top}"
            for score, top in zip(newest_first["score"], newest_first["max_score"], strict=True)
        ],
        labels.TRAINING_COL_PERCENT: [
            format_percent(None if pd.isna(v) else v / 100) for v in newest_first["percent"]
        ],
    },
    hide_index=True,
    width="stretch",
)
# Each trainee's percentage over their attempts (WIB times): are they getting better?
over_time = scores.assign(when=[to_wib(v).replace(tzinfo=None) for v in scores["submitted_at_utc"]])
st.altair_chart(
    alt.Chart(over_time)
    .mark_line(point=True)
    .encode(
        x=alt.X("when:T", title=labels.TRAINING_CHART_X, axis=alt.Axis(format="%d-%m %H:%M")),
        y=alt.Y("percent:Q", title=labels.TRAINING_CHART_Y, scale=alt.Scale(domain=[0, 100])),
        color=alt.Color("trainee:N", title=labels.TRAINING_COL_TRAINEE),
        tooltip=[
            alt.Tooltip("trainee:N", title=labels.TRAINING_COL_TRAINEE),
            alt.Tooltip("scenario_code:N", title=labels.TRAINING_COL_SCENARIO),
            alt.Tooltip("percent:Q", title=labels.TRAINING_COL_PERCENT),
        ],
    )
    .properties(height=260),
    width="stretch",
)
# One attempt as the trainee saw it: the score and each step's feedback.
attempt_ids = newest_first["attempt_id"].tolist()
titles = dict(zip(newest_first["attempt_id"], newest_first["scenario_code"], strict=True))
who = dict(zip(newest_first["attempt_id"], newest_first["trainee"], strict=True))
picked = st.selectbox(
    labels.TRAINING_PICK_ATTEMPT,
    attempt_ids,
    format_func=lambda i: f"#{i} · {who[i]} · {titles[i]}",
    key="t_trainer_attempt",
)
if picked is not None:
    detail = ui.run_service(training.attempt_detail, engine, int(picked))
    if detail is not None:
        view.show_score(detail.result)
st.subheader(labels.TRAINING_MISSED_TITLE)


def _misses_table(misses: pd.DataFrame) -> dict[str, list]:
    table = {}
    if "trainee" in misses:
        table[labels.TRAINING_COL_TRAINEE] = misses["trainee"].tolist()
    return {
        **table,
        labels.TRAINING_COL_STEP: [labels.TRAINING_STEP.get(s, s) for s in misses["step"]],
        labels.TRAINING_COL_ATTEMPTS: misses["attempts"].tolist(),
        labels.TRAINING_COL_MISSED: misses["missed"].tolist(),
        labels.TRAINING_COL_SHARE: [format_percent(v) for v in misses["share_missed"]],
    }


overall, per_trainee = st.tabs([labels.TRAINING_MISSED_ALL, labels.TRAINING_MISSED_PER_TRAINEE])
overall.dataframe(_misses_table(training.step_misses(engine)), hide_index=True, width="stretch")
per_trainee.dataframe(
    _misses_table(training.step_misses(engine, by_trainee=True)), hide_index=True, width="stretch"
)
cols = st.columns(2)
for col, (label, export, ending) in zip(
    cols,
    (
        (labels.TRAINING_EXPORT_CSV, training.export_csv, "csv"),
        (labels.TRAINING_EXPORT_XLSX, training.export_xlsx, "xlsx"),
    ),
    strict=True,
):
    components.download(
        col,
        label,
        functools.partial(export, engine),
        f"{labels.TRAINING_EXPORT_FILE}.{ending}",
        key=f"t_export_{ending}",
    )
