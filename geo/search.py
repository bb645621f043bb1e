"""Find a place from what a caller says: kelurahan, kecamatan, old names, facilities, landmarks.

Matching is typo- and case-tolerant (rapidfuzz) and ignores leading words such as "kel.",
"kelurahan", "kec.", "jl." or "kampung". Old pre-2015 kelurahan names and kampung names come
from data/aliases.csv; results point at the kelurahan's representative point (an area, not an
address) or at the facility / landmark itself.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

import numpy as np
import pandas as pd
from rapidfuzz import fuzz

from geo import messages
from geo.crs import METRIC_CRS, STORAGE_CRS
from geo.layers import City, default_city
from geo.locate import locate_many

MIN_SCORE = 75.0
PLACE_KINDS = ("kelurahan", "kecamatan", "alias", "facility", "landmark")
_KIND_ORDER = {
    kind: i for i, kind in enumerate(("kelurahan", "alias", "facility", "landmark", "kecamatan"))
}
_PREFIX_WORDS = frozenset(
    {
        "kel",
        "kelurahan",
        "kec",
        "kecamatan",
        "jl",
        "jln",
        "jalan",
        "kp",
        "kampung",
        "kampoeng",
        "desa",
        "dk",
        "di",
        "daerah",
        "sekitar",
        "dekat",
    }
)
_GENERIC_WORDS = frozenset({"kota", "pekalongan"})
_NON_ALNUM = re.compile(r"[^a-z0-9]+")


@dataclass(frozen=True)
class PlaceMatch:
    """One search result; ``score`` is 0-100, best first."""

    name: str
    kind: str
    kelurahan: str | None
    kecamatan: str | None
    lat: float
    lon: float
    score: float
    note: str
    lokasi_perkiraan: bool


def search_place(text: str, *, city: City | None = None, limit: int = 5) -> list[PlaceMatch]:
    """Ranked places matching ``text``; [] for empty or whitespace-only text or no match."""
    if not isinstance(text, str) or not text.strip() or limit < 1:
        return []
    query = normalize_place_name(text)
    if not query:
        return []
    city = city or default_city()
    entries = city.memo("search_index", lambda: _build_index(city))
    best: dict[tuple[str, str, str | None], PlaceMatch] = {}
    for entry in entries:
        score = _score(query, entry.key)
        if score < MIN_SCORE:
            continue
        match = entry.match
        identity = (match.kind, match.name, match.kelurahan)
        if identity not in best or best[identity].score < score:
            best[identity] = _with_score(match, score)
    ranked = sorted(
        best.values(),
        key=lambda m: (-m.score, _KIND_ORDER.get(m.kind, 9), m.name, m.kelurahan or ""),
    )
    return ranked[:limit]


def normalize_place_name(text: str) -> str:
    """Lower-case ASCII words without punctuation or leading words like "kel." / "jl."."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    words = _NON_ALNUM.sub(" ", ascii_text.lower()).split()
    while len(words) > 1 and words[0] in _PREFIX_WORDS:
        words = words[1:]
    return " ".join(words)


@dataclass(frozen=True)
class _Entry:
    key: str
    match: PlaceMatch


def _score(query: str, key: str) -> float:
    if query == key:
        return 100.0
    # "Kota"/"Pekalongan" appear in many names and would make everything look alike.
    query_core, key_core = _without_generic_words(query), _without_generic_words(key)
    if query_core and key_core:
        query, key = query_core, key_core
        if query == key:
            return 99.5
    compact_q, compact_k = query.replace(" ", ""), key.replace(" ", "")
    if compact_q == compact_k:
        return 99.0
    score = max(fuzz.WRatio(query, key), fuzz.ratio(compact_q, compact_k))
    if len(query) >= 3 and key.startswith(query):
        score = max(score, 90.0 + 9.0 * len(query) / len(key))
    return float(min(score, 98.0))


def _without_generic_words(text: str) -> str:
    return " ".join(w for w in text.split() if w not in _GENERIC_WORDS)


def _with_score(match: PlaceMatch, score: float) -> PlaceMatch:
    return PlaceMatch(**{**match.__dict__, "score": round(score, 1)})


def _build_index(city: City) -> list[_Entry]:
    kelurahan = _area_matches(city.kelurahan, "kelurahan")
    kecamatan = _area_matches(city.kecamatan, "kecamatan")
    entries = [_Entry(normalize_place_name(m.name), m) for m in kelurahan + kecamatan]
    kel_by_name = {match.name: match for match in kelurahan}
    kec_by_name = {match.name: match for match in kecamatan}
    entries += _alias_entries(city.aliases, kel_by_name, kec_by_name)
    entries += _facility_entries(city)
    entries += _landmark_entries(city)
    return entries


def _area_matches(layer: pd.DataFrame, kind: str) -> list[PlaceMatch]:
    """A match at each area's representative point, one per kelurahan or kecamatan row."""
    matches = []
    for (_, row), (lat, lon) in zip(layer.iterrows(), _representative_points(layer), strict=True):
        name = str(row["nama"])
        match = PlaceMatch(
            name=name,
            kind=kind,
            kelurahan=name if kind == "kelurahan" else None,
            kecamatan=str(row["kecamatan"]) if kind == "kelurahan" else name,
            lat=lat,
            lon=lon,
            score=0.0,
            note=messages.NOTE_AREA_CENTRE.format(kind=kind, name=row["nama"]),
            lokasi_perkiraan=True,
        )
        matches.append(match)
    return matches


def _alias_entries(
    aliases: pd.DataFrame,
    kel_by_name: dict[str, PlaceMatch],
    kec_by_name: dict[str, PlaceMatch],
) -> list[_Entry]:
    entries = []
    for row in aliases.to_dict("records"):
        kelurahan = _text(row.get("kelurahan"))
        kecamatan = _text(row.get("kecamatan"))
        target = kel_by_name.get(kelurahan) if kelurahan else kec_by_name.get(kecamatan)
        if target is None:
            continue
        certain = _truthy(row.get("certain", True))
        alias_type = _text(row.get("alias_type")) or "kelurahan_lama"
        if not kelurahan:
            note = messages.NOTE_OLD_KELURAHAN_KECAMATAN_ONLY.format(kecamatan=kecamatan)
        elif not certain:
            note = messages.NOTE_UNCERTAIN.format(kelurahan=kelurahan)
        elif alias_type == "kampung":
            note = messages.NOTE_KAMPUNG.format(kelurahan=kelurahan)
        elif alias_type == "ejaan":
            note = messages.NOTE_SPELLING.format(kelurahan=kelurahan)
        else:
            note = messages.NOTE_OLD_KELURAHAN.format(kelurahan=kelurahan)
        extra = _text(row.get("note"))
        match = PlaceMatch(
            name=_text(row.get("alias")),
            kind="alias",
            kelurahan=kelurahan or None,
            kecamatan=target.kecamatan,
            lat=target.lat,
            lon=target.lon,
            score=0.0,
            note=f"{note}; {extra}" if extra and kelurahan else note,
            lokasi_perkiraan=True,
        )
        entries.append(_Entry(normalize_place_name(match.name), match))
    return entries


def _facility_entries(city: City) -> list[_Entry]:
    fac = city.facilities
    if fac.empty:
        return []
    where = locate_many(fac["lat"], fac["lon"], city=city, on_invalid="skip")
    entries = []
    for (_, row), (_, loc) in zip(fac.iterrows(), where.iterrows(), strict=True):
        kelurahan = loc["kelurahan"] if isinstance(loc["kelurahan"], str) else None
        note_parts = [_text(row["address"])]
        if row["lokasi_perkiraan"]:
            note_parts.append(messages.NOTE_APPROXIMATE_LOCATION)
        match = PlaceMatch(
            name=str(row["name"]),
            kind="facility",
            kelurahan=kelurahan,
            kecamatan=loc["kecamatan"] if isinstance(loc["kecamatan"], str) else None,
            lat=float(row["lat"]),
            lon=float(row["lon"]),
            score=0.0,
            note="; ".join(p for p in note_parts if p),
            lokasi_perkiraan=bool(row["lokasi_perkiraan"]),
        )
        for name in _names_of(match.name):
            entries.append(_Entry(normalize_place_name(name), match))
    return entries


def _landmark_entries(city: City) -> list[_Entry]:
    marks = city.landmarks
    if marks.empty:
        return []
    kec_of = dict(zip(city.kelurahan["nama"], city.kelurahan["kecamatan"], strict=True))
    entries = []
    for row in marks.to_dict("records"):
        kelurahan = _text(row.get("kelurahan")) or None
        perkiraan = _truthy(row.get("lokasi_perkiraan", True))
        note_parts = [_text(row.get("note"))]
        if kelurahan:
            note_parts.append(messages.NOTE_IN_KELURAHAN.format(kelurahan=kelurahan))
        if perkiraan:
            note_parts.append(messages.NOTE_APPROXIMATE_LOCATION)
        match = PlaceMatch(
            name=_text(row.get("name")),
            kind="landmark",
            kelurahan=kelurahan,
            kecamatan=kec_of.get(kelurahan) if kelurahan else None,
            lat=float(row["lat"]),
            lon=float(row["lon"]),
            score=0.0,
            note="; ".join(p for p in note_parts if p),
            lokasi_perkiraan=perkiraan,
        )
        alt_names = [a for a in _text(row.get("alt_names")).split(";") if a.strip()]
        for name in [match.name, *alt_names]:
            for variant in _names_of(name):
                entries.append(_Entry(normalize_place_name(variant), match))
    return entries


def _names_of(name: str) -> list[str]:
    """The name and, for "X (Y)" names, X alone, so "PMI Kota Pekalongan (UDD)" finds "pmi"."""
    base = re.sub(r"\s*\([^)]*\)", "", name).strip()
    return [name] if not base or base == name else [name, base]


def _representative_points(layer: pd.DataFrame) -> list[tuple[float, float]]:
    if len(layer) == 0:
        return []
    points = layer.to_crs(METRIC_CRS).representative_point().to_crs(STORAGE_CRS)
    return [(float(p.y), float(p.x)) for p in points]


def _text(value: object) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA:
        return ""
    return str(value).strip()


def _truthy(value: object) -> bool:
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    return _text(value).lower() in ("true", "1", "yes", "ya")
