"""What the training pages share: the room's engine and library, the SOP card, a score's
feedback. Everything here reads the training database only (ui.TRAINING)."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd
import streamlit as st

from dashboard import catalogue, labels, training, training_library
from dashboard.domain import utc_now
from dashboard.fmt import format_decimal, format_percent
from dashboard.training_rules import Score, SopCard
from pages import ui

DEFAULT_DRILL_SIZE = 3


def engine():
    return ui.training_engine()


def require():
    """The signed-in training account (its own sign-in form otherwise)."""
    return ui.require(room=ui.TRAINING)


@st.cache_data(ttl=30, show_spinner=False)
def _names(url: str, _engine) -> tuple[dict[str, str], dict[str, str]]:
    # Keyed by the database's URL: the training room's names, or the live desk's.
    with _engine.connect() as conn:
        categories = {code: c.name for code, c in catalogue.categories(conn).items()}
        opds = catalogue.opd_names(conn)
    return categories, opds


def _names_for(live: bool) -> tuple[dict[str, str], dict[str, str]]:
    chosen = ui.get_engine() if live else engine()
    return _names(chosen.url.render_as_string(hide_password=True), chosen)


def category_names(*, live: bool = False) -> dict[str, str]:
    return _names_for(live)[0]


def opd_names(*, live: bool = False) -> dict[str, str]:
    return _names_for(live)[1]


def library() -> training.Library:
    return training.library(engine())


@st.cache_resource(show_spinner=False)
def _file_cards() -> dict[str, SopCard]:
    return training_library.load_cards()


def card_for(category_code: str) -> SopCard | None:
    """A category's SOP card on the live desk: the reviewed card of data/latihan/sop_cards.json
    (read once per process). A trainer's edit in the training database stays in the training
    room, and the live desk never waits for the training database."""
    return _file_cards().get(category_code)


def file_cards() -> dict[str, SopCard]:
    return _file_cards()


def show_card(card: SopCard | None, *, compact: bool = False, live: bool = False) -> None:
    """One SOP card: what to ask, which OPD and posts, target times, common mistakes; names
    from the training database, or the live one on the live desk (`live`)."""
    if card is None:
        st.caption(labels.TRAINING_CARD_NONE)
        return
    name = category_names(live=live).get(card.category_code, card.category_code)
    st.markdown(f"**{labels.TRAINING_CARD_TITLE.format(category=name)}**")
    st.markdown(f"*{labels.TRAINING_CARD_ASK}*")
    st.markdown("\n".join(f"1. {question}" for question in card.ask))
    st.markdown(
        labels.TRAINING_CARD_ROUTE.format(
            opd=opd_names(live=live).get(card.opd_code, card.opd_code),
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


class Drill:
    """A drill kept in session_state under `key`: its scenarios, where the trainee is, what
    they did in this scenario (`progress`, e.g. the questions asked), each result so far.
    The page's own widgets carry keys starting with `field_prefix`: a new scenario clears them."""

    def __init__(self, key: str, field_prefix: str, progress: str) -> None:
        self.key, self.field_prefix, self.progress = key, field_prefix, progress

    @property
    def state(self) -> dict | None:
        return st.session_state.get(self.key)

    def start(self, codes: list[str]) -> None:
        st.session_state[self.key] = {
            "id": training.new_drill_id(),
            "codes": list(codes),
            "index": 0,
            "results": [],
            "started_utc": utc_now(),
            self.progress: [],
            "scored": None,
        }
        self.clear_fields()

    def clear_fields(self) -> None:
        for key in [k for k in st.session_state if str(k).startswith(self.field_prefix)]:
            del st.session_state[key]

    def next(self) -> None:
        drill = self.state
        drill["index"] += 1
        drill[self.progress] = []
        drill["scored"] = None
        drill["started_utc"] = utc_now()
        self.clear_fields()

    def elapsed_s(self) -> float:
        return (utc_now() - self.state["started_utc"]).total_seconds()

    def record(self, service, actor, scenario, attempt) -> None:
        """Store the attempt through `service` (record_call/opd_attempt); keep its score."""
        drill = self.state
        recorded = ui.run_service(
            service,
            engine(),
            actor,
            drill_id=drill["id"],
            scenario_code=scenario.code,
            attempt=attempt,
            started_at_utc=drill["started_utc"],
        )
        if recorded is not None:
            drill["scored"] = recorded.score
            drill["results"].append((scenario.code, recorded.score))

    def choose(self, scenarios: Mapping, intro: str, *, preferred: list[str] | None = None):
        """Before a drill: pick its scenarios (these first by default), then start."""
        st.markdown(intro)
        chosen = st.multiselect(
            labels.TRAINING_PICK_SCENARIOS,
            list(scenarios),
            default=(preferred or list(scenarios))[:DEFAULT_DRILL_SIZE],
            format_func=lambda code: f"{code} · {scenarios[code].title}",
            key=f"{self.key}_pick",
        )
        if st.button(labels.TRAINING_START, type="primary", disabled=not chosen):
            self.start(chosen)
            st.rerun()

    def current(self, scenarios: Mapping, choose) -> object:
        """The scenario to run now; otherwise the page shows the choice, the summary, or the
        last scenario's result, and stops."""
        drill = self.state
        if drill is None:
            choose()
            st.stop()
        if drill["index"] >= len(drill["codes"]):
            self.clear_fields()
            self._summary(scenarios)
            st.stop()
        scenario = scenarios.get(drill["codes"][drill["index"]])
        if scenario is None:
            st.error(labels.ERR_NOT_FOUND)
            st.stop()
        st.subheader(
            labels.TRAINING_SCENARIO_OF.format(
                n=drill["index"] + 1, total=len(drill["codes"]), title=scenario.title
            )
        )
        if drill["scored"] is not None:
            show_score(drill["scored"])
            last = drill["index"] + 1 >= len(drill["codes"])
            st.button(
                labels.TRAINING_FINISH if last else labels.TRAINING_NEXT,
                type="primary",
                on_click=self.next,
            )
            st.stop()
        return scenario

    def _summary(self, scenarios: Mapping) -> None:
        st.subheader(labels.TRAINING_DRILL_DONE)
        rows = [
            {
                labels.TRAINING_COL_SCENARIO: f"{code} · {scenarios[code].title}"
                if code in scenarios
                else code,
                labels.TRAINING_COL_POINTS: f"{score.points}/{score.max_points}",
            }
            for code, score in self.state["results"]
        ]
        st.dataframe(rows, hide_index=True, width="stretch")
        if st.button(labels.TRAINING_NEW_DRILL, type="primary"):
            del st.session_state[self.key]
            st.rerun()
