"""Build data/flood_zones.geojson from public flood facts (run: python -m geo.derive_flood_zones).

No official hazard polygons were found for Kota Pekalongan, so this layer is DERIVED, not an
official BPBD map; every feature says so. Three parts, all measured in UTM 49S:

* rob (tidal flooding): whole kelurahan, tier from the frequency/depth reported in public news
  (tinggi: Panjang Baru, Panjang Wetan, Kandang Panjang, Krapyak, Degayu; sedang: Padukuhan
  Kraton (old Pabean), Bandengan).
* pesisir (coastal band): buffers of the coastline, taken as the north-facing edge of the
  Pekalongan Utara outline that is open to the sea: 0-400 m tinggi, 400-1000 m sedang.
  The widths are assumptions reflecting subsidence of up to ~20 cm/yr on the coast.
* sungai (river corridors): 150 m either side of APPROXIMATE river lines. No river geometry is
  bundled, so each line is traced along kelurahan boundaries that plausibly follow the river:
  Kali Loji / lower Kali Pekalongan along Kauman's eastern edge, then the Panjang Wetan-Krapyak
  boundary which ends between the harbour breakwaters; Kali Banger along the Degayu boundary
  with Gamer and Krapyak; Kali Meduri / Kali Bremi along the western city edge of Tirto and
  Pasirkratonkramat. Corridors are clipped to the city and to the north of Pekalongan Selatan,
  which BPBD (2025) calls relatively safe.
"""

from __future__ import annotations

from itertools import pairwise
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely
from shapely.geometry import LineString, MultiLineString, Point, Polygon
from shapely.geometry.base import BaseGeometry
from shapely.geometry.polygon import orient
from shapely.ops import linemerge

from geo.crs import METRIC_CRS, STORAGE_CRS
from geo.layers import (
    DEFAULT_DATA_DIR,
    FLOOD_ZONES_FILE,
    KELURAHAN_FILE,
    read_kelurahan,
    write_geojson,
)

NOTE = "Lapisan turunan dari fakta publik, bukan peta resmi BPBD"
SAFE_KECAMATAN = "Pekalongan Selatan"
COASTAL_KECAMATAN = "Pekalongan Utara"
COAST_MIN_NORTH_NORMAL = 0.2  # y-component of a segment's outward unit normal
COAST_MAX_GAP_M = 300.0
BREAKWATER_HALF_WIDTH_M = 30.0
COAST_BANDS_M = ((0.0, 400.0, "tinggi"), (400.0, 1000.0, "sedang"))
RIVER_HALF_WIDTH_M = 150.0
SHARED_EDGE_TOLERANCE_M = 15.0

ROB_LEVELS: dict[str, tuple[str, str]] = {
    "Panjang Baru": ("tinggi", "rob hampir setiap hari, 20-30 cm, hingga 1,1 m"),
    "Panjang Wetan": ("tinggi", "rob sering (termasuk Kampung Bugisan)"),
    "Kandang Panjang": ("tinggi", "rob sering"),
    "Krapyak": ("tinggi", "rob sering"),
    "Degayu": ("tinggi", "rob >1 m pada Juni 2020 (Slamaran/Clumprit)"),
    "Padukuhan Kraton": ("sedang", "rob dan genangan di eks Kelurahan Pabean"),
    "Bandengan": ("sedang", "kelurahan pesisir"),
}

# River line = chain of shared kelurahan boundaries (approximation, see module docstring).
RIVERS: dict[str, tuple[str, tuple[tuple[str, str], ...], str]] = {
    "Kali Loji (hilir Kali Pekalongan)": (
        "tinggi",
        (
            ("Kauman", "Noyontaansari"),
            ("Kauman", "Poncol"),
            ("Kauman", "Klego"),
            ("Klego", "Panjang Wetan"),
            ("Krapyak", "Panjang Wetan"),
        ),
        "luapan ke Panjang Wetan, Bugisan, Klego, Kauman, Krapyak",
    ),
    "Kali Banger": (
        "sedang",
        (("Gamer", "Degayu"), ("Krapyak", "Degayu")),
        "luapan ke Degayu dan Gamer",
    ),
}
WEST_EDGE_RIVER = (
    "Kali Meduri / Kali Bremi",
    "sedang",
    ("Tirto", "Pasirkratonkramat"),
    "tanggul jebol 2020 dan 2022; Pasirkratonkramat, Tirto",
)

SOURCE_ROB = "berita publik rob Kota Pekalongan 2020-2025 (Panjang Baru, Degayu, Pabean)"
SOURCE_RIVER = "berita publik banjir sungai 2020-2022; garis sungai perkiraan dari batas kelurahan"
SOURCE_COAST = "BPBD 2025: penurunan tanah ~6 cm/th di utara, hingga ~20 cm/th di pesisir"


def main(data_dir: Path = DEFAULT_DATA_DIR) -> None:
    """Regenerate data/flood_zones.geojson from the kelurahan polygons in ``data_dir``."""
    kelurahan = read_kelurahan(data_dir / KELURAHAN_FILE)
    zones = build_flood_zones(kelurahan)
    write_geojson(zones, data_dir / FLOOD_ZONES_FILE)


def build_flood_zones(kelurahan: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """All derived flood zones (rob, pesisir, sungai) in EPSG:4326."""
    kel = kelurahan.to_crs(METRIC_CRS)
    city = shapely.union_all(kel.geometry.values)
    safe = shapely.union_all(kel.loc[kel["kecamatan"] == SAFE_KECAMATAN, "geometry"].values)
    allowed = city.difference(safe)
    rows = _rob_rows(kel) + _coast_rows(kel, allowed) + _river_rows(kel, allowed)
    zones = gpd.GeoDataFrame(rows, geometry="geometry", crs=METRIC_CRS)
    zones["derived"] = True
    zones["note"] = NOTE
    zones = zones[["name", "type", "level", "detail", "source", "derived", "note", "geometry"]]
    return zones.to_crs(STORAGE_CRS)


def northern_edge(kel_utm: gpd.GeoDataFrame) -> BaseGeometry:
    """The city edge that faces the open sea: north-facing and with nothing of the city north of it.

    Walks the city's outer ring (counter-clockwise, so the outward normal of a segment is on its
    right) and keeps segments of Pekalongan Utara kelurahan whose normal points north and from
    whose midpoint a ray going north leaves the city for good (harbour breakwaters, thinner
    than 60 m, are ignored for that test). Land borders (mostly facing east
    or west) and inland notches drop out, and so do stray pieces of the land border farther
    than COAST_MAX_GAP_M from the main run of coast (the breakwaters split it into a few parts).
    """
    city = shapely.union_all(kel_utm.geometry.values)
    outer = orient(Polygon(_largest(city).exterior), sign=1.0)
    north = kel_utm.loc[kel_utm["kecamatan"] == COASTAL_KECAMATAN].geometry.values
    coastal = shapely.union_all(north).boundary.buffer(1.0)
    sky_y = outer.bounds[3] + 1000.0
    # Breakwaters are thin spikes that would hide the shore behind them from the "sky" test.
    without_spikes = outer.buffer(-BREAKWATER_HALF_WIDTH_M).buffer(BREAKWATER_HALF_WIDTH_M)
    coords = np.asarray(outer.exterior.coords)
    segments = []
    for (x0, y0), (x1, y1) in pairwise(coords):
        length = float(np.hypot(x1 - x0, y1 - y0))
        if length == 0.0 or (x0 - x1) / length < COAST_MIN_NORTH_NORMAL:
            continue
        mid_x, mid_y = (x0 + x1) / 2.0, (y0 + y1) / 2.0
        ray = LineString([(mid_x, mid_y + 0.5), (mid_x, sky_y)])
        if ray.intersects(without_spikes) or not coastal.contains(Point(mid_x, mid_y)):
            continue
        segments.append(LineString([(x0, y0), (x1, y1)]))
    return _connected_to_longest(linemerge(MultiLineString(segments)))


def shared_boundary(a: BaseGeometry, b: BaseGeometry) -> BaseGeometry:
    """The part of a's boundary lying within a few metres of b (tolerates slivers/overlaps)."""
    return a.boundary.intersection(b.buffer(SHARED_EDGE_TOLERANCE_M))


def _rob_rows(kel: gpd.GeoDataFrame) -> list[dict[str, object]]:
    rows = []
    for name, (level, detail) in ROB_LEVELS.items():
        polygon = kel.loc[kel["nama"] == name, "geometry"]
        if polygon.empty:
            msg = f"kelurahan {name!r} not found"
            raise ValueError(msg)
        rows.append(
            {
                "name": f"Rob {name}",
                "type": "rob",
                "level": level,
                "detail": detail,
                "source": SOURCE_ROB,
                "geometry": _polygonal(polygon.iloc[0]),
            }
        )
    return rows


def _coast_rows(kel: gpd.GeoDataFrame, allowed: BaseGeometry) -> list[dict[str, object]]:
    edge = northern_edge(kel)
    rows = []
    for inner_m, outer_m, level in COAST_BANDS_M:
        band = edge.buffer(outer_m)
        if inner_m > 0:
            band = band.difference(edge.buffer(inner_m))
        rows.append(
            {
                "name": f"Pesisir {int(inner_m)}-{int(outer_m)} m dari garis pantai",
                "type": "pesisir",
                "level": level,
                "detail": "pita pesisir; lebar pita adalah asumsi",
                "source": SOURCE_COAST,
                "geometry": _polygonal(band.intersection(allowed)),
            }
        )
    return rows


def _river_rows(kel: gpd.GeoDataFrame, allowed: BaseGeometry) -> list[dict[str, object]]:
    by_name = dict(zip(kel["nama"], kel.geometry, strict=True))
    rows = []
    for river, (level, pairs, detail) in RIVERS.items():
        line = shapely.union_all([shared_boundary(by_name[a], by_name[b]) for a, b in pairs])
        rows.append(_river_row(river, level, line, detail, allowed))
    river, level, names, detail = WEST_EDGE_RIVER
    city_edge = shapely.union_all(kel.geometry.values).exterior
    west = shapely.union_all([by_name[n].boundary for n in names])
    line = west.intersection(city_edge.buffer(SHARED_EDGE_TOLERANCE_M))
    rows.append(_river_row(river, level, line, detail, allowed))
    return rows


def _river_row(
    river: str, level: str, line: BaseGeometry, detail: str, allowed: BaseGeometry
) -> dict[str, object]:
    corridor = line.buffer(RIVER_HALF_WIDTH_M).intersection(allowed)
    return {
        "name": f"Koridor {river}",
        "type": "sungai",
        "level": level,
        "detail": f"{detail}; garis sungai perkiraan",
        "source": SOURCE_RIVER,
        "geometry": _polygonal(corridor),
    }


def _connected_to_longest(lines: BaseGeometry) -> BaseGeometry:
    parts = sorted(shapely.get_parts(lines), key=lambda part: part.length, reverse=True)
    kept, rest = [parts[0]], parts[1:]
    grew = True
    while grew:
        grew = False
        for part in list(rest):
            if min(part.distance(k) for k in kept) <= COAST_MAX_GAP_M:
                kept.append(part)
                rest.remove(part)
                grew = True
    return shapely.union_all(kept)


def _largest(geometry: BaseGeometry) -> Polygon:
    return max(shapely.get_parts(geometry), key=lambda part: part.area)


def _polygonal(geometry: BaseGeometry) -> BaseGeometry:
    """Keep only polygon parts, drop specks under 1 m2, and return a valid (Multi)Polygon."""
    geometry = shapely.make_valid(geometry)
    parts = [p for p in shapely.get_parts(geometry) if isinstance(p, Polygon) and p.area >= 1.0]
    return shapely.union_all(parts)


if __name__ == "__main__":
    main()
