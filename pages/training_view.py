"""What the training pages share: the room's engine and library, the SOP card, a score's
feedback. Everything here reads the training database only (ui.TRAINING)."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping

import pandas as pd
import streamlit as st

from dashboard import catalogue, labels, training, training_library
from dashboard.domain import utc_now
from dashboard.fmt import format_decimal, format_percent
from dashboard.training_rules import Score, SopCard
from pages import components, ui

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


def pick_or_none(label: str, names: Mapping, *, key: str):
    """A selectbox over the codes of `names` (code -> what the trainee reads) that starts on
    labels.TRAINING_PICK_NONE, so nothing is picked for the trainee; returns the code or None."""
    return components.choose(
        st.selectbox,
        label,
        {None: labels.TRAINING_PICK_NONE, **names},
        placeholder=labels.TRAINING_PICK_NONE,
        key=key,
    )


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
    """A drill kept in session_state under `key` and server-side in the training database
    (training.save_progress), so a reload or a second tab resumes it: its scenarios, where the
    trainee is, what they did in this scenario (`progress`, e.g. the questions asked), each
    result so far and the form's `fields`. The page's own widgets carry keys starting with
    `field_prefix`: a new scenario clears them. The database's copy wins over a tab's older
    one (its revision), and every write happens in `current`, once per run."""

    def __init__(
        self, key: str, field_prefix: str, progress: str, *, kind: str, fields: tuple[str, ...]
    ) -> None:
        self.key, self.field_prefix, self.progress = key, field_prefix, progress
        self.kind, self.fields = kind, fields
        # The (drill id, revision) this tab last loaded or saved, and the drill as saved then.
        self.seen_key, self.kept_key = f"{key}_revision", f"{key}_kept"
        self.resumed_key = f"{key}_resumed"

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
        st.session_state.pop(self.seen_key, None)
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

    def abandon(self) -> None:
        """Batalkan latihan: the drill is dropped (its recorded attempts stay)."""
        st.session_state.pop(self.key, None)
        self.clear_fields()

    def elapsed_s(self) -> float:
        return (utc_now() - self.state["started_utc"]).total_seconds()

    def record(self, service, actor, scenario, attempt) -> None:
        """Store the attempt through `service` (record_call/opd_attempt); keep its score.
        Nothing is stored from a tab showing a drill another tab has moved on since."""
        drill = self.state
        kept = ui.run_service(training.load_progress, engine(), actor, self.kind)
        if _seen(kept) != st.session_state.get(self.seen_key):
            return
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
            placeholder=labels.TRAINING_PICK_SCENARIOS_PLACEHOLDER,
            key=f"{self.key}_pick",
        )
        if st.button(labels.TRAINING_START, type="primary", disabled=not chosen):
            self.start(chosen)
            st.rerun()

    def current(self, actor, scenarios: Mapping, choose) -> object:
        """The scenario to run now (the kept one after a reload); otherwise the page shows the
        choice, the summary, or the last scenario's result, and stops."""
        self._sync(actor)
        self._keep(actor)
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
        if st.session_state.pop(self.resumed_key, False):
            st.info(labels.TRAINING_RESUMED)
        st.button(labels.TRAINING_ABANDON, key=f"{self.key}_abandon", on_click=self.abandon)
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

    def _progress(self) -> training.DrillProgress:
        drill = self.state
        return training.DrillProgress(
            kind=self.kind,
            drill_id=drill["id"],
            codes=tuple(drill["codes"]),
            index=drill["index"],
            started_at_utc=drill["started_utc"],
            results=tuple(tuple(result) for result in drill["results"]),
            scored=drill["scored"],
            steps=tuple(drill[self.progress]),
            fields={
                name: st.session_state[self.field_prefix + name]
                for name in self.fields
                if self.field_prefix + name in st.session_state
            },
        )

    def _sync(self, actor) -> None:
        """Take the kept drill when it is not the one this tab saw last: a reload, a second
        tab, or another tab that moved on, finished or abandoned it."""
        kept = ui.run_service(training.load_progress, engine(), actor, self.kind)
        if _seen(kept) == st.session_state.get(self.seen_key):
            return
        self.clear_fields()
        st.session_state.pop(self.kept_key, None)
        if kept is None:
            st.session_state.pop(self.key, None)
            st.session_state.pop(self.seen_key, None)
            return
        st.session_state[self.key] = {
            "id": kept.drill_id,
            "codes": list(kept.codes),
            "index": kept.index,
            "results": list(kept.results),
            "started_utc": kept.started_at_utc,
            self.progress: list(kept.steps),
            "scored": kept.scored,
        }
        for name, value in kept.fields.items():
            if name in self.fields:
                st.session_state[self.field_prefix + name] = value
        st.session_state[self.seen_key] = _seen(kept)
        st.session_state[self.kept_key] = dataclasses.replace(kept, revision=0)
        st.session_state[self.resumed_key] = True

    def _keep(self, actor) -> None:
        """Save the drill when it changed since it was kept; a finished or abandoned one is
        cleared (its summary stays in this tab)."""
        drill, seen = self.state, st.session_state.get(self.seen_key)
        finished = drill is None or drill["index"] >= len(drill["codes"])
        if finished:
            if seen is not None:
                ui.run_service(
                    training.clear_progress, engine(), actor, self.kind, drill_id=seen[0]
                )
                st.session_state.pop(self.seen_key, None)
                st.session_state.pop(self.kept_key, None)
            return
        progress = self._progress()
        if progress == st.session_state.get(self.kept_key):
            return
        revision = ui.run_service(
            training.save_progress,
            engine(),
            actor,
            progress,
            seen_revision=seen[1] if seen else None,
        )
        if revision is None:
            # Another tab saved first (or the save failed): show what is kept.
            self._sync(actor)
            return
        st.session_state[self.seen_key] = (progress.drill_id, revision)
        st.session_state[self.kept_key] = progress


def _seen(kept: training.DrillProgress | None) -> tuple[str, int] | None:
    return None if kept is None else (kept.drill_id, kept.revision)
