"""Text and values from outside (callers, the catalogue, imported layers) made safe for a map page.

A map page is HTML that branca renders as a Jinja template twice, then a shared screen: caller
text must reach it neither as markup nor as template code, and never with a phone number on it.
"""

from __future__ import annotations

import html
import json
import math
import re
from collections.abc import Mapping
from typing import Any

import pandas as pd

DEFAULT_COLOUR = "#607d8b"
_INERT_JSON = {ord(c): f"\\u{ord(c):04x}" for c in "<>&'{}"}
_PHONE_LIKE = re.compile(r"(?<!\d)(?:\+?\d[\d\s().\-/]{5,}\d)(?!\d)")
_MIN_PHONE_DIGITS = 7
_HEX_COLOUR = re.compile(r"#[0-9a-fA-F]{3}(?:[0-9a-fA-F]{3})?")


def escape_html(value: object) -> str:
    """Text made safe for a map's HTML and for branca's second Jinja pass.

    branca compiles the output of every map element's script as a Jinja template once more
    (MacroElement.render wraps it in Element(...)), so caller text such as "{{ 7*7 }}" would be
    evaluated on the server: template injection, arbitrary Python. Braces are therefore written
    as HTML entities too: the browser shows them, Jinja never sees them.
    """
    return html.escape(str(value)).replace("{", "&#123;").replace("}", "&#125;")


def redact_phone_like(text: str) -> str:
    """Free text with digit runs that look like phone numbers masked (shared screens)."""

    def mask(match: re.Match[str]) -> str:
        digits = re.sub(r"\D", "", match.group())
        if len(digits) < _MIN_PHONE_DIGITS:
            return match.group()
        return digits[:2] + "*" * (len(digits) - 2)

    return _PHONE_LIKE.sub(mask, text)


def inert_json(value: Any) -> str:
    """JSON for inline script that neither HTML nor branca's second Jinja pass can read into.

    Strings are JSON-escaped with <, >, &, ' and both braces as \\uXXXX escapes: the browser's
    JS sees the original characters, the HTML parser sees no tag and Jinja sees no "{{".
    """
    if isinstance(value, Mapping):
        items = (f"{inert_json(str(key))}:{inert_json(item)}" for key, item in value.items())
        return "{" + ",".join(items) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ",".join(inert_json(item) for item in value) + "]"
    return json.dumps(value, allow_nan=False).translate(_INERT_JSON)


def safe_colour(value: object) -> str:
    """A catalogue colour if it is a plain hex colour, else a neutral grey: no other CSS gets in."""
    text = clean_text(value)
    return text if text and _HEX_COLOUR.fullmatch(text) else DEFAULT_COLOUR


def clean_text(value: object) -> str | None:
    """A value as stripped text; None for None, NaN, NA, NaT and blank text."""
    if value is None:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if value is pd.NA or value is pd.NaT:
        return None
    text = str(value).strip()
    return text or None
