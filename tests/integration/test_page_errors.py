"""A defect in a page shows an Indonesian message with a reference, never a stack trace."""

from __future__ import annotations

import logging

from streamlit.testing.v1 import AppTest


def _broken_page() -> None:
    from pages import ui  # noqa: PLC0415 - AppTest runs only this body

    def page() -> None:
        import streamlit as st  # noqa: PLC0415 - AppTest runs only this body

        st.write("sebelum")
        {}["kolom_yang_tidak_ada"]  # a defect: KeyError

    ui.run_page(page)


def _stopping_page() -> None:
    import streamlit as st  # noqa: PLC0415 - AppTest runs only this body

    from pages import ui  # noqa: PLC0415 - AppTest runs only this body

    def page() -> None:
        st.write("berhenti di sini")
        st.stop()

    ui.run_page(page)
    st.write("tidak pernah tampil")


def test_a_page_defect_shows_an_indonesian_message_with_a_reference_and_logs_the_trace(caplog):
    with caplog.at_level(logging.ERROR, logger="siaga112.ui"):
        app = AppTest.from_function(_broken_page, default_timeout=30).run()
    assert len(app.exception) == 0
    (error,) = app.error
    assert error.value.startswith("Terjadi kesalahan pada halaman ini; data Anda tidak berubah.")
    reference = error.value.rsplit("kode ", 1)[1].split(" ")[0]
    assert len(reference) == 8
    shown = " ".join(str(e.value) for e in [*app.markdown, *app.error])
    assert "KeyError" not in shown and "Traceback" not in shown and "kolom_yang" not in shown
    # The admin finds the trace in the server log under the same reference.
    (record,) = [r for r in caplog.records if reference in r.getMessage()]
    assert record.exc_info is not None and record.exc_info[0] is KeyError


def test_st_stop_inside_a_page_still_stops_it_and_is_not_a_defect():
    app = AppTest.from_function(_stopping_page, default_timeout=30).run()
    assert [m.value for m in app.markdown] == ["berhenti di sini"]
    assert len(app.error) == 0
