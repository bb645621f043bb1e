"""Sign-in page (the form lives in pages/ui.py so any page opened by URL can show it)."""

from __future__ import annotations

from pages import ui

ui.sign_in_form()
