"""Every user-facing Indonesian text of the geo package, in one place."""

from __future__ import annotations

# Coordinates -----------------------------------------------------------------------------------
INVALID_COORDINATES = (
    "Koordinat tidak valid (lintang {lat}, bujur {lon}): lintang harus antara -90 dan 90, "
    "bujur antara -180 dan 180, dan keduanya harus berupa angka."
)
INVALID_COORDINATE_ARRAYS = (
    "Koordinat tidak valid pada {count} baris (contoh baris {first}): lintang harus antara -90 "
    "dan 90, bujur antara -180 dan 180, dan keduanya harus berupa angka."
)
COORDINATE_LENGTH_MISMATCH = "Jumlah lintang ({n_lat}) dan bujur ({n_lon}) tidak sama."
INVALID_ON_INVALID_OPTION = "Pilihan penanganan koordinat tidak valid: {value!r}."

# Data files ------------------------------------------------------------------------------------
DATA_FILE_MISSING = "Berkas data peta tidak ditemukan: {path}."
DATA_FILE_UNREADABLE = "Berkas data peta {name} tidak dapat dibaca: {reason}."
REASON_EMPTY_LAT_LON = "lat/lon kosong"  # the {reason} of DATA_FILE_UNREADABLE
DATA_FILE_MISSING_COLUMNS = "Berkas data {name} tidak memiliki kolom wajib: {columns}."
LAYER_WITHOUT_CRS = "Lapisan {name} tidak memiliki sistem koordinat."
UNKNOWN_CORE_LAYER = "Nama lapisan tidak valid: {name!r}."

# Facilities ------------------------------------------------------------------------------------
UNKNOWN_FACILITY_KIND = "Jenis fasilitas tidak dikenal: {kind!r}. Pilihan: {choices}."
FACILITY_BAD_ROWS = "Data fasilitas tidak valid pada baris {rows}: {reason}."
# The {reason} of FACILITY_BAD_ROWS.
REASON_BAD_LAT_LON = "lat/lon tidak valid"
REASON_UNKNOWN_KINDS = "jenis tidak dikenal {kinds}"
REASON_UNKNOWN_ALSO_SERVES = "also_serves berisi jenis tidak dikenal"
FACILITY_DUPLICATE_IDS = "ID fasilitas ganda: {ids}."
INVALID_K = "Jumlah fasilitas terdekat (k) harus bilangan bulat minimal 1, bukan {k!r}."
INVALID_DETOUR_FACTOR = "Faktor jalan memutar harus minimal 1,0, bukan {value!r}."
INVALID_SPEED = "Kecepatan untuk {kind} harus lebih dari 0 km/jam, bukan {value!r}."

# Road graph ------------------------------------------------------------------------------------
ROAD_FILE_MISSING = "Berkas jaringan jalan tidak ditemukan: {path}."
ROAD_FILE_UNREADABLE = "Berkas jaringan jalan {name} tidak dapat dibaca (bukan XML OSM yang valid)."
ROAD_FILE_EMPTY = "Berkas jaringan jalan {name} tidak berisi jalan yang dapat dilalui kendaraan."
ROAD_INVALID_SPEED = "Kecepatan kendaraan harus lebih dari 0 km/jam, bukan {value!r}."
ROAD_INVALID_ACCESS_SPEED = (
    "Kecepatan akses (dari titik ke jalan terdekat) harus lebih dari 0 km/jam, bukan {value!r}."
)
ROAD_INVALID_SNAP_DISTANCE = "Jarak maksimum ke jalan harus lebih dari 0 meter, bukan {value!r}."
ROAD_INVALID_CROSSING_DELAY = (
    "Tundaan perlintasan kereta api harus 0 detik atau lebih, bukan {value!r}."
)
ROAD_INVALID_SLOWDOWN = (
    "Faktor perlambatan jalan harus minimal 1,0 (tak hingga: jalan ditutup), bukan {value!r}."
)
ROAD_INVALID_DIRECTION = "Arah rute tidak dikenal: {value!r}. Pilihan: {choices}."

# Layer import ----------------------------------------------------------------------------------
IMPORT_FILE_MISSING = "Berkas {name} tidak ditemukan."
IMPORT_UNSUPPORTED_FORMAT = (
    "Berkas {name} tidak didukung: gunakan GeoJSON (.geojson/.json), GeoPackage (.gpkg), "
    "Shapefile (.shp) atau Shapefile dalam .zip."
)
IMPORT_UNREADABLE = "Berkas {name} tidak dapat dibaca sebagai data peta: {reason}."
# The {reason} of IMPORT_UNREADABLE / IMPORT_BAD_CRS (never the library's English or a path).
REASON_NOT_MAP_DATA = "isinya bukan data peta yang dikenali (berkas rusak atau formatnya lain)"
REASON_ENCODING = "pengodean teksnya tidak dikenali (simpan ulang sebagai UTF-8)"
REASON_BAD_ZIP = "arsip ZIP-nya rusak atau tidak lengkap"
REASON_GEOMETRY = "ada geometri yang rusak dan tidak dapat dibaca"
REASON_FIELDS = "ada kolom atribut yang tidak dapat dibaca"
REASON_CRS = "sistem koordinatnya tidak dikenali"
REASON_CANNOT_OPEN = "berkas tidak dapat dibuka"
IMPORT_ZIP_WITHOUT_SHP = "Berkas {name} tidak berisi Shapefile (.shp)."
IMPORT_ZIP_MANY_SHP = "Berkas {name} berisi lebih dari satu Shapefile: {names}. Unggah satu saja."
IMPORT_MANY_LAYERS = (
    "Berkas {name} berisi beberapa lapisan ({layers}); tidak ada yang bernama {layer_name!r}."
)
IMPORT_EMPTY = "Berkas {name} tidak berisi satu pun fitur."
IMPORT_NO_CRS = (
    "Berkas {name} tidak memiliki sistem koordinat (untuk Shapefile: berkas .prj tidak ada). "
    "Simpan ulang dengan sistem koordinat, misalnya EPSG:4326."
)
IMPORT_BAD_CRS = "Sistem koordinat berkas {name} tidak dapat diubah ke EPSG:4326: {reason}."
REASON_INFINITE_COORDINATES = "koordinat tak hingga"  # the {reason} of IMPORT_BAD_CRS
IMPORT_MISSING_COLUMNS = (
    "Berkas {name} untuk lapisan {layer_name} tidak memiliki kolom wajib: {columns}."
)
IMPORT_EMPTY_VALUES = "Berkas {name}: kolom {column} kosong pada baris {rows}."
IMPORT_MISSING_GEOMETRY = "Berkas {name}: fitur tanpa geometri pada baris {rows}."
IMPORT_INVALID_GEOMETRY = (
    "Berkas {name}: geometri rusak dan tidak dapat diperbaiki pada baris {rows}."
)
IMPORT_WRONG_GEOMETRY_TYPE = (
    "Berkas {name}: lapisan {layer_name} harus berisi poligon, tetapi baris {rows} berisi {types}."
)
IMPORT_OUTSIDE_CITY = (
    "Berkas {name} berada di luar Kota Pekalongan (batas data {bounds}); periksa sistem "
    "koordinat atau pilih berkas yang benar."
)
IMPORT_BAD_VALUES = "Berkas {name}: nilai {column} tidak dikenal pada baris {rows}: {values}."

# Grid ------------------------------------------------------------------------------------------
INVALID_CELL_SIZE = "Ukuran sel grid harus antara {min_m} dan {max_m} meter, bukan {value!r}."

# Search notes (shown next to a result) ---------------------------------------------------------
NOTE_OLD_KELURAHAN = "nama lama untuk {kelurahan}"
NOTE_KAMPUNG = "kampung di {kelurahan}"
NOTE_SPELLING = "ejaan lain untuk {kelurahan}"
NOTE_OLD_KELURAHAN_KECAMATAN_ONLY = (
    "nama kelurahan lama di Kecamatan {kecamatan}; kelurahan barunya belum terverifikasi"
)
NOTE_UNCERTAIN = "tidak pasti, kemungkinan {kelurahan}"
NOTE_AREA_CENTRE = "titik tengah wilayah {kind} {name}"
NOTE_APPROXIMATE_LOCATION = "lokasi perkiraan"
NOTE_IN_KELURAHAN = "di Kelurahan {kelurahan}"

# CAP warning polygons (geo/cap_area.py): the reason, shown after the <polygon> it concerns ----
CAP_POLYGON_EMPTY = 'kosong, tidak ada pasangan koordinat "lintang,bujur".'
CAP_POLYGON_BAD_PAIR = 'pasangan ke-{index} ({pair}) bukan "lintang,bujur" berupa dua angka.'
CAP_POLYGON_SWAPPED = (
    "lat,lon tertukar pada pasangan ke-{index} ({pair}): angka pertama bukan lintang "
    '(-90..90) tetapi cocok sebagai bujur. CAP menulis "lintang,bujur".'
)
CAP_POLYGON_LAT_RANGE = "lintang di luar -90..90 pada pasangan ke-{index} ({pair})."
CAP_POLYGON_LON_RANGE = "bujur di luar -180..180 pada pasangan ke-{index} ({pair})."
CAP_POLYGON_TOO_FEW = "hanya {count} titik berbeda; sebuah wilayah perlu minimal {minimum}."
