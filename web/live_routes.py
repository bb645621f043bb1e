"""GET /live/perubahan: the incidents' change stamp for the live views' watch in the browser.

Each wall polls it every SIAGA_LIVE_WATCH_S seconds (pages/live_watch.js, set up by
live_shared.watch_changes) and reruns its page only when the stamp moved, so a new call is on
screen in seconds while an unchanged city costs the server one cached HTTP answer per poll, not
a Streamlit script run per viewer. The stamp is the highest incident id and the latest change
time: no report, place or phone. It is read from the database at most once a second for every
viewer of the process (live.SharedSnapshots.stamp).
"""

from __future__ import annotations

import logging

from sqlalchemy.exc import SQLAlchemyError
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from dashboard import labels, live
from dashboard.domain import utc_now
from web import session_routes

log = logging.getLogger("siaga112.web")
PATH = "/live/perubahan"
STAMPS = live.SharedSnapshots()
NO_STORE = {"Cache-Control": "no-store"}


def stamp_text(stamp: tuple) -> str:
    """The stamp as the browser compares it: equal text, same state of the incidents."""
    return "|".join("" if part is None else str(part) for part in stamp)


async def change_stamp(_request: Request) -> JSONResponse:
    engine = session_routes.LIVE.engine()
    try:
        stamp = await run_in_threadpool(STAMPS.stamp, engine, now_utc=utc_now())
    except SQLAlchemyError as error:
        # The pages show the outage at their own refresh; the watch just waits.
        log.warning("change stamp: database unavailable (%s)", type(error).__name__)
        return JSONResponse({"galat": labels.LIVE_WATCH_DB_DOWN}, status_code=503, headers=NO_STORE)
    return JSONResponse({"stamp": stamp_text(stamp)}, headers=NO_STORE)


ROUTES = [Route(PATH, change_stamp, methods=["GET"])]
