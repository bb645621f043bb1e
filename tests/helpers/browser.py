"""Playwright helpers for Streamlit widgets that rerun and refresh under the test's hands."""

from __future__ import annotations

import re

from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import expect

MAP_FRAME = "iframe[title='streamlit_folium.st_folium']"


def pick(page, label: str, option: str, *, then_shows: str | None = None) -> None:
    """Choose `option` in the selectbox labelled `label` (and wait for `then_shows` as text).

    While a rerun replaces a widget, the old and the new one are both on the page, and a page
    that refreshes itself can close the list between typing and clicking: the pick waits for a
    single widget and is tried again (three times) until the choice is shown.
    """
    for attempt in range(3):
        box = page.get_by_label(label)
        expect(box).to_have_count(1, timeout=15_000)
        box.click()
        box.fill(option)
        try:
            page.get_by_role("option", name=option).first.click(timeout=10_000)
            expect(page.get_by_label(label)).to_have_value(
                re.compile(re.escape(option)), timeout=15_000
            )
            if then_shows is not None:
                page.get_by_text(then_shows, exact=True).first.wait_for(timeout=15_000)
            return
        except (PlaywrightTimeout, AssertionError):
            if attempt == 2:
                raise


def settled_map_frame(page, *, larger_than_px: tuple[int, int]):
    """The folium map's frame once its view has settled; the map shows larger than
    `larger_than_px` (width, height) on the page, a map a person can read."""
    container = page.frame_locator(MAP_FRAME).locator(".leaflet-container")
    container.wait_for(state="visible")
    box = container.bounding_box()
    min_width, min_height = larger_than_px
    assert box is not None and box["width"] > min_width and box["height"] > min_height
    frame = next(f for f in page.frames if "st_folium" in f.url)
    frame.wait_for_function("() => window.map_div && map_div.siagaViewSettled === true")
    return frame


def open_page(page, name: str) -> None:
    page.get_by_role("link", name=name).click()


def settle(page) -> None:
    """Wait until Streamlit has finished the current run (no running icon, no stale element)."""
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=stStatusWidgetRunningIcon]')"
        " && !document.querySelector('[data-stale=true]')"
    )


def choose(page, combobox: str, option, *, typed: str = "") -> None:
    """Open a Streamlit selectbox and click an option; a rerun that closes the list (the queue
    refreshes itself) is met by opening it again."""
    for _ in range(4):
        settle(page)
        page.get_by_role("combobox", name=combobox).click()
        if typed:
            page.keyboard.type(typed)
        target = page.get_by_role("option", name=option).first
        try:
            target.wait_for(timeout=3_000)
        except PlaywrightTimeout:
            page.keyboard.press("Escape")
            continue
        target.click()
        return
    msg = f"option {option!r} never offered in {combobox!r}"
    raise AssertionError(msg)


def inside_viewport(page, locator) -> bool:
    """Whether the element's whole box is on screen without scrolling (a control a person sees)."""
    box = locator.bounding_box()
    size = page.viewport_size
    return bool(
        box
        and box["x"] >= 0
        and box["y"] >= 0
        and box["x"] + box["width"] <= size["width"]
        and box["y"] + box["height"] <= size["height"]
    )


def boxes_overlap(a: dict, b: dict) -> bool:
    """Whether two bounding boxes (x, y, width, height) share any area."""
    return not (
        a["x"] + a["width"] <= b["x"]
        or b["x"] + b["width"] <= a["x"]
        or a["y"] + a["height"] <= b["y"]
        or b["y"] + b["height"] <= a["y"]
    )
