"""Write data/facilities.csv and data/landmarks.csv from public facts (python -m geo.derive_places).

Facts come from the project's reference notes (Kota Pekalongan facility table, old names) and are
transcribed below; this script never reads anything outside data/. Where no coordinate is
known, the point is placed at a reproducible estimate inside the right kelurahan (the guess
when one is given and it falls inside, otherwise the polygon's representative point, kept 30 m
inside the boundary) and flagged ``lokasi_perkiraan=true``. Staff correct positions on the admin
page; rerunning this script resets the CSV files to these estimates.

``units`` (number of vehicles) is left blank: no public source gives the counts.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely
from shapely.geometry import Point
from shapely.geometry.base import BaseGeometry
from shapely.ops import nearest_points

from geo.crs import METRIC_CRS, to_geographic, to_metric_xy
from geo.facilities import FACILITY_COLUMNS
from geo.layers import (
    DEFAULT_DATA_DIR,
    FACILITIES_FILE,
    KELURAHAN_FILE,
    LANDMARKS_FILE,
    read_kelurahan,
)

INSET_M = 30.0
LANDMARK_COLUMNS = (
    "id",
    "name",
    "alt_names",
    "category",
    "kelurahan",
    "lat",
    "lon",
    "lokasi_perkiraan",
    "note",
    "source",
)

SRC_OSM = "OpenStreetMap (c) OpenStreetMap contributors, ODbL 1.0"
SRC_ESTIMATE = "titik perkiraan: dihitung oleh geo/derive_places.py di dalam poligon kelurahan"
SRC_PUSKESMAS = (
    "nama: berita akreditasi puskesmas Kota Pekalongan 2019 dan daftar Dinkes; " + SRC_ESTIMATE
)


@dataclass(frozen=True)
class Place:
    """One row to write; ``area`` names the kelurahan (or kecamatan) the point must lie in."""

    id: str
    name: str
    area: str
    area_kind: str = "kelurahan"
    lat: float | None = None
    lon: float | None = None
    offset_m: tuple[float, float] = (0.0, 0.0)
    fields: tuple[tuple[str, str], ...] = ()


FACILITIES: tuple[Place, ...] = (
    Place(
        "rsud-bendan",
        "RSUD Bendan",
        "Bendan Kergon",
        lat=-6.891536,
        lon=109.661999,
        fields=(
            ("kind", "hospital"),
            ("also_serves", "ambulance"),
            ("opd_code", "RSUD"),
            ("address", "Jl. Sriwijaya No. 2"),
            ("phone", "(0285) 437222"),
            ("lokasi_perkiraan", "false"),
            ("source", SRC_OSM),
        ),
    ),
    Place(
        "rs-hermina",
        "RS Hermina Pekalongan",
        "Podosugih",
        lat=-6.898366,
        lon=109.667666,
        fields=(
            ("kind", "hospital"),
            ("opd_code", "DINKES"),
            ("address", "Jl. Jend. Sudirman No. 16A"),
            ("phone", "(0285) 432525"),
            ("lokasi_perkiraan", "false"),
            ("source", SRC_OSM),
        ),
    ),
    Place(
        "rs-budi-rahayu",
        "RS Budi Rahayu",
        "Padukuhan Kraton",
        lat=-6.880312,
        lon=109.671409,
        fields=(
            ("kind", "hospital"),
            ("opd_code", "DINKES"),
            ("address", "Jl. Barito No. 5"),
            ("phone", "(0285) 423491"),
            ("lokasi_perkiraan", "false"),
            ("source", SRC_OSM),
        ),
    ),
    Place(
        "pmi-kota",
        "PMI Kota Pekalongan (UDD)",
        "Padukuhan Kraton",
        lat=-6.880617,
        lon=109.667735,
        fields=(
            ("kind", "ambulance"),
            ("opd_code", "PMI"),
            ("address", "Jl. Veteran No. 27, Kraton Lor"),
            ("phone", "(0285) 421580"),
            ("lokasi_perkiraan", "false"),
            ("source", "daftar alamat UDD PMI (publik); koordinat dari catatan referensi"),
        ),
    ),
    Place(
        "damkar-utama",
        "Pos Damkar Utama (Satpol P3KP, Damkarmat)",
        "Kandang Panjang",
        fields=(
            ("kind", "fire"),
            ("opd_code", "DAMKAR"),
            ("address", "Jl. Tentara Pelajar No. 1, Kandang Panjang"),
            ("lokasi_perkiraan", "true"),
            ("source", "alamat: berita lokal 2023; " + SRC_ESTIMATE),
        ),
    ),
    Place(
        "damkar-selatan",
        "Pos Damkar Selatan",
        "Kuripan Kertoharjo",
        fields=(
            ("kind", "fire"),
            ("opd_code", "DAMKAR"),
            ("address", "Jl. Letjen Soeprapto No. 3, Kuripan Kertoharjo"),
            ("lokasi_perkiraan", "true"),
            ("source", "alamat: berita lokal 2021-2023; " + SRC_ESTIMATE),
        ),
    ),
    Place(
        "polres",
        "Polres Pekalongan Kota",
        "Padukuhan Kraton",
        fields=(
            ("kind", "police"),
            ("opd_code", "POLRES"),
            ("address", "Jl. Diponegoro No. 19, Dukuh (Padukuhan Kraton)"),
            ("phone", "(0285) 421692; Unit Laka (0285) 433228"),
            ("lokasi_perkiraan", "true"),
            ("source", "alamat: direktori kepolisian; " + SRC_ESTIMATE),
        ),
    ),
    Place(
        "bpbd",
        "BPBD Kota Pekalongan (posko induk banjir)",
        "Kota Pekalongan",
        area_kind="city",
        fields=(
            ("kind", "bpbd"),
            ("opd_code", "BPBD"),
            ("address", "alamat belum diketahui; titik pengganti di tengah kota"),
            ("lokasi_perkiraan", "true"),
            ("source", "lokasi tidak ditemukan di sumber publik; titik tengah kota, mohon koreksi"),
        ),
    ),
    Place(
        "cc112",
        "Call Center 112 (Command Center, Setda Kota Pekalongan)",
        "Podosugih",
        fields=(
            ("kind", "command"),
            ("opd_code", "DINKOMINFO"),
            ("address", "Setda Kota Pekalongan, Jl. Mataram No. 1 (kelurahan perkiraan)"),
            ("lokasi_perkiraan", "true"),
            ("source", "berita Dinkominfo; alamat Setda dari berita 2014; " + SRC_ESTIMATE),
        ),
    ),
)

_PUSKESMAS: tuple[tuple[str, str, str, tuple[float, float]], ...] = (
    # (id suffix, name, kelurahan or kecamatan, offset when sharing an estimate point)
    ("tirto", "Tirto", "Tirto", (0.0, 0.0)),
    ("tondano", "Tondano", "Pekalongan Timur", (-150.0, 0.0)),
    ("buaran", "Buaran", "Buaran Kradenan", (0.0, 0.0)),
    ("noyontaan", "Noyontaan", "Noyontaansari", (0.0, 0.0)),
    ("pringrejo", "Pringrejo", "Pringrejo", (0.0, 0.0)),
    ("pekalongan-selatan", "Pekalongan Selatan", "Pekalongan Selatan", (0.0, 0.0)),
    ("klego", "Klego", "Klego", (0.0, 0.0)),
    ("medono", "Medono", "Medono", (0.0, 0.0)),
    ("kramatsari", "Kramatsari", "Pasirkratonkramat", (0.0, 0.0)),
    ("sokorejo", "Sokorejo", "Pekalongan Timur", (150.0, 0.0)),
    ("jenggot", "Jenggot", "Jenggot", (0.0, 0.0)),
)
_KECAMATAN_ONLY = {"Pekalongan Timur", "Pekalongan Selatan"}


def _puskesmas(suffix: str, name: str, area: str, offset: tuple[float, float]) -> Place:
    if area in _KECAMATAN_ONLY:
        address = f"Kec. {area} (kelurahan belum terverifikasi; titik di tengah kecamatan)"
        area_kind = "kecamatan"
    else:
        address = f"Kel. {area} (alamat jalan belum diketahui)"
        area_kind = "kelurahan"
    return Place(
        f"pkm-{suffix}",
        f"Puskesmas {name}",
        area,
        area_kind=area_kind,
        offset_m=offset,
        fields=(
            ("kind", "puskesmas"),
            ("opd_code", "DINKES"),
            ("address", address),
            ("lokasi_perkiraan", "true"),
            ("source", SRC_PUSKESMAS),
        ),
    )


FACILITIES = FACILITIES + tuple(_puskesmas(*row) for row in _PUSKESMAS)

SRC_LANDMARK = (
    "tempat publik terkenal; kelurahan dari alamat umum, koordinat perkiraan penyusun "
    "(tanpa survei), disesuaikan ke dalam poligon kelurahan oleh geo/derive_places.py"
)

LANDMARKS: tuple[Place, ...] = (
    Place(
        "alun-alun",
        "Alun-alun Kota Pekalongan",
        "Kauman",
        lat=-6.8876,
        lon=109.6760,
        fields=(("alt_names", "Alun-alun Pekalongan;Alun Alun"), ("category", "ruang publik")),
    ),
    Place(
        "masjid-agung",
        "Masjid Agung Al-Jami' Pekalongan",
        "Kauman",
        lat=-6.8878,
        lon=109.6752,
        fields=(("alt_names", "Masjid Jami;Masjid Agung;Masjid Al-Jami"), ("category", "ibadah")),
    ),
    Place(
        "kampung-batik-kauman",
        "Kampung Batik Kauman",
        "Kauman",
        lat=-6.8890,
        lon=109.6772,
        fields=(("alt_names", "Kampoeng Batik Kauman"), ("category", "wisata")),
    ),
    Place(
        "museum-batik",
        "Museum Batik Pekalongan",
        "Kauman",
        lat=-6.8822,
        lon=109.6781,
        fields=(
            ("alt_names", "Museum Batik;Jl. Jetayu"),
            ("category", "wisata"),
            ("note", "Jl. Jetayu No. 1"),
        ),
    ),
    Place(
        "lapangan-jetayu",
        "Lapangan Jetayu",
        "Kauman",
        lat=-6.8815,
        lon=109.6776,
        fields=(("alt_names", "Kawasan Jetayu;GOR Jetayu;Jetayu"), ("category", "ruang publik")),
    ),
    Place(
        "stasiun",
        "Stasiun Pekalongan",
        "Bendan Kergon",
        lat=-6.8882,
        lon=109.6683,
        fields=(
            ("alt_names", "Stasiun Kereta Api Pekalongan;Stasiun KA Pekalongan"),
            ("category", "transportasi"),
            ("note", "kelurahan perkiraan"),
        ),
    ),
    Place(
        "ppn-pekalongan",
        "Pelabuhan Perikanan Nusantara (PPN) Pekalongan",
        "Panjang Wetan",
        lat=-6.8588,
        lon=109.6918,
        fields=(
            ("alt_names", "Pelabuhan Pekalongan;PPN Pekalongan;TPI Pekalongan"),
            ("category", "transportasi"),
            ("note", "di muara Kali Loji; kelurahan perkiraan"),
        ),
    ),
    Place(
        "pantai-pasir-kencana",
        "Pantai Pasir Kencana",
        "Panjang Wetan",
        lat=-6.8568,
        lon=109.6890,
        fields=(
            ("alt_names", "Pasir Kencana"),
            ("category", "wisata"),
            ("note", "kelurahan tidak pasti (Panjang Wetan atau Panjang Baru)"),
        ),
    ),
    Place(
        "pasar-banjarsari",
        "Pasar Banjarsari",
        "Kauman",
        lat=-6.8858,
        lon=109.6792,
        fields=(
            ("alt_names", "Pasar Banjar Sari"),
            ("category", "pasar"),
            ("note", "kelurahan perkiraan"),
        ),
    ),
    Place(
        "terminal",
        "Terminal Bus Pekalongan",
        "Krapyak",
        fields=(
            ("alt_names", "Terminal Pekalongan;Terminal Kota Pekalongan"),
            ("category", "transportasi"),
            ("note", "Jl. Jlamprang; kelurahan perkiraan, titik di tengah kelurahan"),
        ),
    ),
    Place(
        "pasar-grosir-setono",
        "Pasar Grosir Batik Setono",
        "Setono",
        fields=(
            ("alt_names", "Grosir Setono;Pasar Setono"),
            ("category", "pasar"),
            ("note", "titik di tengah kelurahan"),
        ),
    ),
    Place(
        "kantor-walikota",
        "Kantor Wali Kota Pekalongan (Setda)",
        "Podosugih",
        fields=(
            ("alt_names", "Setda Kota Pekalongan;Pemkot Pekalongan;Balai Kota"),
            ("category", "pemerintahan"),
            ("note", "Jl. Mataram No. 1; kelurahan perkiraan, titik di tengah kelurahan"),
        ),
    ),
)


def main(data_dir: Path = DEFAULT_DATA_DIR) -> None:
    """Write both CSV files next to the kelurahan polygons in ``data_dir``."""
    kel = read_kelurahan(data_dir / KELURAHAN_FILE).to_crs(METRIC_CRS)
    facility_rows = build_rows(FACILITIES, kel, FACILITY_COLUMNS, default_perkiraan="true")
    landmark_rows = build_rows(LANDMARKS, kel, LANDMARK_COLUMNS, default_perkiraan="true")
    for row in landmark_rows:
        row["kelurahan"] = _area_of(LANDMARKS, row["id"])
        row["source"] = SRC_LANDMARK
    _write_csv(data_dir / FACILITIES_FILE, FACILITY_COLUMNS, facility_rows)
    _write_csv(data_dir / LANDMARKS_FILE, LANDMARK_COLUMNS, landmark_rows)


def build_rows(
    places: Sequence[Place],
    kelurahan_utm: gpd.GeoDataFrame,
    columns: Sequence[str],
    *,
    default_perkiraan: str,
) -> list[dict[str, str]]:
    """One CSV row per place, with lat/lon placed inside the place's area."""
    rows = []
    for place in places:
        area = _area_geometry(kelurahan_utm, place)
        lat, lon, moved = _place_point(area, place)
        row = {c: "" for c in columns}
        row.update(dict(place.fields))
        row.update(
            id=place.id,
            name=place.name,
            lat=f"{lat:.6f}",
            lon=f"{lon:.6f}",
        )
        if "lokasi_perkiraan" not in dict(place.fields) or moved:
            row["lokasi_perkiraan"] = default_perkiraan
        rows.append(row)
    return rows


def _area_geometry(kelurahan_utm: gpd.GeoDataFrame, place: Place) -> BaseGeometry:
    if place.area_kind == "kelurahan":
        match = kelurahan_utm[kelurahan_utm["nama"] == place.area]
    elif place.area_kind == "kecamatan":
        match = kelurahan_utm[kelurahan_utm["kecamatan"] == place.area]
    else:
        match = kelurahan_utm
    if match.empty:
        msg = f"unknown {place.area_kind} {place.area!r} for {place.id}"
        raise ValueError(msg)
    return shapely.union_all(match.geometry.values)


def _place_point(area: BaseGeometry, place: Place) -> tuple[float, float, bool]:
    """(lat, lon, moved): the given point if inside the area, else an estimate inside it."""
    inner = area.buffer(-INSET_M)
    if place.lat is not None and place.lon is not None:
        x, y = to_metric_xy(np.array([place.lon]), np.array([place.lat]))
        guess = Point(float(x[0]), float(y[0]))
        if area.contains(guess):
            return place.lat, place.lon, False
        _, target = nearest_points(guess, inner)
        moved = True
    else:
        target = inner.representative_point()
        moved = False
    target_x = target.x + place.offset_m[0]
    target_y = target.y + place.offset_m[1]
    if not inner.contains(Point(target_x, target_y)):
        target_x, target_y = target.x, target.y
    lons, lats = to_geographic(np.array([target_x]), np.array([target_y]))
    return round(float(lats[0]), 6), round(float(lons[0]), 6), moved


def _area_of(places: Sequence[Place], place_id: str) -> str:
    return next(p.area for p in places if p.id == place_id)


def _write_csv(path: Path, columns: Sequence[str], rows: list[dict[str, str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(columns), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


if __name__ == "__main__":
    main()
