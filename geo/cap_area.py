"""Where a CAP warning is: its polygon rings, and whether they or its text touch the city.

Polygons. A CAP <polygon> is "lat,lon lat,lon ..." (WGS 84, whitespace between pairs);
`parse_polygon` turns it into a GeoJSON ring [[lon, lat], ...]. CAP 1.2 asks for at least 4
pairs with the first repeated at the end. A ring whose last pair differs from the first is
closed here (the pair is appended) instead of refused: the shape is unambiguous, and a real
warning dropped over a missing closing pair would be worse than the formality. What cannot be
repaired is refused, naming the pair: fewer than 3 distinct points (a point or a segment), a
pair that is not two numbers, a latitude outside -90..90 or a longitude outside -180..180.
A pair whose first number cannot be a latitude but fits as a longitude (and whose second fits
as a latitude), e.g. "109.67,-6.89", is refused as "lat,lon tertukar": that is the GeoJSON
order written into CAP, and guessing would put a wrong area on the map. Three points in a row
are kept (the BMKG sample's "triangle" is one): the intersection test repairs the ring to the
line it is, which still says where the warning is.

Names. `named_places` lists the places of Kota Pekalongan that a text names, by whole-word
match (case- and accent-insensitive; spaces, line breaks or a hyphen between the words of a
multi-word name such as "Pekalongan Utara" or "Panjang Wetan", but not a comma: BMKG separates
places with commas, so "Panjang, Wetan" is two words), never by substring: "Tirtoyudo" does not
name Tirto. It knows the kecamatan and kelurahan names of the city's layers and the
aliases of data/aliases.csv (old kelurahan names, kampung, spellings); an alias is reported as
the kelurahan it became (its kecamatan when that is uncertain). Longer names win over the
shorter names inside them ("Kuripan Kertoharjo", not also "Kertoharjo").

What does NOT name the city:
- bare "Pekalongan". It is the name of the Kota and of the Kabupaten around it. BMKG lists
  kecamatan ("Wiradesa, Kajen, Karanganyar, Pekalongan": three kecamatan of the Kabupaten),
  and the city's own kecamatan all carry a compass word (Pekalongan Barat/Timur/Utara/Selatan),
  so a bare "Pekalongan" in such a list cannot tell the Kabupaten from the Kota. Counting it
  would put every Kabupaten warning on the city's wall; the polygon rule still catches a
  warning whose area covers the city. "Kota Pekalongan" does name the whole city;
  "Kabupaten/Kab. Pekalongan" never does.
- a city name that is also a kecamatan of the Kabupaten (Tirto, Buaran) or a kecamatan
  elsewhere in the provinces BMKG warns for (Klego in Boyolali, Kradenan in Grobogan,
  Karangmalang in Sragen, Tegalrejo in Magelang, Kauman in Ponorogo, Poncol in Magetan,
  Sugihwaras in Bojonegoro, Soko in Tuban, Baros in Serang), or a common noun (dukuh: hamlet,
  pabean: customs). BMKG lists kecamatan, never kelurahan, so such a bare word is almost
  surely the other place. It counts only right after "Kelurahan" or "Kel.".
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass

import shapely
from shapely.geometry import Polygon
from shapely.geometry.base import BaseGeometry

from geo import messages
from geo.errors import GeoError
from geo.layers import City, default_city
from geo.search import normalize_place_name

MIN_DISTINCT_POINTS = 3
WHOLE_CITY = "Kota Pekalongan"
# The 19 kecamatan of Kabupaten Pekalongan (Kemendagri 33.26).
KABUPATEN_KECAMATAN = frozenset(
    {
        "Bojong",
        "Buaran",
        "Doro",
        "Kajen",
        "Kandangserang",
        "Karanganyar",
        "Karangdadap",
        "Kedungwuni",
        "Kesesi",
        "Lebakbarang",
        "Paninggaran",
        "Petungkriyono",
        "Siwalan",
        "Sragi",
        "Talun",
        "Tirto",
        "Wiradesa",
        "Wonokerto",
        "Wonopringgo",
    }
)
# City names (kelurahan or aliases) that are kecamatan elsewhere, or plain words (docstring).
NAMES_ELSEWHERE = frozenset(
    {
        "Baros",
        "Dukuh",
        "Karangmalang",
        "Kauman",
        "Klego",
        "Kradenan",
        "Pabean",
        "Poncol",
        "Soko",
        "Sugihwaras",
        "Tegalrejo",
    }
)
QUALIFIER_WORDS = frozenset({"kelurahan", "kel"})
_WORD = re.compile(r"[a-z0-9]+")
_LIST_SEPARATOR = re.compile(r"[^\s.\-]")
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


class PolygonRefused(GeoError):
    """A CAP <polygon> text that is no usable ring; the message names the pair at fault."""


@dataclass(frozen=True)
class _Name:
    words: tuple[str, ...]
    place: str
    needs_qualifier: bool


def parse_polygon(text: str) -> list[list[float]]:
    """The closed GeoJSON ring [[lon, lat], ...] of a CAP polygon "lat,lon lat,lon ..."."""
    pairs = text.split() if isinstance(text, str) else []
    if not pairs:
        raise PolygonRefused(messages.CAP_POLYGON_EMPTY)
    ring = [_lon_lat(pair, index) for index, pair in enumerate(pairs, start=1)]
    if ring[0] != ring[-1]:
        ring.append(list(ring[0]))
    distinct = {tuple(point) for point in ring}
    if len(distinct) < MIN_DISTINCT_POINTS:
        msg = messages.CAP_POLYGON_TOO_FEW.format(count=len(distinct), minimum=MIN_DISTINCT_POINTS)
        raise PolygonRefused(msg)
    return ring


def ring_intersects_city(ring: list[list[float]], *, city: City | None = None) -> bool:
    """Does the ring's area share any ground (or sea inside the outline) with the city?"""
    city = city or default_city()
    outline = city.memo("cap_prepared_outline", lambda: _prepared(city.outline))
    # A self-crossing ring (a bow tie) is still meant as an area: repair it before asking.
    area = shapely.make_valid(Polygon(ring))
    return bool(outline.intersects(area))


def kecamatan_under(ring: list[list[float]], *, city: City | None = None) -> tuple[str, ...]:
    """The city's kecamatan the ring's area shares ground with, by name (BMKG's areaDesc names
    only the province, so this is what tells the command room where in the city it falls)."""
    city = city or default_city()
    area = shapely.make_valid(Polygon(ring))
    hits = city.kecamatan[city.kecamatan.intersects(area)]
    return tuple(sorted(str(name) for name in hits["nama"]))


def named_places(text: str | None, *, city: City | None = None) -> tuple[str, ...]:
    """The city's places a text names (module docstring), in order of first mention."""
    if not text:
        return ()
    city = city or default_city()
    names = city.memo("cap_place_names", lambda: _names(city))
    words, breaks = _words(text)
    found: list[tuple[int, int, _Name]] = []
    for name in names:
        size = len(name.words)
        for start in range(len(words) - size + 1):
            end = start + size
            if tuple(words[start:end]) != name.words or any(breaks[start + 1 : end]):
                continue
            qualified = start > 0 and not breaks[start] and words[start - 1] in QUALIFIER_WORDS
            if name.needs_qualifier and not qualified:
                continue
            found.append((start, end, name))
    taken: list[tuple[int, int, _Name]] = []
    for start, end, name in sorted(found, key=lambda f: (f[0] - f[1], f[0])):
        if all(end <= s or start >= e for s, e, _ in taken):
            taken.append((start, end, name))
    places: list[str] = []
    for _, _, name in sorted(taken, key=lambda f: f[0]):
        if name.place not in places:
            places.append(name.place)
    return tuple(places)


def _lon_lat(pair: str, index: int) -> list[float]:
    parts = pair.split(",")
    if len(parts) != 2 or not all(_NUMBER.fullmatch(p) for p in parts):
        msg = messages.CAP_POLYGON_BAD_PAIR.format(index=index, pair=_shown(pair))
        raise PolygonRefused(msg)
    lat, lon = float(parts[0]), float(parts[1])
    if not (math.isfinite(lat) and math.isfinite(lon)):
        msg = messages.CAP_POLYGON_BAD_PAIR.format(index=index, pair=_shown(pair))
        raise PolygonRefused(msg)
    if abs(lat) > 90 and abs(lat) <= 180 and abs(lon) <= 90:
        msg = messages.CAP_POLYGON_SWAPPED.format(index=index, pair=_shown(pair))
        raise PolygonRefused(msg)
    if abs(lat) > 90:
        msg = messages.CAP_POLYGON_LAT_RANGE.format(index=index, pair=_shown(pair))
        raise PolygonRefused(msg)
    if abs(lon) > 180:
        msg = messages.CAP_POLYGON_LON_RANGE.format(index=index, pair=_shown(pair))
        raise PolygonRefused(msg)
    return [lon, lat]


def _shown(pair: str) -> str:
    # A refusal quotes what was received, cut short: the pair may be anything.
    return pair if len(pair) <= 40 else pair[:40] + "…"


def _prepared(geometry: BaseGeometry) -> BaseGeometry:
    copy = shapely.from_wkb(shapely.to_wkb(geometry))
    shapely.prepare(copy)
    return copy


def _words(text: str) -> tuple[list[str], list[bool]]:
    """The text's words, folded like the place search's names, and for each word whether a
    separator other than spaces, '.' or '-' (a comma, a semicolon) stands before it."""
    # Not geo.search.normalize_place_name on the whole text: it drops leading words such as
    # "Kelurahan", which the qualifier rule looks for, and it forgets where the commas were.
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    words: list[str] = []
    breaks: list[bool] = []
    last_end = 0
    for match in _WORD.finditer(ascii_text.lower()):
        words.append(match.group())
        breaks.append(bool(_LIST_SEPARATOR.search(ascii_text[last_end : match.start()])))
        last_end = match.end()
    return words, breaks


def _names(city: City) -> list[_Name]:
    ambiguous = {normalize_place_name(n) for n in KABUPATEN_KECAMATAN | NAMES_ELSEWHERE}
    entries: list[tuple[str, str]] = [(WHOLE_CITY, WHOLE_CITY)]
    entries += [(str(n), str(n)) for n in city.kecamatan["nama"]]
    entries += [(str(n), str(n)) for n in city.kelurahan["nama"]]
    entries += _alias_places(city)
    names: dict[tuple[str, str], _Name] = {}
    for written, place in entries:
        key = normalize_place_name(written)
        if not key:
            continue
        words = tuple(key.split())
        names[(key, place)] = _Name(words, place, needs_qualifier=key in ambiguous)
    return list(names.values())


def _alias_places(city: City) -> list[tuple[str, str]]:
    """(alias, the city's place it stands for): its kelurahan when certain, else its kecamatan."""
    kelurahan = {str(n) for n in city.kelurahan["nama"]}
    kecamatan_of = dict(zip(city.kelurahan["nama"], city.kelurahan["kecamatan"], strict=True))
    targets: dict[str, set[tuple[str, str]]] = {}
    for row in city.aliases.to_dict("records"):
        alias = _text(row.get("alias"))
        kel = _text(row.get("kelurahan"))
        kec = _text(row.get("kecamatan")) or kecamatan_of.get(kel, "")
        certain = row.get("certain", True) in (True, "true", "True", "1")
        if alias and (kel in kelurahan or kec):
            targets.setdefault(alias, set()).add((kel if certain and kel in kelurahan else "", kec))
    pairs: list[tuple[str, str]] = []
    for alias, options in targets.items():
        kels = {kel for kel, _ in options}
        kecs = {kec for _, kec in options if kec}
        if len(kels) == 1 and "" not in kels:
            pairs.append((alias, next(iter(kels))))
        else:
            pairs += [(alias, kec) for kec in sorted(kecs)]
    return pairs


def _text(value: object) -> str:
    return value.strip() if isinstance(value, str) else ""
