"""What the training pages share: the room's engine and library, the SOP card, a score's
feedback. Everything here reads the training database only (ui.TRAINING)."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd
import streamlit as st
from sqlalchemy.exc import SQLAlchemyError

from dashboard import catalogue, labels, training, training_library
from dashboard.fmt import format_decimal, format_percent
from dashboard.training_rules import Score, SopCard
from pages import ui


def engine():
    return ui.training_engine()


def require():
    """The signed-in training account (its own sign-in form otherwise)."""
    return ui.require(room=ui.TRAINING)


@st.cache_data(ttl=30, show_spinner=False)
def _names() -> tuple[dict[str, str], dict[str, str]]:
    with engine().connect() as conn:
        categories = {code: c.name for code, c in catalogue.categories(conn).items()}
        opds = catalogue.opd_names(conn)
    return categories, opds


def category_names() -> dict[str, str]:
    return _names()[0]


def opd_names() -> dict[str, str]:
    return _names()[1]


def library() -> training.Library:
    return training.library(engine())


def card_for(category_code: str) -> SopCard | None:
    """A category's SOP card for the live intake form: the trainer's edit when the training
    database has one, else the card of data/latihan/sop_cards.json (read-only either way)."""
    try:
        return library().cards.get(category_code)
    except SQLAlchemyError:
        return training_library.load_cards().get(category_code)


def show_card(card: SopCard | None, *, compact: bool = False) -> None:
    """One SOP card: what to ask, which OPD and posts, target times, common mistakes."""
    if card is None:
        st.caption(labels.TRAINING_CARD_NONE)
        return
    name = category_names().get(card.category_code, card.category_code)
    st.markdown(f"**{labels.TRAINING_CARD_TITLE.format(category=name)}**")
    st.markdown(f"*{labels.TRAINING_CARD_ASK}*")
    st.markdown("\n".join(f"1. {question}" for question in card.ask))
    st.markdown(
        labels.TRAINING_CARD_ROUTE.format(
            opd=opd_names().get(card.opd_code, card.opd_code),
            posts=", ".join(card.posts) or "-",
            forward_s=card.target_forward_s,
            ack_s=card.target_ack_s,
        )
    )
    if not compact or card.mistakes:
        st.markdown(f"*{labels.TRAINING_CARD_MISTAKES}*")
        st.markdown("\n".join(f"- {mistake}" for mistake in card.mistakes))
    if card.note and not compact:
        st.caption(card.note)


def feedback_text(step_feedback: str | None, detail: Mapping) -> str:
    """The Indonesian feedback of one step, category/OPD codes shown by name."""
    if step_feedback is None:
        return ""
    names = {**category_names(), **opd_names()}
    values = {
        key: names.get(value, value) if isinstance(value, str) else value
        for key, value in detail.items()
    }
    values = {
        key: format_decimal(value) if isinstance(value, float) else value
        for key, value in values.items()
    }
    text = labels.TRAINING_FEEDBACK.get(step_feedback, step_feedback)
    try:
        return text.format(**values)
    except (KeyError, IndexError, ValueError):
        return text


def score_table(score: Score) -> pd.DataFrame:
    """One row per scored step: step, right or not, points, what was missed."""
    return pd.DataFrame(
        [
            {
                labels.TRAINING_COL_STEP: labels.TRAINING_STEP.get(step.step, step.step),
                labels.TRAINING_COL_OK: "✓" if step.ok else "✗",
                labels.TRAINING_COL_POINTS: f"{step.points}/{step.max_points}",
                labels.TRAINING_COL_FEEDBACK: feedback_text(step.feedback, step.detail),
            }
            for step in score.steps
        ]
    )


def show_score(score: Score) -> None:
    """The score line and the per-step feedback after a scenario."""
    share = score.points / score.max_points if score.max_points else 0.0
    line = labels.TRAINING_SCORE.format(
        points=score.points, max_points=score.max_points, percent=format_percent(share)
    )
    (st.success if not score.missed else st.warning)(line)
    for step in score.missed:
        st.markdown(f"- {feedback_text(step.feedback, step.detail)}")
    st.dataframe(score_table(score), hide_index=True, width="stretch")


def drill_summary(drill: dict, scenarios: Mapping, drill_key: str) -> None:
    """The end of a drill: each scenario's points, and a button to start a new drill."""
    st.subheader(labels.TRAINING_DRILL_DONE)
    rows = [
        {
            labels.TRAINING_COL_SCENARIO: f"{code} · {scenarios[code].title}"
            if code in scenarios
            else code,
            labels.TRAINING_COL_POINTS: f"{score.points}/{score.max_points}",
        }
        for code, score in drill["results"]
    ]
    st.dataframe(rows, hide_index=True, width="stretch")
    if st.button(labels.TRAINING_NEW_DRILL, type="primary"):
        del st.session_state[drill_key]
        st.rerun()


def scenario_header(drill: dict, scenario) -> None:
    st.subheader(
        labels.TRAINING_SCENARIO_OF.format(
            n=drill["index"] + 1, total=len(drill["codes"]), title=scenario.title
        )
    )


def show_result(drill: dict, on_next) -> None:
    """After a scenario: its score and feedback, then the next scenario (or the summary)."""
    view_score = drill["scored"]
    show_score(view_score)
    last = drill["index"] + 1 >= len(drill["codes"])
    st.button(
        labels.TRAINING_FINISH if last else labels.TRAINING_NEXT, type="primary", on_click=on_next
    )
