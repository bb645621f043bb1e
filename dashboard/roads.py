"""The city's road graph for the nearest posts' ETAs: the operator's .osm, once per process."""

from __future__ import annotations

import logging
import threading
from pathlib import Path

from dashboard import labels
from dashboard.config import LOCAL_DIR, Settings, load_settings
from dashboard.errors import RoadFileRefused
from geo.errors import RoadGraphError
from geo.roads import RoadGraph

# Where geo.roads keeps the parsed graph (.npz keyed by the file's SHA-256): the runtime folder
# the app already writes (its SQLite file lives there), not the service account's home.
ROADS_CACHE_DIR = LOCAL_DIR / "cache" / "roads"

log = logging.getLogger(__name__)

_lock = threading.Lock()
# One entry: (path, mtime_ns, size) -> the graph, or the refusal's message to repeat without
# parsing again (a fresh error each time: a re-raised one would grow its traceback).
_cache: dict[tuple, RoadGraph | str] = {}


def configured_road_graph(settings: Settings | None = None) -> RoadGraph | None:
    """The graph of SIAGA_ROADS_FILE (or data/local/jalan.osm); None when no file is set up.

    Raises RoadFileRefused (a DispatchError and a geo RoadGraphError; its message is Indonesian
    and names the file) when the file is missing, unreadable or holds no drivable road; the
    caller keeps the straight-line ETAs.
    """
    path = (settings or load_settings()).roads_file
    return None if path is None else load_road_graph(path)


def load_road_graph(path: Path, *, cache_dir: Path = ROADS_CACHE_DIR) -> RoadGraph:
    """The graph of ``path``, parsed once per process and content: keyed on the file's path,
    modification time and size, so a replaced extract is read again at the next call.

    geo.roads' .npz cache makes the first call of a later process fast; a broken file is
    remembered with its refusal too, so every viewer's refresh does not parse it again.
    """
    path = Path(path)
    key = _file_key(path)
    with _lock:
        found = _cache.get(key)
        if found is None:
            found = _load(path, cache_dir)
            _cache.clear()
            _cache[key] = found
    if isinstance(found, str):
        raise RoadFileRefused(found)
    return found


def _load(path: Path, cache_dir: Path) -> RoadGraph | str:
    try:
        graph = RoadGraph.from_osm_file(path, cache_dir=cache_dir)
    except RoadGraphError as error:
        reason = str(error)
    except OSError:  # a file that exists but cannot be read (permissions, a bad disk)
        reason = labels.ROADS_FILE_NOT_READABLE.format(path=path)
    else:
        # Build the street index now, under the lock, not in several viewers' threads at once.
        graph.snap(graph.node_x_m[:1], graph.node_y_m[:1])
        log.info("road graph %s loaded: %r", path, graph)
        return graph
    log.warning("road file refused, ETAs stay straight-line: %s", reason)
    return reason


def _file_key(path: Path) -> tuple:
    try:
        stat = path.stat()
    except OSError:
        return (str(path.resolve()), None, None)
    return (str(path.resolve()), stat.st_mtime_ns, stat.st_size)
