"""Every user-facing Indonesian text of Siaga 112, in one place."""

from __future__ import annotations

APP_TITLE = "Siaga 112 Kota Pekalongan"
APP_SUBTITLE = "Peta dispatch Call Center 112"

STATUS = {
    "BARU": "Baru",
    "DITERUSKAN": "Diteruskan",
    "DITERIMA": "Diterima OPD",
    "DITANGANI": "Ditangani",
    "SELESAI": "Selesai",
    "DIBATALKAN": "Dibatalkan",
}

ROLE = {
    "call_taker": "Petugas 112 (call-taker)",
    "opd_admin": "Admin OPD",
    "supervisor": "Supervisor",
    "leadership": "Pimpinan",
    "admin": "Administrator",
    "wall": "Layar dinding",
}

CANCEL_REASON = {
    "PRANK": "Panggilan iseng (prank)",
    "GHOST": "Panggilan kosong (ghost call)",
    "DUPLIKAT": "Laporan ganda (duplikat)",
    "BUKAN_DARURAT": "Bukan keadaan darurat",
}

GROUP = {
    "gawat_darurat": "Gawat darurat",
    "gawat_tidak_darurat": "Gawat tidak darurat",
    "informasi": "Informasi",
}

PRIORITY = {1: "P1 Sangat mendesak", 2: "P2 Mendesak", 3: "P3 Biasa", 4: "P4 Informasi"}

ACTION = {
    "CREATE": "Laporan dicatat",
    "FORWARD": "Diteruskan ke OPD",
    "ACKNOWLEDGE": "Diterima OPD",
    "HANDLE": "Unit berangkat / ditangani",
    "RESOLVE": "Selesai",
    "CANCEL": "Dibatalkan",
    "REASSIGN": "Dialihkan ke OPD lain",
    "IMPORT": "Diimpor dari platform 112",
}

# Errors (shown with st.error; the service layer raises them, pages only display).
ERR_REQUIRED = "Kolom wajib belum diisi: {fields}."
ERR_UNKNOWN_CATEGORY = "Jenis keadaan darurat tidak dikenal: {value}."
ERR_UNKNOWN_OPD = "OPD tidak dikenal: {value}."
ERR_TEXT_TOO_LONG = "{field} terlalu panjang (maksimal {limit} karakter)."
ERR_TEXT_CONTROL = "{field} berisi karakter yang tidak sah."
ERR_PHONE = (
    "Nomor telepon tidak sah: {value}. Gunakan nomor Indonesia, misalnya 0812xxxxxxxx, "
    "+62812xxxxxxxx atau (0285) 421xxx."
)
ERR_COORDINATES = "Koordinat tidak sah: lintang harus -90..90 dan bujur -180..180 (angka)."
ERR_OUTSIDE_SERVICE_AREA = (
    "Lokasi berada {distance_km:.1f} km di luar Kota Pekalongan, di luar wilayah layanan 112 kota."
)
ERR_TRANSITION = "Status tidak dapat diubah dari {from_status} ke {to_status}."
ERR_PERMISSION = "Anda tidak berwenang untuk tindakan ini ({action})."
ERR_WRONG_OPD = "Laporan ini bukan milik OPD Anda."
ERR_STALE = (
    "Laporan ini sudah diubah oleh {actor} pada {at} WIB ({what}). "
    "Tampilan dimuat ulang; periksa lalu ulangi bila masih perlu."
)
ERR_NOT_FOUND = "Laporan tidak ditemukan."
ERR_REASON_REQUIRED = "Alasan wajib diisi."
ERR_SAME_OPD = "Laporan sudah ditugaskan ke OPD tersebut."
ERR_CANCEL_REASON = "Alasan pembatalan tidak dikenal: {value}."
ERR_DATETIME = (
    "Waktu tidak sah: {value}. Gunakan format ISO 8601, misalnya 2026-11-28T08:15:00+07:00."
)
ERR_FUTURE = "Waktu laporan berada di masa depan: {value}."
ERR_IMPORT_ROW = "Baris {line}: {reason}"
ERR_IMPORT_FILE = "Berkas tidak dapat dibaca: {reason}"
ERR_IMPORT_COLUMNS = "Kolom wajib tidak ada: {columns}."
ERR_IMPORT_FORMAT = "Format berkas tidak didukung: {suffix}. Gunakan .json atau .csv."
ERR_IMPORT_DUPLICATE_ID = "external_id {value} muncul lebih dari sekali dalam berkas."
ERR_DATABASE = (
    "Basis data tidak dapat dihubungi. Tampilan terakhir yang berhasil dimuat ditampilkan; "
    "sistem mencoba lagi otomatis."
)

# --- Peta langsung & layar dinding (issue 4: geo/maps.py, pages/live_map.py, pages/wall.py) ---
MAP_LAYER_KELURAHAN = "Batas kelurahan"
MAP_LAYER_KECAMATAN = "Batas kecamatan"
MAP_LAYER_FLOOD = "Zona rawan banjir/rob"
MAP_LAYER_FACILITIES = "Fasilitas"
MAP_LAYER_INCIDENTS = "Laporan terbuka"
MAP_LAYER_NEAREST = "Pos terdekat"
MAP_LAYER_TILES = "Peta dasar"
MAP_ATTRIBUTION_BOUNDARIES = "Batas wilayah: cahyadsn/wilayah_boundaries (MIT)"
MAP_ATTRIBUTION_OSM = "© OpenStreetMap contributors"
MAP_KELURAHAN_TOOLTIP = "Kel. {kelurahan}<br>Kec. {kecamatan}"
MAP_KECAMATAN_TOOLTIP = "Kecamatan {kecamatan}"
MAP_KELURAHAN_SHORT = "Kel. {kelurahan}"
MAP_FLOOD_TOOLTIP = "<b>{name}</b><br>{level}"
MAP_FLOOD_LEVEL = {"tinggi": "Rawan tinggi", "sedang": "Rawan sedang", "rendah": "Rawan rendah"}
MAP_FLOOD_DERIVED_NOTE = "Lapisan turunan dari fakta publik, bukan peta resmi BPBD"
MAP_FACILITY_KIND = {
    "hospital": "Rumah sakit",
    "ambulance": "Pos ambulans",
    "fire": "Pos pemadam kebakaran (Damkar)",
    "police": "Kepolisian",
    "bpbd": "BPBD",
    "puskesmas": "Puskesmas",
    "command": "Call Center 112",
}
MAP_APPROXIMATE = "(perkiraan)"
MAP_OVERDUE = "Terlambat: {reason}"
MAP_TIME_WIB = "{time} WIB"
MAP_NEAREST_TOOLTIP = "{name}{approximate}: {distance_km} km, ± {eta_min} menit"
MAP_LEGEND_TITLE = "Legenda"
MAP_LEGEND_CATEGORIES = "Jenis kejadian (warna)"
MAP_LEGEND_STATUS = "Status laporan (bentuk)"
MAP_STATUS_LEGEND = {
    "BARU": "Baru, belum diteruskan (garis putus)",
    "DITERUSKAN": "Diteruskan ke OPD",
    "DITERIMA": "Diterima OPD (titik tengah)",
    "DITANGANI": "Ditangani, unit di lokasi (kotak)",
}
MAP_LEGEND_OVERDUE = "Terlambat dari target KPI (cincin merah)"
MAP_LEGEND_CLUSTER = "Kelompok laporan (angka = jumlah; merah = ada yang terlambat)"
MAP_LEGEND_FLOOD = "Zona banjir/rob"
MAP_LEGEND_FACILITIES = "Fasilitas"
MAP_LEGEND_APPROXIMATE = "Lokasi perkiraan (cincin putus-putus)"
# --- end Peta langsung ---
