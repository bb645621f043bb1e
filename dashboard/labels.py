"""Every user-facing Indonesian text of Siaga 112, in one place."""

from __future__ import annotations

# --- App shell: title, navigation, first start, what any page may show ----------------------------
# Read by: app.py, dashboard/roads.py, dashboard/setup.py, pages/components.py, pages/home.py,
#   pages/ui.py.
APP_TITLE = "Siaga 112 Kota Pekalongan"
APP_SUBTITLE = "Peta dispatch Call Center 112"
ERR_UNEXPECTED = (
    "Terjadi kesalahan pada halaman ini; data Anda tidak berubah. Muat ulang halaman atau coba "
    "lagi sebentar lagi. Bila berulang, sampaikan kode {reference} kepada administrator."
)
ERR_DATABASE = (
    "Basis data tidak dapat dihubungi. Tampilan terakhir yang berhasil dimuat ditampilkan; "
    "sistem mencoba lagi otomatis."
)
# Any picker with nothing picked (pages/components.choose): never Streamlit's English
# "Choose an option".
PICK_PLACEHOLDER = "— pilih —"
BTN_DISMISS = "Tutup pesan"
SETUP_TITLE = "Menyiapkan Siaga 112 untuk pertama kali…"
SETUP_STEP_SCHEMA = "Memeriksa dan memperbarui struktur basis data"
SETUP_STEP_CATALOGUE = "Mengisi katalog: OPD, kategori laporan, aturan penugasan, fasilitas"
SETUP_STEP_USERS = "Membuat akun demo"
SETUP_STEP_HISTORY = (
    "Mengisi riwayat demo {days} hari: laporan, lokasi, catatan (sekali saja, biasanya kurang "
    "dari satu menit)"
)
ROADS_FILE_WARNING = (
    "{reason} Jarak jalan dan ETA pos terdekat memakai garis lurus × faktor jalan sampai berkas "
    "jaringan jalan diperbaiki."
)
ROADS_FILE_NOT_READABLE = "Berkas jaringan jalan tidak dapat dibuka: {path}."
# Navigation titles (app.py PAGES): the sidebar's links and each page's browser title.
PAGE_HOME = "Beranda"
PAGE_LIVE = "Peta Langsung"
PAGE_INTAKE = "Laporan baru"
PAGE_QUEUE = "Penugasan"
PAGE_FIND = "Cari laporan"
PAGE_TRENDS = "Tren"
PAGE_ADMIN = "Admin"
PAGE_WALL = "Layar dinding"
PAGE_LOGIN = "Masuk"


# --- Codes as every screen names them: status, role, priority, log action, place ------------------
# The codes are dashboard/domain.py's, dashboard/catalogue.py's and dashboard/places.py's; most
#   pages and services show them.
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
PRIORITY = {1: "P1 Sangat mendesak", 2: "P2 Mendesak", 3: "P3 Biasa", 4: "P4 Informasi"}
ACTION = {
    "CREATE": "Laporan dicatat",
    "FORWARD": "Diteruskan ke OPD",
    "ACKNOWLEDGE": "Diterima OPD",
    "HANDLE": "Unit berangkat / ditangani",
    "RESOLVE": "Selesai",
    "CANCEL": "Dibatalkan",
    "REASSIGN": "Dialihkan ke OPD lain",
    "IMPORT": "Diimpor dari berkas",
    "RECEIVE": "Diterima dari platform 112 (API)",
    "REOPEN": "Dibuka kembali",
    "ESCALATE": "Eskalasi ke supervisor",
    "EIDO_IMPORT": "Diimpor dari dokumen EIDO",
    "NOTE": "Catatan",
}
# domain.overdue_reason's codes, as every screen says them.
OVERDUE = {
    "NOT_FORWARDED": "belum diteruskan",
    "NOT_ACKNOWLEDGED": "belum diterima OPD",
    "NOT_HANDLED": "belum ditangani",
    "NOT_RESOLVED": "melewati target penyelesaian",
}
PLACE_AT_SEA = "Laut, {km} km dari {kelurahan}"
PLACE_OUTSIDE_CITY = "Luar kota, {km} km dari {kelurahan}"
PLACE_AT_SEA_SHORT = "Laut"
PLACE_OUTSIDE_CITY_SHORT = "Luar kota"
CATEGORY_CLASS = {
    "FIRE": "Kebakaran",
    "WATER": "Banjir & rob",
    "MEDICAL": "Medis & kecelakaan",
    "SECURITY": "Keamanan & sosial",
    "ENVIRONMENT": "Pohon, listrik, jalan, tawon",
    "OTHER": "Informasi & lainnya",
}


# --- Beranda --------------------------------------------------------------------------------------
# Read by: pages/home.py.
HOME_OPEN = "Laporan terbuka"
HOME_OVERDUE = "Terlambat"
HOME_TODAY = "Laporan hari ini"
HOME_NUISANCE = "Iseng/kosong hari ini"
HOME_AS_OF = "Data per {at} WIB"
HOME_SHORTCUTS = "Pintasan"
HOME_NEWEST_ALL = "Laporan terbuka terbaru"
HOME_NEWEST_OPD = "Laporan terbuka untuk {opd}"
HOME_NONE_OPEN = "Tidak ada laporan terbuka."
# Not containing the navigation's own page names: a link is found by its name.
HOME_LINK = {
    "intake": "Catat panggilan 112",
    "queue": "Antrean & papan tugas",
    "live": "Peta kota saat ini",
    "trends": "Evaluasi layanan",
    "admin": "Pengaturan sistem",
}


# --- Sign-in and sessions -------------------------------------------------------------------------
# Read by: app.py, dashboard/auth.py, pages/admin.py, pages/training_trainer.py, pages/ui.py,
#   web/session_routes.py.
ERR_LOGIN = "Nama pengguna atau kata sandi salah."
ERR_LOCKED = (
    "Akun terkunci sementara karena terlalu banyak percobaan gagal. Coba lagi pukul {until} WIB."
)
ERR_INACTIVE = "Akun tidak aktif. Hubungi administrator."
SESSION_EXPIRED = "Sesi berakhir karena tidak aktif. Silakan masuk lagi."
SESSION_ACCOUNT_CLOSED = "Akun Anda dinonaktifkan. Hubungi administrator."
# Why a session ended (dashboard.sessions.ENDED_*), shown above the sign-in form.
SESSION_ENDED = {
    "keluar": "Anda telah keluar (di tab ini atau tab lain peramban ini). Silakan masuk lagi.",
    "idle": SESSION_EXPIRED,
    "akun": SESSION_ACCOUNT_CLOSED,
}
BTN_SIGN_OUT = "Keluar"
ERR_SESSION_TICKET = "Tiket sesi tidak sah atau kedaluwarsa."
ERR_SESSION_DATABASE = "Basis data tidak tersedia."
FIELD_USERNAME = "Nama pengguna"
FIELD_PASSWORD = "Kata sandi"
BTN_SIGN_IN = "Masuk"
LOGIN_DEMO_HINT = "Mode demo: lihat README untuk akun demo (mis. `spv.eka`)."


# --- Laporan baru ---------------------------------------------------------------------------------
# Read by: dashboard/intake.py, pages/intake.py, pages/queue.py, pages/training_call.py.
INTAKE_TITLE = "Laporan baru"
INTAKE_CAPTION = (
    "Isi data wajib SOP: jenis keadaan darurat, kondisi, lokasi, nomor yang bisa dihubungi. "
    "Tentukan titik lewat pencarian atau klik peta."
)
FIELD_CATEGORY_SOP = "Jenis keadaan darurat"
CATEGORY_PLACEHOLDER = "Pilih jenis keadaan darurat"
FIELD_KONDISI_SOP = "Kondisi (apa yang terjadi, korban, bahaya)"
FIELD_PHONE_SOP = "Nomor yang bisa dihubungi"
FIELD_ADDRESS_SOP = "Lokasi kejadian (alamat / patokan)"
SEARCH_PLACE = "Cari lokasi: kelurahan, nama lama, landmark"
SEARCH_NOTHING = "Tidak ada tempat yang cocok. Coba ejaan lain atau klik peta."
INTAKE_MAP_HINT = "Klik peta untuk menandai lokasi kejadian, atau pilih hasil pencarian."
INTAKE_POINT = "Titik lokasi: {lat:.5f}, {lon:.5f}"
INTAKE_POINT_LABEL = "Lokasi laporan"
BTN_CLEAR_POINT = "Hapus titik"
INTAKE_CHECK_HEADING = "Periksa sebelum menyimpan"
INTAKE_STARTED = "Panggilan dicatat sejak {at} WIB"
INTAKE_NO_POINT = "Titik lokasi belum dipilih."
INTAKE_PLACE = "Kelurahan {kelurahan}, Kecamatan {kecamatan}"
INTAKE_OUTSIDE_CITY = "Titik berada {m:.0f} m di luar batas Kota Pekalongan: pastikan lokasinya."
INTAKE_OUTSIDE_SERVICE = (
    "Titik berada {km:.1f} km di luar Kota Pekalongan, di luar wilayah layanan 112 kota."
)
INTAKE_FLOOD_ZONE = "Zona rawan banjir/rob: {names}"
INTAKE_SUGGESTED_OPD = "OPD yang disarankan aturan rute: {opd}"
INTAKE_DUPLICATE = (
    "Kemungkinan laporan ganda: {code} ({status}), {distance_m:.0f} m dari titik ini, "
    "diterima pukul {at} WIB."
)
INTAKE_PRANK = (
    "Nomor ini {count} kali tercatat sebagai panggilan iseng/kosong/bukan darurat "
    "dalam {days} hari terakhir."
)
POST_KIND = {
    "ambulance": "Ambulans",
    "fire": "Pemadam kebakaran",
    "police": "Polisi",
    "hospital": "Rumah sakit",
    "bpbd": "BPBD",
    "puskesmas": "Puskesmas",
    "command": "Command Center",
}
FIELD_FORWARD_TO = "Teruskan ke OPD"
FORWARD_PLACEHOLDER = "Pilih OPD"
HELP_FORWARD_OVERRIDE = "Terisi OPD saran aturan rute; petugas boleh memilih OPD lain."
BTN_SAVE_FORWARD = "Simpan dan teruskan"
QUICK_CLOSE_HEADING = "Tutup panggilan tanpa diteruskan"
QUICK_CLOSE_HELP = "Dicatat lalu langsung dibatalkan; cukup nomor penelepon."
CANCEL_REASON_SHORT = {
    "PRANK": "Iseng",
    "GHOST": "Panggilan kosong",
    "BUKAN_DARURAT": "Bukan darurat",
    "DUPLIKAT": "Laporan ganda",
}
DONE_INTAKE = "Laporan {code} dicatat dan diteruskan ke {opd}."
DONE_INTAKE_CLOSED = "Panggilan {code} dicatat dan ditutup: {reason}."
INTAKE_AT_SEA = "Titik di laut, {km} km dari {kelurahan}: pastikan posisi penelepon."
# Closing a report that already holds data asks once.
QUICK_CLOSE_CONFIRM = (
    "Laporan ini sudah berisi data ({summary}). Tutup sebagai «{reason}»? Laporan yang "
    "ditutup tidak diteruskan ke OPD mana pun."
)
BTN_CONFIRM_CLOSE = "Ya, tutup sebagai {reason}"
LOCATION_GIVEN = "lokasi sudah ditandai"
BTN_CANCEL_CLOSE = "Batal, kembali ke laporan"
# {approx} (the post's own position is approximate) stays with the name it is about.
INTAKE_POST_ROUTE = "{kind} terdekat: {name}{approx} · {km} km · ±{eta} menit ({route})"
INTAKE_SOP_CARD = "Kartu SOP kategori ini"


# --- Penugasan: OPD queue, supervisor board, the open incident ------------------------------------
# Read by: dashboard/admin.py, dashboard/alerts.py, dashboard/eido.py, dashboard/incidents.py,
#   dashboard/queues.py, pages/components.py, pages/queue.py.
QUEUE_TITLE = "Penugasan"
QUEUE_CAPTION_OPD = "Antrean laporan OPD {opd}: terima, tangani, selesaikan."
QUEUE_CAPTION_SUPERVISOR = (
    "Papan supervisor: semua laporan terbuka, yang paling mendesak dan paling terlambat di atas."
)
QUEUE_CAPTION_BOARD = "Semua laporan terbuka, yang paling mendesak di atas."
QUEUE_SUMMARY = "{count} laporan terbuka, {overdue} terlambat. Diperbarui otomatis."
QUEUE_EMPTY = "Tidak ada laporan terbuka."
FILTER_OPD = "Saring OPD"
FILTER_OPD_ALL = "Semua OPD"
FILTER_OVERDUE = "Hanya yang terlambat"
PICK_INCIDENT = "Buka laporan"
PICK_INCIDENT_PLACEHOLDER = "Pilih laporan untuk melihat rincian dan tindakan"
OVERDUE_MARK = "TERLAMBAT: {reason}"
COL_CODE = "Kode"
COL_RECEIVED = "Masuk (WIB)"
COL_PRIORITY = "Prioritas"
COL_CATEGORY = "Jenis"
COL_STATUS = "Status"
COL_OPD = "OPD"
COL_PLACE = "Lokasi"
COL_OVERDUE = "Terlambat"
COL_PHONE = "Telepon"
COL_REASSIGNED = "Dialihkan"
QUEUE_HEADINGS = (
    COL_CODE,
    COL_RECEIVED,
    COL_PRIORITY,
    COL_CATEGORY,
    COL_STATUS,
    COL_OPD,
    COL_PLACE,
    COL_OVERDUE,
    COL_PHONE,
    COL_REASSIGNED,
)
FLOOD_ZONE_SHORT = "zona banjir"
FLOOD_ZONE_NAMED = "Di zona rawan banjir/rob: {names}"
OUTSIDE_CITY_SHORT = "Di luar batas Kota Pekalongan"
PLACE_UNKNOWN = "Kelurahan tidak diketahui"
DETAIL_RECEIVED = "Panggilan masuk {at} WIB · {priority}"
DETAIL_PLACE = "Kelurahan / kecamatan"
DETAIL_RESOLUTION = "Catatan penyelesaian"
DETAIL_TIMELINE = "Riwayat (log kejadian)"
FIELD_KONDISI = "Kondisi"
FIELD_ADDRESS = "Lokasi"
FIELD_PHONE = "Nomor penelepon"
COL_TIME = "Waktu (WIB)"
COL_ACTOR = "Oleh"
COL_ACTION = "Kejadian"
COL_STATUS_MOVE = "Status"
COL_OPD_MOVE = "OPD"
COL_REASON = "Alasan / catatan"
TIMELINE_HEADINGS = (COL_TIME, COL_ACTOR, COL_ACTION, COL_STATUS_MOVE, COL_OPD_MOVE, COL_REASON)
ROUTING_OVERRIDDEN = "OPD saran aturan rute: {opd}"
ACTIONS_HEADING = "Tindakan"
NO_ACTIONS = "Tidak ada tindakan yang dapat Anda lakukan pada laporan ini."
BTN_ACKNOWLEDGE = "Terima laporan"
BTN_HANDLE = "Unit berangkat / ditangani"
BTN_RESOLVE = "Selesaikan"
FIELD_RESOLUTION_NOTE = "Catatan penyelesaian (wajib)"
BTN_FORWARD = "Teruskan"
REASSIGN_HEADING = "Alihkan ke OPD lain"
FIELD_REASSIGN_TO = "OPD tujuan"
PICK_OPD_FIRST = "Pilih OPD tujuan terlebih dahulu."
FIELD_REASSIGN_REASON = "Alasan pengalihan (wajib)"
BTN_REASSIGN = "Alihkan"
STATUS_HEADING = "Ubah status"
FIELD_NEW_STATUS = "Status baru"
FIELD_CANCEL_CODE = "Alasan pembatalan"
CANCEL_CODE_PLACEHOLDER = "Hanya untuk status Dibatalkan"
FIELD_STATUS_REASON = "Alasan perubahan (wajib)"
BTN_CHANGE_STATUS = "Ubah status"
CANCEL_HEADING = "Batalkan laporan"
FIELD_NOTE = "Catatan"
BTN_CANCEL = "Batalkan laporan"
DONE_ACKNOWLEDGE = "Laporan {code} diterima."
DONE_HANDLE = "Laporan {code} ditandai sedang ditangani."
DONE_RESOLVE = "Laporan {code} selesai."
DONE_FORWARD = "Laporan {code} diteruskan."
DONE_REASSIGN = "Laporan {code} dialihkan."
DONE_STATUS = "Status laporan {code} diubah."
DONE_CANCEL = "Laporan {code} dibatalkan."
DETAIL_AT_SEA = "Di laut, di luar batas Kota Pekalongan"
# The open incident over time: changes by others, notes that can no longer be saved.
CHANGE_REASSIGNED = "Dialihkan ke {opd}"
CHANGE_BY = "{what} oleh {actor} pukul {at}"
QUEUE_OPEN_HEADING = "Laporan yang Anda buka"
BTN_CLOSE_PANEL = "Tutup laporan ini"
BTN_DISMISS_NOTICE = "Mengerti"
CHANGED_ELSEWHERE = "Laporan {code} diubah orang lain sementara Anda membukanya:"
MOVED_AWAY = (
    "Laporan {code} kini bukan milik OPD Anda ({opd}). Catatan yang belum tersimpan masih ada di "
    "bawah untuk disalin; laporan ini tidak dapat lagi diubah dari antrean Anda."
)
CLOSED_ELSEWHERE = (
    "Laporan {code} sudah {status}. Catatan yang belum tersimpan masih ada di bawah untuk disalin."
)
DRAFT_NOT_SAVABLE = "Tidak dapat disimpan lagi: salin catatan ini bila masih diperlukan."


# --- Peringatan: the alert strip above the desk pages, escalation, the alert log ------------------
# Read by: dashboard/alerts.py, dashboard/queues.py, pages/alert_strip.py, pages/components.py.
# An escalation's line in the incident log (dashboard/queues.py).
ESCALATE_NOTE = "Tingkat {level}: {opd} belum menerima setelah {waited} (batas {threshold})"
# What an alert was, how it ended, how long it waited (dashboard/alerts.py).
ALERT_KIND = {
    "ASSIGNED": "Laporan baru untuk OPD",
    "MOVED_AWAY": "Laporan dialihkan dari OPD",
    "ESCALATED": "Eskalasi tingkat {level}",
}
ALERT_CLOSE = {
    "ACKNOWLEDGED": "Diterima OPD",
    "MOVED": "Berpindah (dialihkan atau eskalasi baru)",
    "FINISHED": "Laporan selesai/dibatalkan",
    "SEEN": "Sudah dilihat",
    "TAKEN": "Ditangani supervisor",
}
ALERT_TO_SUPERVISORS = "Supervisor"
ALERT_STILL_OPEN = "Masih terbuka"
ALERT_ENDED_BY = "{how} oleh {actor}, {at}"
ALERT_ENDED = "{how}, {at}"
COL_ALERT_TIME = "Waktu"
COL_ALERT_KIND = "Peringatan"
COL_ALERT_TO = "Kepada"
COL_ALERT_END = "Berakhir"
ALERT_LOG_HEADINGS = (COL_ALERT_TIME, COL_ALERT_KIND, COL_ALERT_TO, COL_ALERT_END)
DETAIL_ALERTS = "Peringatan yang dikirim"
WAIT_SECONDS = "{s} dtk"
WAIT_MINUTES = "{m} mnt"
WAIT_HOURS = "{h} jam {m} mnt"
WAIT_DAYS = "{d} hari"
ERR_ALERT_NOT_FOUND = "Peringatan itu tidak ditemukan."
ERR_ALERT_NEEDS_TERIMA = (
    "Peringatan laporan baru berakhir bila OPD menerima laporannya (tombol Terima di Penugasan)."
)
ERR_ALERT_NOT_YOURS = "Peringatan itu bukan untuk Anda."
# The strip's counts, rows and buttons.
STRIP_NEW = "{n} laporan baru menunggu Terima"
STRIP_MOVED = "{n} laporan dialihkan dari OPD Anda"
STRIP_ESCALATED = "{n} eskalasi: OPD belum menerima"
STRIP_WAITING_OPD = "{n} laporan menunggu Terima OPD"
STRIP_ITEM = "{code} · {category} · {place} · {opd} · menunggu {waited}"
STRIP_MORE = "+{n} lainnya"
STRIP_BTN_OPEN = "Buka {code}"
STRIP_BTN_SEEN = "Sudah dilihat"
STRIP_BTN_TAKE = "Saya tangani"
STRIP_DONE_SEEN = "Peringatan {code} ditandai sudah dilihat."
STRIP_DONE_TAKE = "Eskalasi {code} Anda tangani."
BTN_SOUND_ON = "Aktifkan suara"
BTN_NOTIFY_ON = "Aktifkan notifikasi desktop"
NOTIFY_TITLE = {
    "ASSIGNED": "Laporan baru {code}",
    "MOVED_AWAY": "Laporan {code} dialihkan",
    "ESCALATED": "Eskalasi {code}",
}
NOTIFY_MORE = "dan {n} peringatan lain"
SOUND_BLOCKED_HINT = "Peramban menahan suara sampai halaman diklik."


# --- Cari laporan: find any incident, reopen ------------------------------------------------------
# Read by: dashboard/domain.py, dashboard/incidents.py, dashboard/queues.py, pages/find.py.
FIND_TITLE = "Cari laporan"
ERR_REOPEN_NOT_CLOSED = (
    "Hanya laporan yang selesai atau dibatalkan yang dapat dibuka kembali (status sekarang: "
    "{status})."
)
ERR_DATE_ORDER = "Tanggal awal tidak boleh sesudah tanggal akhir."
ERR_DATE_OUT_OF_RANGE = "Rentang tanggal di luar kalender yang dapat dicari."
ERR_SEARCH_PHONE = "Anda tidak berwenang mencari laporan menurut nomor telepon penelepon."
ERR_STATUS_FILTER = "Saringan status tidak dikenal: {value}."
FIELD_FIND_TEXT_NAME = "Teks pencarian"
FIELD_REOPEN_REASON_NAME = "Alasan membuka kembali"
FIND_CAPTION = (
    "Semua laporan, yang masih terbuka maupun yang sudah selesai atau dibatalkan. Cari menurut "
    "kode laporan (atau awalnya, mis. 112-20261201), nomor telepon penelepon, atau nama kelurahan."
)
FIELD_FIND_TEXT = "Kode laporan, nomor telepon, atau kelurahan"
FIELD_FIND_TEXT_HELP = (
    "Kode: lengkap atau awalnya. Nomor: lengkap, dalam bentuk apa pun (0812..., +62812...). "
    "Kelurahan: nama atau awal namanya. Kosongkan untuk semua laporan pada rentang tanggal."
)
FIELD_FIND_DATES = "Tanggal masuk (WIB)"
FIELD_FIND_STATUS = "Status"
FIND_STATUS_FILTER = {
    "": "Semua status",
    "OPEN": "Masih terbuka",
    "CLOSED": "Sudah ditutup (selesai atau dibatalkan)",
    "SELESAI": "Selesai",
    "DIBATALKAN": "Dibatalkan",
}
BTN_FIND = "Cari"
FIND_SUMMARY = "{count} laporan ditemukan, terbaru di atas."
FIND_MORE = "Hanya {limit} laporan terbaru yang ditampilkan: persempit pencarian."
FIND_MATCHED_BY = {
    "code": "Dicari menurut kode laporan: tanggalnya diambil dari kode, rentang tanggal diabaikan.",
    "phone": "Dicari menurut nomor telepon (seluruh nomor).",
    "kelurahan": "Dicari menurut nama kelurahan.",
    "all": "Semua laporan pada rentang tanggal.",
}
FIND_EMPTY = (
    "Tidak ada laporan yang cocok. Periksa kode, nomor (harus lengkap), nama kelurahan, "
    "status, atau rentang tanggal."
)
FIND_PICK = "Lihat laporan"
FIND_PICK_PLACEHOLDER = "Pilih laporan dari hasil pencarian"
COL_KELURAHAN = "Tempat"
COL_ADDRESS = "Alamat"
COL_CLOSED = "Ditutup (WIB)"
FIND_HEADINGS = (
    COL_CODE,
    COL_RECEIVED,
    COL_PRIORITY,
    COL_CATEGORY,
    COL_STATUS,
    COL_OPD,
    COL_KELURAHAN,
    COL_ADDRESS,
    COL_PHONE,
    COL_CLOSED,
)
REOPEN_HEADING = "Buka kembali laporan ini"
REOPEN_HINT = (
    "Laporan yang dibatalkan sebelum sampai ke OPD kembali berstatus Baru dan harus diteruskan. "
    "Laporan yang pernah diteruskan, dan laporan yang sudah selesai, kembali ke OPD terakhirnya, "
    "yang harus menerimanya lagi. Alasan dicatat di riwayat."
)
FIELD_REOPEN_REASON = "Alasan membuka kembali (wajib)"
BTN_REOPEN = "Buka kembali"
DONE_REOPEN_NEW = (
    "Laporan {code} dibuka kembali dan berstatus Baru: teruskan ke OPD di halaman Penugasan."
)
DONE_REOPEN_FORWARDED = (
    "Laporan {code} dibuka kembali dan diteruskan lagi ke {opd}: OPD harus menerimanya lagi."
)


# --- Maps on every screen: layers, tooltips, legend -----------------------------------------------
# Read by: dashboard/live.py, mapview/base.py, mapview/facilities.py, mapview/incidents.py,
#   mapview/legend.py, pages/live_map.py, pages/wall.py.
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
MAP_ESCALATED = "Eskalasi tingkat {level}"


# --- Peta Langsung --------------------------------------------------------------------------------
# Read by: dashboard/live.py, pages/live_map.py, pages/live_shared.py, web/live_routes.py.
LIVE_TITLE = "Peta Langsung"
LIVE_FILTER_CATEGORY = "Jenis kejadian"
LIVE_FILTER_OPD = "OPD"
LIVE_FILTER_STATUS = "Status"
LIVE_FILTER_KECAMATAN = "Kecamatan"
LIVE_FILTER_WINDOW = "Waktu laporan"
LIVE_FILTER_ALL_OPEN = "Semua status terbuka"
# The live map's filters show their labels as placeholders (one compact row above the map).
LIVE_FILTER_ALL_CATEGORIES = "Semua jenis kejadian"
LIVE_FILTER_ALL_OPDS = "Semua OPD"
LIVE_FILTER_ALL_KECAMATAN = "Semua kecamatan"
LIVE_WINDOWS = {
    "semua": "Semua waktu",
    "1j": "1 jam terakhir",
    "6j": "6 jam terakhir",
    "24j": "24 jam terakhir",
    "7h": "7 hari terakhir",
}
LIVE_KPI_OVERDUE = "Terlambat"
LIVE_KPI_OVERDUE_NOTE = "melewati target KPI"
LIVE_KPI_REPORTS_TODAY = "Laporan hari ini"
LIVE_KPI_MEDIAN_FORWARD = "Median teruskan"
LIVE_KPI_SECONDS = "{s} dtk"
LIVE_KPI_MINUTES = "{m} mnt"
LIVE_KPI_HOURS = "{h} jam"
LIVE_KPI_TARGET = "hari ini · target {s} dtk"
LIVE_KPI_NUISANCE_SHARE = "Iseng/kosong"
LIVE_KPI_NUISANCE_NOTE = "hari ini · prank, ghost call, bukan darurat"
LIVE_AS_OF = "Data per {at} WIB · {n} laporan terbuka di peta · diperbarui tiap {every} detik"
LIVE_COL_CODE = "Kode"
LIVE_COL_TIME = "Pukul (WIB)"
LIVE_COL_CATEGORY = "Jenis"
LIVE_COL_STATUS = "Status"
LIVE_COL_PLACE = "Tempat"
LIVE_COL_OPD = "OPD"
LIVE_COL_OVERDUE = "Terlambat"
LIVE_COL_POST_KIND = "Jenis pos"
LIVE_COL_POST_NAME = "Nama"
LIVE_COL_POST_DISTANCE = "Jarak lurus (km)"
LIVE_COL_POST_ROAD = "Perkiraan jalan (km)"
LIVE_COL_POST_ETA = "ETA (menit)"
LIVE_NEWEST = "Laporan terbaru"
LIVE_PICK = "Laporan dipilih"
LIVE_PICK_NONE = "(klik laporan di peta)"
# The live views' change watch (pages/live_watch.js, web/live_routes.py): its hidden rerun
# button, and the stamp route's answer during an outage.
LIVE_WATCH_RERUN = "Muat perubahan"
LIVE_WATCH_DB_DOWN = "Basis data tidak tersedia."
LIVE_PICK_HINT = "Klik penanda laporan di peta untuk melihat rincian dan pos terdekat."
LIVE_PICK_CLOSED = "(sudah tidak terbuka)"
LIVE_RECEIVED = "Diterima {at} WIB"
LIVE_PLACE = "Lokasi"
LIVE_KONDISI = "Kondisi"
LIVE_PHONE_MASKED = "Nomor pelapor (disamarkan)"
LIVE_OPD = "OPD"
LIVE_NEAREST = "Pos terdekat"
LIVE_NO_POSTS = "Tidak ada pos ambulans atau pemadam yang terdaftar."
LIVE_ETA_NOTE = (
    "ETA = perkiraan waktu tempuh (jarak lurus × faktor jalan ÷ kecepatan), tanpa waktu persiapan."
)
# Which estimate gave a post's road km and ETA (codes of geo.nearest ROUTE_*); {factor} is the
# setting eta_detour_factor.
ROUTE_MODEL = {
    "jaringan_jalan": "lewat jalan",
    "garis_lurus_x_faktor": "garis lurus × {factor}",
    "garis_lurus_jauh_dari_jalan": "jauh dari jalan, garis lurus × {factor}",
}
LIVE_COL_POST_ROUTE = "Dasar perkiraan"
LIVE_POST_LINE_ROUTE = (
    "{kind}: {name}{approximate}\n"
    "  {distance_km} km lurus · ± {road_km} km jalan ({route}) · ETA ± {eta_min} menit"
)
LIVE_ETA_NOTE_ROADS = (
    "ETA = perkiraan waktu tempuh lewat jaringan jalan OpenStreetMap, searah laju kendaraan "
    "(dari pos ke lokasi; ke rumah sakit dari lokasi), tanpa waktu persiapan. Baris 'garis lurus' "
    "memakai jarak lurus × faktor jalan."
)


# --- Layar dinding --------------------------------------------------------------------------------
# Read by: dashboard/auth.py, mapview/legend.py, pages/wall.py.
WALL_TITLE = "Siaga 112 Kota Pekalongan · Peta Langsung"
WALL_CLOCK = "{time} WIB"
WALL_AS_OF = "Data per {at} WIB"
WALL_STALE = "Data terakhir {at} WIB"
WALL_NO_DATA = "Belum ada data"
WALL_DB_DOWN = "Basis data tidak dapat dihubungi. Menampilkan data terakhir; mencoba lagi otomatis."
WALL_TOKEN_HINT = "Minta tautan layar dinding yang baru kepada administrator."
WALL_NEWEST = "Laporan terbaru"
WALL_NO_INCIDENTS = "Tidak ada laporan terbuka."
# A wall link whose token is wrong or missing (dashboard/auth.py).
ERR_TOKEN = "Token layar dinding tidak sah atau sudah dicabut."
ERR_TOKEN_MISSING = "Alamat layar dinding ini tidak memuat token (…/layar?token=…)."
# The wall's banner (pages/wall.py)
WALL_LATE_BANNER = "{n} laporan belum diterima OPD melewati target"
WALL_LATE_ITEM = "{code} · {category} · {place} · {opd} · {waited}"
WALL_ESCALATED_MARK = "ESKALASI {level}"
# The wall's side legend: the status shapes in a word or two.
WALL_STATUS_SHORT = {
    "BARU": "Baru (garis putus)",
    "DITERUSKAN": "Diteruskan",
    "DITERIMA": "Diterima (titik)",
    "DITANGANI": "Ditangani (kotak)",
    "OVERDUE": "Terlambat (cincin merah)",
}


# --- Peringatan dini (CAP) on the screens: banner, map layer, legend ------------------------------
# Read by: mapview/legend.py, mapview/warnings.py, pages/cap_warnings.py.
CAP_SEVERITY = {
    "Extreme": "Ekstrem",
    "Severe": "Berat",
    "Moderate": "Sedang",
    "Minor": "Ringan",
    "Unknown": "Tidak diketahui",
}
CAP_URGENCY = {
    "Immediate": "Segera",
    "Expected": "Dalam waktu dekat",
    "Future": "Akan datang",
    "Past": "Sudah lewat",
    "Unknown": "Tidak diketahui",
}
CAP_CERTAINTY = {
    "Observed": "Teramati",
    "Likely": "Kemungkinan besar",
    "Possible": "Mungkin terjadi",
    "Unlikely": "Kecil kemungkinan",
    "Unknown": "Tidak diketahui",
}
CAP_SUMMARY = "{event} · {severity} · {until}"
CAP_UNTIL = "sampai {time} WIB"
CAP_UNTIL_OPEN = "tanpa waktu berakhir"
CAP_EVENT_UNKNOWN = "Peringatan dini"
CAP_AREAS = "Wilayah: {places}"
CAP_DETAIL = "Urgensi: {urgency} · Kepastian: {certainty}"
CAP_BANNER_TITLE = "Peringatan dini"
CAP_BANNER_TITLE_N = "Peringatan dini ({n})"
CAP_BANNER_MORE = "+{n} lainnya"
CAP_FETCHED = "diambil {at} WIB"
CAP_STALE = "pengambilan {at} WIB gagal; data terakhir {ok} WIB, mungkin sudah berubah"
CAP_STALE_NEVER = "pengambilan {at} WIB gagal; belum pernah berhasil"
CAP_QUIET_STALE = "Peringatan dini: {stale}."
MAP_LAYER_CAP = "Peringatan dini (CAP)"
MAP_LEGEND_CAP = "Peringatan dini"
MAP_LEGEND_CAP_AREA = "Wilayah peringatan dini aktif"
WALL_LEGEND_CAP = "Peringatan dini"


# --- Tren -----------------------------------------------------------------------------------------
# Read by: dashboard/exports.py, dashboard/trends.py, mapview/trend_maps.py, pages/trends.py.
TREND_ERR_GRANULARITY = "Satuan waktu tidak dikenal: {value}."
TREND_ERR_RANGE = "Tanggal akhir tidak boleh sebelum tanggal awal."
TREND_ERR_RANGE_TOO_LONG = "Rentang tanggal terlalu panjang (maksimal {days} hari)."
TREND_TITLE = "Tren layanan Call Center 112"
TREND_CAPTION = (
    "Laporan yang diterima pada rentang tanggal (hari WIB); periode mingguan mulai Senin, "
    "periode pertama dan terakhir bisa tidak penuh. Semua angka dihitung di basis data; "
    "data per {as_of} WIB."
)
TREND_DATES = "Rentang tanggal (WIB)"
TREND_DATES_INCOMPLETE = "Pilih tanggal awal dan tanggal akhir."
TREND_GRANULARITY = "Satuan waktu"
TREND_GRANULARITY_OPTIONS = {"day": "Harian", "week": "Mingguan", "month": "Bulanan"}
TREND_FILTER_CATEGORIES = "Jenis keadaan darurat"
TREND_FILTER_OPDS = "OPD"
TREND_FILTER_OPDS_HELP = "Laporan yang pertama dikirim ke OPD ini atau kini ditangani OPD ini."
TREND_FILTER_KECAMATAN = "Kecamatan"
TREND_FILTER_ALL = "Semua"
TREND_EMPTY = "Tidak ada laporan pada rentang dan filter ini."
TREND_METRIC_TOTAL = "Laporan"
TREND_METRIC_NUISANCE = "Iseng / kosong / bukan darurat"
TREND_METRIC_REASSIGN = "Dialihkan ke OPD lain"
TREND_METRIC_STAGE = "{stage} (median)"
TREND_METRIC_STAGE_DELTA = "target {target}; {within} dalam target (target {share})"
TREND_SECTION_VOLUME = "Volume laporan per jenis"
TREND_SECTION_NUISANCE = "Panggilan iseng, kosong dan bukan darurat"
TREND_SECTION_PLACE = "Lokasi kejadian"
TREND_PLACE_CAPTION = (
    "Warna kelurahan = jumlah laporan. Kisi kepadatan {cell_m} m dapat dinyalakan di kontrol "
    "lapisan (kanan atas). Laporan di luar kota tidak tergambar di peta, tetapi dihitung di tabel."
)
TREND_SECTION_SPEED = "Kecepatan layanan terhadap target KPI"
TREND_SPEED_CAPTION = (
    "Meneruskan = diterima 112 sampai diteruskan ke OPD. Diterima OPD = sejak OPD yang sekarang "
    "menerima tugas (setelah pengalihan dihitung dari pengalihan terakhir). Selesai = diterima "
    "112 sampai selesai. Median dan P90 (90% laporan lebih cepat dari angka ini), dalam menit."
)
TREND_SECTION_ROUTING = "Ketepatan penugasan OPD"
TREND_ROUTING_CAPTION = (
    "Tingkat pengalihan = laporan yang dipindah ke OPD lain dibagi laporan yang diteruskan, "
    "menurut OPD yang pertama dikirimi."
)
TREND_FLOWS_TITLE = "Dikirim ke A, dialihkan ke B (terbanyak dulu)"
TREND_NO_FLOWS = "Tidak ada pengalihan pada rentang ini."
TREND_SECTION_STAFFING = "Jam sibuk (WIB) per hari"
TREND_STAFFING_CAPTION = (
    "Jumlah laporan per jam dan hari selama rentang tanggal, untuk jadwal shift."
)
TREND_SECTION_EXPORT = "Unduh data"
TREND_EXPORT_TABLE = "Tabel"
TREND_EXPORT_CSV = "Unduh CSV"
TREND_EXPORT_XLSX = "Unduh XLSX"
TREND_EXPORT_ALL = "Unduh semua tabel KPI (XLSX)"
TREND_EXPORT_NOTE = (
    "Nomor penelepon disamarkan di semua unduhan. Daftar laporan memuat paling banyak {limit} "
    "laporan pertama dari rentang ini (urut waktu); untuk rentang lebih besar, unduh per bulan."
)
TREND_CHART_COUNT = "Jumlah laporan"
TREND_CHART_PERIOD = "Periode"
TREND_CHART_SHARE = "Persentase (%)"
TREND_CHART_HOUR = "Jam (WIB)"
TREND_CHART_DAY = "Hari"
TREND_YES = "Ya"
TREND_NO = "Tidak"
TREND_UNKNOWN_PLACE = "(di luar kota / tidak diketahui)"
TREND_WEEKDAYS = ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu")
TREND_STAGE = {
    "forward": "Meneruskan ke OPD",
    "acknowledge": "Diterima OPD",
    "resolve": "Selesai ditangani",
}
TREND_TABLE = {
    "incidents": "Laporan terfilter",
    "volume": "Volume per jenis",
    "nuisance": "Panggilan iseng",
    "kecamatan": "Per kecamatan",
    "kelurahan": "Per kelurahan",
    "speed_all": "Kecepatan ringkas",
    "speed_opd": "Kecepatan per OPD",
    "speed_category": "Kecepatan per jenis",
    "reassign_opd": "Pengalihan per OPD",
    "reassign_category": "Pengalihan per jenis",
    "flows": "Alur pengalihan",
    "staffing": "Jam sibuk",
    "handoff": "Serah terima ke OPD",
    "handoff_weekly": "Eskalasi per minggu",
    "handoff_silence": "OPD paling sering dieskalasi",
    "cap_split": "Laporan saat peringatan dini",
}
TREND_COL = {
    "period": "Awal periode",
    "class": "Kelompok",
    "count": "Jumlah",
    "measure": "Ukuran",
    "minutes": "Menit",
    "total": "Jumlah laporan",
    "calls": "Semua panggilan",
    "prank": "Iseng (prank)",
    "ghost": "Kosong (ghost call)",
    "bukan_darurat": "Bukan darurat",
    "nuisance": "Iseng + kosong + bukan darurat",
    "nuisance_pct": "Persentase iseng (%)",
    "kecamatan": "Kecamatan",
    "kelurahan": "Kelurahan",
    "kelurahan_kode": "Kode kelurahan",
    "share_pct": "Persentase (%)",
    "opd": "OPD",
    "first_opd": "OPD pertama",
    "current_opd": "OPD saat ini",
    "category": "Jenis keadaan darurat",
    "stage": "Tahap",
    "measured": "Jumlah diukur",
    "median_min": "Median (menit)",
    "p90_min": "P90 (menit)",
    "target_min": "Target (menit)",
    "within_pct": "Dalam target (%)",
    "target_pct": "Target capaian (%)",
    "meets": "Memenuhi target",
    "forwarded": "Diteruskan",
    "reassigned": "Dialihkan",
    "reassign_pct": "Tingkat pengalihan (%)",
    "rank": "Peringkat",
    "sent_to": "Dikirim ke",
    "moved_to": "Dialihkan ke",
    "hour": "Jam (WIB)",
    "code": "Kode laporan",
    "received_wib": "Diterima 112 (WIB)",
    "priority": "Prioritas",
    "status": "Status",
    "cancel_reason": "Alasan pembatalan",
    "kondisi": "Kondisi",
    "address": "Lokasi (alamat)",
    "lat": "Lintang",
    "lon": "Bujur",
    "phone_masked": "Nomor penelepon (disamarkan)",
    "reassign_count": "Jumlah pengalihan",
    "forwarded_wib": "Diteruskan (WIB)",
    "acknowledged_wib": "Diterima OPD (WIB)",
    "resolved_wib": "Selesai (WIB)",
    "cancelled_wib": "Dibatalkan (WIB)",
    "forward_s": "Waktu meneruskan (detik)",
    "acknowledge_s": "Waktu diterima OPD (detik)",
    "resolve_min": "Waktu selesai (menit)",
    "channel": "Saluran",
    "handoffs": "Serah terima",
    "acknowledged": "Diterima OPD",
    "waiting": "Masih menunggu",
    "ack_median_min": "Median sampai diterima (menit)",
    "ack_p90_min": "P90 sampai diterima (menit)",
    "ack_within_pct": "Diterima dalam target (%)",
    "escalations": "Eskalasi",
    "escalations_per_100": "Eskalasi per 100 serah terima",
    "week": "Awal minggu",
    "escalation_level": "Eskalasi tingkat {level}",
    "cap_during": "Saat peringatan",
    "cap_outside": "Di luar peringatan",
    "cap_during_pct": "Bagian saat peringatan (%)",
}
TREND_MAP_LAYER_KELURAHAN = "Laporan per kelurahan"
TREND_MAP_LAYER_KECAMATAN = "Laporan per kecamatan (batas)"
TREND_MAP_LAYER_GRID = "Kisi kepadatan {cell_m} m"
TREND_MAP_TOOLTIP_KELURAHAN = "<b>Kel. {kelurahan}</b><br>Kec. {kecamatan}<br>{count} laporan"
TREND_MAP_TOOLTIP_KECAMATAN = "<b>Kecamatan {kecamatan}</b><br>{count} laporan"
TREND_MAP_TOOLTIP_GRID = "{count} laporan dalam kotak {cell_m} m"
TREND_MAP_LEGEND_TITLE = "Jumlah laporan"
# The hand-off section: forwarded, acknowledged, escalated.
TREND_SECTION_HANDOFF = "Serah terima ke OPD"
TREND_HANDOFF_CAPTION = (
    "Setiap kali laporan diteruskan, dialihkan, atau dibuka kembali ke sebuah OPD dihitung satu "
    "serah terima (waktu serah terima dalam rentang tanggal). Waktu sampai diterima dihitung "
    "sampai OPD itu menekan Terima; serah terima yang dialihkan lagi sebelum diterima tidak "
    "pernah diterima. Saluran: peringatan di peramban selalu, ditambah webhook / email bila "
    "OPD memilikinya. Dalam target: diterima paling lama {target} menit, dari semua serah "
    "terima."
)
TREND_HANDOFF_EMPTY = "Tidak ada serah terima ke OPD pada rentang ini."
TREND_HANDOFF_CHART_TITLE = "Waktu sampai diterima per OPD (menit)"
TREND_ESCALATION_CHART_TITLE = "Eskalasi per minggu (Senin awal minggu, WIB)"
TREND_SILENCE_TITLE = "OPD yang diamnya paling sering dieskalasi"
TREND_NO_ESCALATIONS = "Tidak ada eskalasi pada rentang ini."
TREND_CHART_MINUTES = "Menit"
TREND_CHART_MEDIAN = "Median"
TREND_CHART_P90 = "P90"
TREND_CHART_ESCALATIONS = "Jumlah eskalasi"
TREND_CHANNEL = {
    "__all__": "Semua saluran",
    "browser": "Peramban",
    "browser+webhook": "Peramban + webhook",
    "browser+email": "Peramban + email",
    "browser+webhook+email": "Peramban + webhook + email",
}
TREND_VOLUME_BY_CATEGORY = "Rincian per jenis laporan"
TREND_SPEED_CHART_TITLE = "Waktu sampai selesai per OPD (sejak diterima 112): median dan P90"
TREND_SPEED_CHART_TARGET = "Garis merah putus-putus: target penyelesaian {target} menit."
# Reports during early warnings (CAP) against the rest.
TREND_SECTION_CAP = "Laporan saat peringatan dini"
TREND_CAP_CAPTION = (
    "Laporan yang diterima selama ada peringatan dini (CAP, mis. BMKG) yang mengenai Kota "
    "Pekalongan, dibanding di luar waktu peringatan, per jenis laporan. Waktu peringatan: dari "
    "mulai berlaku sampai berakhir, atau sampai diperbarui atau dibatalkan; laporan pada "
    "peringatan yang tumpang tindih dihitung sekali."
)
TREND_CAP_NONE_DURING = "Tidak ada laporan yang diterima saat peringatan dini pada rentang ini."
TREND_CAP_ALL = "Semua jenis"


# --- Admin ----------------------------------------------------------------------------------------
# Read by: dashboard/admin.py, dashboard/audit.py, dashboard/channels.py, dashboard/intake.py,
#   pages/admin.py.
ADMIN_TITLE = "Admin"
ADMIN_TABS = ("Pengguna", "OPD dan rute", "Fasilitas", "Lapisan peta", "Layar dinding")
ADMIN_FOOTER = "Data per {at} WIB"
YES = "ya"
NO = "tidak"
APPROXIMATE_SHORT = "lokasi perkiraan"

# Admin, Pengguna tab
# Read by: dashboard/admin.py, dashboard/auth.py, dashboard/training.py, pages/admin.py.

ERR_PASSWORD_SHORT = "Kata sandi minimal {n} karakter."
ERR_ROLE = "Peran tidak dikenal: {role}."
ERR_OPD_REQUIRED = "Admin OPD harus terikat pada satu OPD."
ERR_USER_EXISTS = "Nama pengguna sudah dipakai: {username}."
ERR_USERNAME = (
    "Nama pengguna wajib diisi: huruf kecil, angka, titik, garis bawah atau tanda hubung."
)
ERR_USER_NOT_FOUND = "Pengguna tidak ditemukan."
ERR_SELF_DEACTIVATE = "Anda tidak dapat menonaktifkan akun Anda sendiri."
COL_USERNAME = "Nama pengguna"
COL_FULL_NAME = "Nama"
COL_ROLE = "Peran"
COL_ACTIVE = "Aktif"
COL_LOCKED = "Terkunci"
COL_LAST_LOGIN = "Terakhir masuk (WIB)"
LOCKED_UNTIL = "sampai {at} WIB"
USER_MANAGE_HEADING = "Kelola pengguna"
FIELD_USER = "Pengguna"
PICK_USER_PLACEHOLDER = "Pilih pengguna"
PICK_USER_FIRST = "Pilih pengguna terlebih dahulu."
BTN_UNLOCK = "Buka kunci"
BTN_DEACTIVATE = "Nonaktifkan"
BTN_ACTIVATE = "Aktifkan"
FIELD_NEW_PASSWORD = "Kata sandi baru"
BTN_RESET_PASSWORD = "Ganti kata sandi"
USER_CREATE_HEADING = "Pengguna baru"
FIELD_FULL_NAME = "Nama lengkap"
FIELD_ROLE = "Peran"
FIELD_USER_OPD = "OPD (wajib untuk Admin OPD)"
USER_OPD_PLACEHOLDER = "Pilih OPD"
BTN_CREATE_USER = "Buat pengguna"
DONE_USER_CREATED = "Pengguna {username} dibuat."
DONE_USER_SAVED = "Pengguna disimpan."
DONE_USER_UNLOCKED = "Kunci akun dibuka."
DONE_PASSWORD_RESET = "Kata sandi diganti; kunci akun (jika ada) dibuka."

# Admin, OPD dan rute tab
# Read by: dashboard/admin.py, pages/admin.py.

COL_OPD_CODE = "Kode"
COL_OPD_SHORT = "Nama singkat"
COL_OPD_NAME = "Nama OPD"
COL_PHONE_OFFICE = "Telepon kantor"
COL_OPEN_INCIDENTS = "Laporan terbuka"
COL_RULES = "Aturan rute"
OPD_FORM_HEADING = "Tambah atau ubah OPD (kode yang sudah ada akan diubah)"
FIELD_OPD_CODE = "Kode OPD"
HELP_OPD_CODE = "Huruf besar, angka atau garis bawah, misalnya BPBD."
FIELD_OPD_SHORT = "Nama singkat"
FIELD_OPD_NAME = "Nama lengkap OPD"
FIELD_OPD_PHONE = "Telepon"
FIELD_OPD_ACTIVE = "Aktif"
FIELD_OPD_DESCRIPTION = "Keterangan"
BTN_SAVE_OPD = "Simpan OPD"
DONE_OPD_SAVED = "OPD disimpan."
ERR_OPD_CODE = "Kode OPD harus 2-20 huruf besar/angka/garis bawah, diawali huruf (mis. BPBD)."
ERR_OPD_IN_RULES = (
    "OPD {code} masih dipakai {count} aturan rute: ubah aturan itu dulu sebelum menonaktifkan."
)
ROUTING_HEADING = "Aturan rute: jenis keadaan darurat ke OPD"
COL_DEFAULT_OPD = "OPD se-kota"
COL_OVERRIDES = "Pengecualian per kecamatan"
ROUTING_DEFAULT_HEADING = "OPD se-kota untuk satu jenis"
ROUTING_OVERRIDE_HEADING = "Pengecualian per kecamatan"
FIELD_CATEGORY = "Jenis keadaan darurat"
FIELD_OPD = "OPD"
FIELD_KECAMATAN = "Kecamatan"
BTN_SAVE_ROUTING = "Simpan aturan"
BTN_SAVE_OVERRIDE = "Simpan pengecualian"
BTN_REMOVE_OVERRIDE = "Hapus pengecualian"
DONE_ROUTING_SAVED = "Aturan rute disimpan; berlaku untuk laporan berikutnya."
ERR_UNKNOWN_KECAMATAN = "Kecamatan tidak dikenal: {value}."
# Field names inside the OPD form's refusals ("{field} terlalu panjang ...").
FIELD_OPD_NAME_SHORT = "Nama OPD"

# Admin, Fasilitas tab
# Read by: dashboard/admin.py, dashboard/layers.py, pages/admin.py.

FACILITY_CAPTION = (
    "Posisi bertanda lokasi perkiraan belum terverifikasi: koreksi lintang/bujurnya di sini."
)
COL_FACILITY = "Fasilitas"
COL_KIND = "Jenis"
COL_LAT = "Lintang"
COL_LON = "Bujur"
COL_APPROXIMATE = "Lokasi perkiraan"
COL_UPDATED = "Diubah (WIB) · oleh"
FACILITY_KIND = {
    "hospital": "Rumah sakit",
    "ambulance": "Pos ambulans",
    "fire": "Pos pemadam",
    "police": "Polisi",
    "bpbd": "BPBD",
    "puskesmas": "Puskesmas",
    "command": "Command Center",
}
FIELD_FACILITY = "Fasilitas"
PICK_FACILITY_PLACEHOLDER = "Pilih fasilitas untuk dikoreksi"
FIELD_LAT = "Lintang (mis. -6.8886)"
FIELD_LON = "Bujur (mis. 109.6753)"
BTN_MOVE_FACILITY = "Simpan posisi"
DONE_FACILITY_MOVED = "Posisi fasilitas disimpan; tanda lokasi perkiraan dihapus."
ERR_FACILITY_NOT_FOUND = "Fasilitas tidak ditemukan."

# Admin, Lapisan peta tab
# Read by: dashboard/admin.py, dashboard/audit.py, pages/admin.py.

LAYER_CAPTION = (
    "Ganti lapisan peta dengan berkas resmi (GeoJSON, GeoPackage, atau Shapefile dalam .zip). "
    "Berkas diperiksa dulu; bila ditolak, lapisan lama tetap dipakai."
)
LAYER = {
    "flood_zones": "Zona rawan banjir/rob",
    "kelurahan": "Batas kelurahan",
    "kecamatan": "Batas kecamatan",
    "facilities": "Fasilitas",
}
FIELD_LAYER = "Lapisan"
FIELD_LAYER_FILE = "Berkas"
BTN_IMPORT_LAYER = "Periksa dan impor"
DONE_LAYER_IMPORTED = "Lapisan {layer} diganti: {count} fitur."
ERR_NO_FILE = "Pilih berkas terlebih dahulu."
ERR_UNKNOWN_LAYER = "Lapisan tidak dikenal: {value}."
ERR_LAYER_REFUSED = "Berkas ditolak: {reason} Lapisan lama tetap dipakai."
ERR_LAYER_CONFLICT = (
    "Berkas ditolak: ada id fasilitas ganda atau kode OPD yang tidak dikenal. "
    "Lapisan lama tetap dipakai."
)
COL_LAYER = "Lapisan"
COL_SOURCE = "Sumber"
COL_FEATURES = "Fitur"
COL_IMPORTED_AT = "Diimpor (WIB)"
COL_IMPORTED_BY = "Oleh"

# Admin, Layar dinding tab: the wall's links
# Read by: dashboard/admin.py, dashboard/auth.py, pages/admin.py.

ERR_TOKEN_NOT_FOUND = "Token layar dinding tidak ditemukan atau sudah dicabut."
DISPLAY_DEFAULT_NAME = "Layar dinding"
TOKEN_SHOWN_ONCE = "Token baru dibuat. Salin alamat ini sekarang: token hanya ditampilkan sekali."
COL_TOKEN_NAME = "Nama layar"
COL_CREATED = "Dibuat (WIB)"
COL_REVOKED = "Dicabut (WIB)"
FIELD_TOKEN = "Token aktif"
BTN_REVOKE_TOKEN = "Cabut token"
FIELD_TOKEN_NAME = "Nama layar (mis. TV ruang komando)"
BTN_CREATE_TOKEN = "Buat token layar"
DONE_TOKEN_REVOKED = "Token dicabut: layar itu tidak lagi dapat membuka peta."

# Admin, Kunci API tab: keys, scopes, the request log
# Read by: dashboard/apikeys.py, dashboard/intake_api.py, pages/admin.py, web/api_routes.py.

# The scopes multi-picker when empty: never Streamlit's English "Choose options".
API_KEY_SCOPES_PLACEHOLDER = "Pilih cakupan kunci"
ERR_API_KEY_NAME = "Nama kunci API wajib diisi (maksimal 120 karakter)."
ERR_API_KEY_UNKNOWN = "Kunci API {value} tidak ditemukan."
ERR_API_KEY_REVOKED = "Kunci API {value} sudah dicabut."
API_TAB = "Kunci API"
API_TAB_CAPTION = (
    "Kunci untuk platform 112 (POST /api/v1/incidents) dan CAD tetangga (dokumen EIDO, "
    "/api/v1/eido). Hanya sidik SHA-256 kunci yang disimpan; kunci baru ditampilkan satu kali saja."
)
API_KEY_SHOWN_ONCE = (
    "Kunci API dibuat. Salin sekarang: kunci ini hanya ditampilkan SATU KALI dan tidak dapat "
    "dilihat lagi."
)
API_KEYS_HEADING = "Kunci API"
API_REQUESTS_HEADING = "50 permintaan API terakhir"
API_REQUESTS_EMPTY = "Belum ada permintaan API."
FIELD_API_KEY_NAME = "Nama sumber (mis. Platform 112 Kominfo)"
FIELD_API_KEY = "Kunci API"
BTN_CREATE_API_KEY = "Buat kunci API"
BTN_REVOKE_API_KEY = "Cabut kunci API"
API_REVOKE_CONFIRM = "Ya, cabut kunci ini (platform yang memakainya tidak dapat mengirim lagi)"
API_REVOKE_NEEDS_CONFIRM = "Centang konfirmasi dulu untuk mencabut kunci."
DONE_API_KEY_REVOKED = "Kunci API dicabut."
COL_API_PREFIX = "Awalan"
COL_API_NAME = "Nama"
COL_API_SCOPES = "Cakupan"
COL_API_CREATED = "Dibuat (WIB)"
COL_API_REVOKED = "Dicabut (WIB)"
COL_API_LAST_USED = "Terakhir dipakai (WIB)"
COL_API_AT = "Waktu (WIB)"
COL_API_METHOD = "Metode"
COL_API_PATH = "Alamat"
COL_API_STATUS = "Kode HTTP"
COL_API_RESULT = "Hasil"
COL_API_EXTERNAL_ID = "external_id"
COL_API_INCIDENT = "Laporan"
COL_API_DETAIL = "Keterangan"
COL_API_REMOTE = "Asal"
FIELD_API_KEY_SCOPES = "Cakupan kunci"
API_SCOPE = {
    "intake": "intake: mengirim laporan dan membaca statusnya",
    "eido": "eido: membaca dan mengirim dokumen EIDO",
    "eido.phone": "eido.phone: dokumen EIDO memuat nomor penelepon",
}
ERR_API_KEY_SCOPES = "Pilih cakupan kunci API yang dikenal: {known}."
API_KEY_PICK = "Pilih kunci API"
# API call log (Admin's API calls table, web/api_routes.py).
API_DETAIL_REVOKED = "kunci dicabut"
API_DETAIL_BATCH = "{count} laporan: {created} baru, {replayed} ulang"

# Admin, Jejak audit tab
# Read by: dashboard/audit.py, pages/admin.py.

AUDIT_TAB = "Jejak audit"
AUDIT_CAPTION = (
    "Setiap perubahan oleh admin: siapa, kapan, apa, dan nilai sebelum → sesudah. Kata sandi, "
    "kunci, dan token tidak pernah dicatat."
)
AUDIT_FILTER_ENTITY = "Jenis perubahan"
AUDIT_FILTER_ALL = "Semua"
AUDIT_FILTER_DATES = "Tanggal (WIB)"
AUDIT_EMPTY = "Belum ada perubahan admin pada rentang ini."
AUDIT_SHOWN = "{count} perubahan terbaru ditampilkan (paling baru di atas)."
AUDIT_ERR_ENTITY = "Jenis perubahan tidak dikenal: {value}."
AUDIT_ERR_RANGE = "Rentang tanggal terbalik: tanggal akhir harus sesudah tanggal awal."
AUDIT_COL_AT = "Waktu (WIB)"
AUDIT_COL_ACTOR = "Oleh"
AUDIT_COL_ENTITY = "Jenis"
AUDIT_COL_KEY = "Yang diubah"
AUDIT_COL_ACTION = "Tindakan"
AUDIT_COL_CHANGE = "Sebelum → sesudah"
AUDIT_CITY_WIDE = "seluruh kota"
AUDIT_ENTITY = {
    "routing_rule": "Aturan rute",
    "opd": "OPD",
    "user": "Pengguna",
    "api_key": "Kunci API",
    "setting": "Pengaturan",
    "facility": "Fasilitas",
    "layer": "Lapisan peta",
    "display_token": "Token layar dinding",
    "opd_channel": "Saluran OPD",
}
AUDIT_ACTION = {
    "CREATE": "Dibuat",
    "UPDATE": "Diubah",
    "DELETE": "Dihapus",
    "MOVE": "Dipindah",
    "IMPORT": "Diimpor",
    "ACTIVATE": "Diaktifkan",
    "DEACTIVATE": "Dinonaktifkan",
    "UNLOCK": "Dibuka kuncinya",
    "PASSWORD_RESET": "Kata sandi diatur ulang",
    "REVOKE": "Dicabut",
}
AUDIT_FIELD = {
    "opd_code": "OPD",
    "name": "Nama",
    "short_name": "Nama singkat",
    "phone": "Telepon",
    "description": "Keterangan",
    "active": "Aktif",
    "lat": "Lintang",
    "lon": "Bujur",
    "feature_count": "Jumlah fitur",
    "source": "Berkas sumber",
    "full_name": "Nama lengkap",
    "role": "Peran",
    "failed_attempts": "Gagal masuk",
    "locked_until_utc": "Terkunci sampai (WIB)",
    "revoked_at_utc": "Dicabut (WIB)",
    "value": "Nilai",
}

# Admin, Saluran & kiriman tab
# Read by: dashboard/channels.py, pages/admin.py.

ERR_CHANNEL_KIND = "Jenis saluran tidak dikenal: pilih webhook atau email."
ERR_CHANNEL_OPD = "OPD {opd} tidak ada."
ERR_CHANNEL_TARGET_EMPTY = "Alamat tujuan wajib diisi."
ERR_CHANNEL_URL = (
    "Alamat webhook harus URL http:// atau https:// dengan nama host, tanpa spasi "
    "(contoh: https://sistem.opd.go.id/siaga112)."
)
ERR_CHANNEL_EMAIL = "Alamat email tidak sah (contoh: posko@pmi-pekalongan.or.id)."
ERR_CHANNEL_NOT_FOUND = "Saluran tidak ditemukan."
CHANNELS_TAB = "Saluran & kiriman"
CHANNEL_KIND = {"webhook": "Webhook", "email": "Email"}
OUTBOX_STATUS = {"PENDING": "Menunggu", "SENT": "Terkirim", "FAILED": "Gagal"}
CHANNELS_HEADING = "Saluran pemberitahuan OPD"
CHANNELS_CAPTION = (
    "Setiap laporan yang diteruskan atau dialihkan ke OPD dikirim ke semua saluran aktifnya. "
    "Webhook ditandatangani HMAC-SHA256 (header X-Siaga-Signature); header X-Siaga-Delivery "
    "sama pada setiap kiriman ulang pesan yang sama."
)
CHANNEL_ADD_HEADING = "Tambah saluran"
FIELD_CHANNEL_OPD = "OPD"
FIELD_CHANNEL_KIND = "Jenis saluran"
FIELD_CHANNEL_TARGET = "URL webhook atau alamat email"
FIELD_CHANNEL = "Saluran"
BTN_ADD_CHANNEL = "Tambah saluran"
BTN_DEACTIVATE_CHANNEL = "Nonaktifkan saluran"
DONE_CHANNEL_ADDED = "Saluran ditambahkan."
DONE_CHANNEL_DEACTIVATED = "Saluran dinonaktifkan. Pesan yang sudah antre tetap dikirim."
CHANNEL_SECRET_ONCE = (
    "Kunci rahasia webhook (hanya ditampilkan sekali, berikan ke pengelola sistem OPD untuk "
    "memeriksa X-Siaga-Signature):"
)
NO_CHANNELS = "Belum ada saluran."
OUTBOX_HEADING = "Kiriman (outbox)"
OUTBOX_COUNTS = "Menunggu: {PENDING} · Terkirim: {SENT} · Gagal: {FAILED}"
OUTBOX_RECENT_CAPTION = "50 pesan terakhir; waktu dalam WIB."
NO_MESSAGES = "Belum ada pesan."
CHANNEL_COLUMNS = {
    "id": "ID",
    "opd_code": "OPD",
    "channel": "Jenis",
    "target": "Tujuan",
    "active": "Aktif",
    "has_secret": "Kunci rahasia",
    "created_at_utc": "Dibuat (WIB)",
}
OUTBOX_COLUMNS = {
    "id": "ID",
    "created_at_utc": "Dibuat (WIB)",
    "incident_code": "Laporan",
    "opd_code": "OPD",
    "channel": "Jenis",
    "target": "Tujuan",
    "status": "Status",
    "attempts": "Percobaan",
    "last_attempt_utc": "Percobaan terakhir (WIB)",
    "next_attempt_utc": "Percobaan berikutnya (WIB)",
    "sent_at_utc": "Terkirim (WIB)",
    "last_error": "Galat terakhir",
}
SECRET_SET = "ada"


# --- Serah terima ---------------------------------------------------------------------------------
# Read by: app.py, dashboard/training.py, pages/handover.py.
# The hand-over page (training.handover): routing rules and recent escalations of one OPD.
TRAINING_HANDOVER_ALL_KECAMATAN = "Semua kecamatan"
TRAINING_HANDOVER_RULE_COL = {"category": "Jenis", "kecamatan": "Kecamatan"}
TRAINING_HANDOVER_ESCALATION_COL = {
    "code": "Kode",
    "category": "Jenis",
    "at_wib": "Eskalasi (WIB)",
    "level": "Tingkat",
    "waited_min": "Menunggu (menit)",
    "status": "Status sekarang",
}
HANDOVER_TITLE = "Serah terima"
HANDOVER_INTRO = (
    "Untuk petugas pengganti setelah mutasi atau rotasi: laporan terbuka OPD, aturan rute, "
    "eskalasi 30 hari terakhir dan kartu SOP kategorinya. Hanya dibaca, tidak mengubah apa pun."
)
HANDOVER_PICK_OPD = "OPD"
HANDOVER_OPEN = "Laporan terbuka {opd}: {n}"
HANDOVER_NONE_OPEN = "Tidak ada laporan terbuka."
HANDOVER_RULES = "Aturan rute ke OPD ini"
HANDOVER_ESCALATIONS = "Eskalasi 30 hari terakhir"
HANDOVER_NO_ESCALATIONS = "Tidak ada eskalasi dalam 30 hari terakhir."
HANDOVER_CARDS = "Kartu SOP kategori OPD ini"


# --- Latihan: the training room's shell -----------------------------------------------------------
# Read by: app.py, pages/training_call.py, pages/training_cards.py, pages/training_opd.py,
#   pages/training_trainer.py, pages/ui.py.
TRAINING_TITLE = "Siaga 112 · Latihan"
TRAINING_PAGE_CALL = "Latihan panggilan"
TRAINING_PAGE_OPD = "Latihan OPD"
TRAINING_PAGE_CARDS = "Kartu SOP"
TRAINING_PAGE_TRAINER = "Pelatih"
TRAINING_BANNER = "LATIHAN"
TRAINING_BANNER_NOTE = (
    "· basis data latihan, bukan laporan sungguhan · tidak ada notifikasi, webhook, email atau "
    "API yang keluar dari mode ini"
)
TRAINING_LOGIN_HINT = (
    "Akun latihan (bukan akun kerja): `latih.ct1`, `latih.pmi`, `latih.bpbd`, `latih.damkar`, "
    "pelatih `pelatih`; kata sandi dari pelatih (README, bagian Latihan)."
)
TRAINING_TO_LIVE = "← Kembali ke Siaga 112 (data langsung)"
TRAINING_FROM_LIVE = "Mode Latihan untuk petugas baru →"

# Latihan: scoring and the scenario library
# Read by: dashboard/training.py, dashboard/training_library.py, pages/training_trainer.py,
#   pages/training_view.py.

# Scored steps of a drill (training_rules.CALL_STEPS, OPD_STEPS).
TRAINING_STEP = {
    "ASK_JENIS": "Tanya jenis keadaan",
    "ASK_KONDISI": "Tanya kondisi",
    "ASK_LOKASI": "Tanya lokasi",
    "ASK_NOMOR": "Tanya nomor",
    "OUTCOME": "Keputusan",
    "KONDISI": "Kondisi dicatat",
    "NOMOR": "Nomor dicatat",
    "LOCATION": "Lokasi",
    "CATEGORY": "Kategori",
    "OPD": "OPD tujuan",
    "TIME": "Waktu meneruskan",
    "ACK": "Terima laporan",
    "HANDLE": "Tangani",
    "RESOLVE": "Selesaikan",
    "KEEP": "Tetap dipegang",
    "REASSIGN": "Alihkan ke OPD yang benar",
    "NO_HANDLING": "Tidak ditangani sendiri",
}
# Why points were lost (training_rules.FEEDBACK_CODES). {expected}/{given} are category or OPD
# codes: the page puts their names in; the other fields come from StepResult.detail.
TRAINING_FEEDBACK = {
    "MISSED_ASK_JENIS": "Jenis keadaan darurat tidak ditanyakan.",
    "MISSED_ASK_KONDISI": "Kondisi (korban, orang terjebak, keadaan) tidak ditanyakan.",
    "MISSED_ASK_LOKASI": "Lokasi kejadian tidak ditanyakan.",
    "MISSED_ASK_NOMOR": "Nomor yang bisa dihubungi tidak ditanyakan.",
    "WRONG_OUTCOME_FORWARDED_PRANK": "Panggilan iseng ikut diteruskan ke OPD.",
    "PRANK_NOT_RECOGNISED": "Panggilan iseng tidak dikenali (dicatat sebagai laporan ganda).",
    "DUPLICATE_NOT_RECOGNISED": "Laporan ganda diteruskan sebagai kejadian baru.",
    "DUPLICATE_DISMISSED_AS_PRANK": "Laporan ganda ditandai iseng; kejadiannya nyata.",
    "WRONG_DUPLICATE": "Laporan ini mengulang {expected_incident}, bukan {given_incident}.",
    "DUPLICATE_OF_MISSING": "Ganda: kejadian yang diulang ({expected_incident}) belum dipilih.",
    "DISMISSED_REAL_REPORT": "Laporan nyata ditandai iseng dan tidak diteruskan.",
    "MARKED_DUPLICATE_REAL_REPORT": "Laporan baru ditandai ganda dan tidak diteruskan.",
    "NOT_FORWARDED": "Laporan tidak diteruskan.",
    "KONDISI_MISSING": "Kondisi belum ditulis (minimal {min_chars} karakter).",
    "NOMOR_MISSING": "Nomor penelepon belum dicatat.",
    "NOMOR_INVALID": "Nomor yang dicatat bukan nomor telepon yang sah.",
    "NOMOR_WRONG": "Nomor yang dicatat tidak sama dengan nomor penelepon.",
    "LOCATION_NEAR": "Lokasi meleset {m} m dari titik sebenarnya (batas {tolerance_m} m).",
    "LOCATION_FAR": "Lokasi meleset {m} m dari titik sebenarnya.",
    "NO_POINT": "Titik lokasi tidak diisi (cari tempatnya atau isi koordinat).",
    "WRONG_CATEGORY": "Kategori seharusnya {expected}, bukan {given}.",
    "CATEGORY_MISSING": "Kategori belum dipilih (seharusnya {expected}).",
    "WRONG_OPD": "OPD tujuan seharusnya {expected}, bukan {given}.",
    "OPD_MISSING": "OPD tujuan belum dipilih (seharusnya {expected}).",
    "SLOW_FORWARD": "Diteruskan setelah {s} detik; target {target_s} detik.",
    "ACK_LATE": "Laporan diterima setelah {s} detik; target {target_s} detik.",
    "ACK_MISSING": "Laporan tidak diterima (ACK).",
    "HANDLE_LATE": "Penanganan dimulai setelah {s} detik; target {target_s} detik.",
    "HANDLE_MISSING": "Laporan tidak ditandai sedang ditangani.",
    "RESOLVE_LATE": "Laporan diselesaikan setelah {s} detik; target {target_s} detik.",
    "RESOLVE_MISSING": "Laporan tidak diselesaikan.",
    "WRONG_REASSIGN": "Laporan ini tugas OPD Anda, tetapi dialihkan ke {given}.",
    "NOT_REASSIGNED": "Laporan ini bukan tugas OPD Anda dan tidak dialihkan.",
    "REASSIGN_WRONG_OPD": "Dialihkan ke {given}; seharusnya ke {expected}.",
    "REASSIGN_NO_REASON": "Alasan pengalihan terlalu singkat (minimal {min_chars} karakter).",
    "HANDLED_NOT_THEIRS": "Laporan yang bukan tugas OPD Anda sempat diterima/ditangani sendiri.",
}
# Refusals of the scenario library and the SOP cards (dashboard/training_library.py). {what}
# is TRAINING_LIB_SCENARIO / _CARD / _ITEM: which scenario or card is at fault.
TRAINING_LIB_SCENARIO = "Skenario {code}"
TRAINING_LIB_CARD = "Kartu SOP {code}"
TRAINING_LIB_ITEM = "Butir ke-{index} dari {source}"
TRAINING_LIB_EXTRA = "skenario tambahan"
TRAINING_LIB_UNREADABLE = "Berkas {file} tidak dapat dibaca sebagai teks UTF-8."
TRAINING_LIB_BAD_JSON = "Berkas {file} bukan JSON yang sah (baris {line}, kolom {column})."
TRAINING_LIB_NOT_LIST = "Berkas {file} harus berisi daftar JSON ([ ... ])."
TRAINING_LIB_NOT_OBJECT = "{what}: harus berupa objek JSON ({{ ... }})."
TRAINING_LIB_MISSING = "{what}: kolom '{field}' wajib ada."
TRAINING_LIB_UNKNOWN_FIELD = "{what}: kolom '{field}' tidak dikenal."
TRAINING_LIB_TYPE = "{what}: kolom '{field}' harus {expected}."
TRAINING_LIB_TYPE_NAME = {
    "text": "teks",
    "opt_text": "teks atau null",
    "number": "angka",
    "int": "bilangan bulat",
    "bool": "true atau false",
    "texts": "daftar teks",
    "answers": "objek pertanyaan -> jawaban (teks)",
    "incidents": "daftar objek kejadian terbuka",
}
TRAINING_LIB_EMPTY = "{what}: kolom '{field}' tidak boleh kosong."
TRAINING_LIB_CODE = "{what}: kode harus 1-40 karakter huruf, angka, '-', '_' atau '.'."
TRAINING_LIB_KIND = "{what}: kind '{value}' tidak dikenal; harus 'call' (panggilan) atau 'opd'."
TRAINING_LIB_RANGE = "{what}: {field} {value} di luar rentang {low} sampai {high}."
TRAINING_LIB_POSITIVE = "{what}: kolom '{field}' harus lebih dari 0."
TRAINING_LIB_UNKNOWN_CATEGORY = (
    "{what}: kategori '{value}' (kolom {field}) tidak ada di katalog (data/categories.csv)."
)
TRAINING_LIB_UNKNOWN_OPD = (
    "{what}: OPD '{value}' (kolom {field}) tidak ada di katalog (data/opds.csv)."
)
TRAINING_LIB_MISSING_ANSWER = "{what}: jawaban penelepon untuk pertanyaan {question} belum ada."
TRAINING_LIB_UNKNOWN_QUESTION = (
    "{what}: pertanyaan '{question}' tidak dikenal; pakai JENIS, KONDISI, LOKASI atau NOMOR."
)
TRAINING_LIB_PHONE = "{what}: caller_phone '{value}' bukan nomor telepon yang sah."
TRAINING_LIB_PHONE_NOT_IN_ANSWER = "{what}: jawaban NOMOR harus memuat caller_phone ({value})."
TRAINING_LIB_HINT = (
    "{what}: location_hint '{value}' tidak dikenal; pakai alamat, nama_lama, landmark atau laut."
)
TRAINING_LIB_DISTRACTOR = (
    "{what}: distractor '{value}' tidak dikenal; pakai PRANK, DUPLICATE, SEA atau null."
)
TRAINING_LIB_NO_TRUTH = "{what}: laporan nyata harus punya category_code dan opd_code."
TRAINING_LIB_DUPLICATE_OF = (
    "{what}: laporan ganda harus menyebut duplicate_of, salah satu kode di open_incidents."
)
TRAINING_LIB_INCIDENT_CODE = "{what}: kode kejadian '{value}' harus berbentuk 112-YYYYMMDD-NNNN."
TRAINING_LIB_NO_ASSIGNED_OPD = "{what}: latihan OPD harus menyebut assigned_opd (OPD penerima)."
TRAINING_LIB_DUPLICATE_CODE = "{what}: kode ini dipakai lebih dari sekali; kode harus unik."
TRAINING_LIB_EXTRA_EXISTS = "{what}: kode ini sudah ada di pustaka skenario; pakai kode lain."

# Latihan: services (its database, accounts, drills, read models)
# Read by: dashboard/training.py, pages/training_trainer.py.

TRAINING_ERR_LIVE_DATABASE = (
    "Basis data latihan tidak boleh sama dengan basis data layanan 112 ({url}). Atur "
    "SIAGA_TRAINING_DATABASE_URL ke basis data lain."
)
TRAINING_ERR_TRAINER_ONLY = (
    "Hanya pelatih (supervisor atau admin) yang boleh mengubah bahan latihan."
)
TRAINING_ERR_NOT_TRAINEE = "Akun {username} bukan akun aktif di basis data latihan."
TRAINING_ERR_JSON = "Teks JSON tidak dapat dibaca: {reason}."
TRAINING_ERR_SCENARIO_EXISTS = "Skenario dengan kode {code} sudah ada."
TRAINING_ERR_NO_SCENARIO = "Skenario latihan {code} tidak ditemukan."
TRAINING_ERR_WRONG_KIND = "Skenario {code} bukan latihan {kind}."
TRAINING_ERR_DRILL_ID = "Kode sesi latihan kosong atau terlalu panjang."
TRAINING_ERR_NO_ATTEMPT = "Percobaan latihan #{attempt_id} tidak ditemukan."
TRAINING_ERR_NO_OPD = "OPD {code} tidak ditemukan."
# The training accounts' names (dashboard.training.TRAINING_USERS).
TRAINING_USER_NAME = {
    "latih.ct1": "Peserta latihan 1 (petugas 112)",
    "latih.ct2": "Peserta latihan 2 (petugas 112)",
    "latih.pmi": "Peserta latihan PMI",
    "latih.bpbd": "Peserta latihan BPBD",
    "latih.damkar": "Peserta latihan Damkar",
    "pelatih": "Pelatih (supervisor)",
}
TRAINING_KIND = {"call": "Panggilan (petugas 112)", "opd": "Penanganan OPD"}
# The trainer's export (training.export_rows), one column per key.
TRAINING_EXPORT_COL = {
    "attempt_id": "No. percobaan",
    "drill_id": "Sesi latihan",
    "trainee": "Peserta",
    "trainee_name": "Nama peserta",
    "started_wib": "Mulai (WIB)",
    "submitted_wib": "Selesai (WIB)",
    "scenario_code": "Kode skenario",
    "scenario_title": "Judul skenario",
    "kind": "Jenis latihan",
    "score": "Skor",
    "max_score": "Skor maksimal",
    "percent": "Persentase (%)",
    "missed": "Langkah terlewat",
}
TRAINING_EXPORT_SHEET = "Hasil latihan"

# Latihan: pages
# Read by: pages/handover.py, pages/training_call.py, pages/training_cards.py,
#   pages/training_opd.py, pages/training_trainer.py, pages/training_view.py.

# The scenario multi-picker when empty: never Streamlit's English "Choose options".
TRAINING_PICK_SCENARIOS_PLACEHOLDER = "Pilih skenario latihan"
TRAINING_CALL_INTRO = (
    "Penelepon latihan berbicara lewat teks. Tanyakan fakta SOP (jenis keadaan darurat, kondisi, "
    "lokasi, nomor yang bisa dihubungi), isi formulir, lalu putuskan. Nilai dan masukan muncul "
    "setelah setiap skenario."
)
TRAINING_OPD_INTRO = (
    "Laporan latihan tiba di OPD. Terima, tangani dan selesaikan dalam target waktu, atau alihkan "
    "dengan alasan bila laporan itu bukan kewenangan OPD ini. Waktu dihitung sejak skenario tampil."
)
TRAINING_PICK_SCENARIOS = "Skenario latihan"
TRAINING_START = "Mulai latihan"
TRAINING_CALLER = "Penelepon"
TRAINING_YOU = "Anda"
TRAINING_QUESTION = {
    "JENIS": "Keadaan darurat apa yang terjadi?",
    "KONDISI": "Bagaimana kondisinya sekarang? Ada korban?",
    "LOKASI": "Di mana lokasinya persis?",
    "NOMOR": "Nomor berapa yang bisa kami hubungi?",
}
TRAINING_ASK = {
    "JENIS": "Tanya jenis keadaan",
    "KONDISI": "Tanya kondisi",
    "LOKASI": "Tanya lokasi",
    "NOMOR": "Tanya nomor",
}
TRAINING_OPEN_INCIDENTS = "Laporan yang sedang terbuka"
TRAINING_COL_CODE = "Kode"
TRAINING_COL_CATEGORY = "Kategori"
TRAINING_COL_PLACE = "Lokasi"
TRAINING_COL_RECEIVED = "Diterima"
TRAINING_COL_SCENARIO = "Skenario"
TRAINING_COL_POINTS = "Nilai"
TRAINING_COL_STEP = "Langkah"
TRAINING_COL_OK = "Benar"
TRAINING_COL_FEEDBACK = "Masukan"
TRAINING_FIELD_CATEGORY = "Jenis keadaan darurat (kategori)"
TRAINING_FIELD_OPD = "Teruskan ke OPD"
TRAINING_FIELD_LAT = "Lintang (lat)"
TRAINING_FIELD_LON = "Bujur (lon)"
TRAINING_FIELD_KONDISI = "Kondisi"
TRAINING_FIELD_PHONE = "Nomor yang bisa dihubungi"
TRAINING_FIELD_OUTCOME = "Keputusan"
TRAINING_FIELD_DUPLICATE = "Duplikat dari laporan"
TRAINING_FIELD_TO_OPD = "Alihkan ke OPD"
TRAINING_FIELD_REASON = "Alasan pengalihan"
TRAINING_FIELD_JSON = "Isi (JSON)"
TRAINING_PICK_NONE = "— pilih —"
TRAINING_NO_PLACE = "Tidak ada tempat yang cocok: isi koordinat bila penelepon menyebutnya."
TRAINING_OUTCOME = {
    "FORWARD": "Teruskan ke OPD",
    "PRANK": "Panggilan iseng",
    "DUPLICATE": "Duplikat laporan terbuka",
}
TRAINING_SUBMIT_FORWARD = "Teruskan laporan"
TRAINING_SUBMIT_PRANK = "Tutup sebagai panggilan iseng"
TRAINING_SUBMIT_DUPLICATE = "Tandai sebagai duplikat"
TRAINING_SCENARIO_OF = "Skenario {n} dari {total}: {title}"
TRAINING_SCORE = "Nilai {points} dari {max_points} ({percent})"
TRAINING_NEXT = "Skenario berikutnya"
TRAINING_FINISH = "Lihat ringkasan latihan"
TRAINING_DRILL_DONE = "Latihan selesai"
TRAINING_NEW_DRILL = "Latihan baru"
TRAINING_CARD_NONE = "Pilih kategori untuk melihat kartu SOP-nya."
TRAINING_CARD_TITLE = "Kartu SOP: {category}"
TRAINING_CARD_ASK = "Yang ditanyakan"
TRAINING_CARD_ROUTE = (
    "**OPD:** {opd} · **Pos:** {posts} · **Target:** diteruskan ≤ {forward_s} s, "
    "diterima OPD ≤ {ack_s} s"
)
TRAINING_CARD_MISTAKES = "Kesalahan yang sering terjadi"
TRAINING_OPD_ARRIVED = "Laporan masuk ke {opd} (Anda admin OPD ini dalam latihan)."
TRAINING_AT_SEA = "Laut"
TRAINING_OPD_TARGETS = (
    "Target: diterima ≤ {ack_s} s, ditangani ≤ {handle_s} s, selesai ≤ {resolve_s} s sejak tampil."
)
TRAINING_OPD_DONE = "Yang sudah Anda lakukan"
TRAINING_ACTION = {
    "ACK": "Terima",
    "HANDLE": "Tangani",
    "RESOLVE": "Selesai",
    "REASSIGN": "Alihkan",
}
TRAINING_REASSIGN_TITLE = "Bukan kewenangan OPD ini? Alihkan"
TRAINING_END_SCENARIO = "Akhiri skenario"
TRAINING_CARDS_INTRO = (
    "Kartu SOP per kategori: pertanyaan, OPD dan pos, target waktu, kesalahan yang sering terjadi. "
    "Isinya dari data/latihan/sop_cards.json; perubahan pelatih disimpan di basis data latihan."
)
TRAINING_EDIT_TITLE = "Ubah bahan latihan (pelatih)"
TRAINING_EDIT_CARD = "Ubah kartu SOP"
TRAINING_ADD_SCENARIO = "Tambah skenario"
TRAINING_EDIT_CARD_HINT = "Ubah teks JSON kartu ini lalu simpan; kartu lama diganti."
TRAINING_ADD_SCENARIO_HINT = (
    "Contoh di bawah adalah skenario yang ada: ganti kodenya (mis. LAT-101) dan isinya, "
    "lalu simpan."
)
TRAINING_SAVE_CARD = "Simpan kartu"
TRAINING_SAVE_SCENARIO = "Simpan skenario"
TRAINING_CARD_SAVED = "Kartu SOP {category} disimpan."
TRAINING_SCENARIO_SAVED = "Skenario {code} ditambahkan."
TRAINING_NO_ATTEMPTS = "Belum ada latihan yang dikerjakan."
TRAINING_SCORES_TITLE = "Nilai per peserta"
TRAINING_MISSED_TITLE = "Langkah SOP yang paling sering terlewat"
TRAINING_EXPORT_CSV = "Unduh CSV"
TRAINING_EXPORT_XLSX = "Unduh XLSX"
TRAINING_EXPORT_FILE = "latihan-nilai"
TRAINING_COL_ATTEMPTS = "Dikerjakan"
TRAINING_COL_TRAINEE = "Peserta"
TRAINING_COL_WHEN = "Waktu"
TRAINING_COL_PERCENT = "Persen"
TRAINING_COL_MISSED = "Terlewat"
TRAINING_COL_SHARE = "Bagian terlewat"
TRAINING_CHART_Y = "Nilai (%)"
TRAINING_CHART_X = "Waktu latihan (WIB)"
TRAINING_PICK_ATTEMPT = "Lihat satu latihan"
TRAINING_MISSED_ALL = "Semua peserta"
TRAINING_MISSED_PER_TRAINEE = "Per peserta"
TRAINING_ADD_TRAINEE = "Tambah akun peserta latihan (petugas baru atau pengganti)"
TRAINING_FIELD_FULL_NAME = "Nama lengkap"
TRAINING_FIELD_ROLE = "Peran"
TRAINING_FIELD_OPD_ACCOUNT = "OPD (untuk admin OPD)"
TRAINING_SAVE_TRAINEE = "Simpan akun latihan"
TRAINING_TRAINEE_SAVED = (
    "Akun latihan {username} dibuat: masuk lewat /latihan dengan kata sandinya."
)
TRAINING_RESUMED = (
    "Latihan yang belum selesai dilanjutkan di sini; waktu skenario tetap dihitung sejak awal."
)
TRAINING_ABANDON = "Batalkan latihan"


# --- Command line (python -m dashboard ...), backup and restore, the worker -----------------------
# Read by: dashboard/backup.py, dashboard/cli.py, dashboard/worker.py.
ERR_BACKUP_SOURCE = "Basis data sumber tidak ditemukan: {path}."
ERR_BACKUP_FILE = "Berkas cadangan tidak dapat dibaca sebagai cadangan Siaga 112: {path}."
ERR_BACKUP_TOOL = (
    "Program {tool} tidak ditemukan. Pasang klien PostgreSQL (paket postgresql-client)."
)
ERR_BACKUP_FAILED = "{tool} gagal: {reason}"
ERR_RESTORE_NOT_EMPTY = (
    "Basis data tujuan tidak kosong ({count} laporan, {users} pengguna). Pemulihan akan "
    "menimpa semua isinya; ulangi dengan --force bila memang itu yang dimaksud."
)
DONE_BACKUP = "Cadangan dibuat: {path} ({size_kb:.0f} KB)."
DONE_RESTORE = "Basis data dipulihkan dari {path}: {count} laporan."
CLI_ACTOR_NAME = "Baris perintah"
CLI_DEFAULT_DISPLAY_NAME = "Layar ruang komando"
CLI_REFUSED = "DITOLAK: {error}"
CLI_FAILED = "GAGAL: {error}"
CLI_NOTHING_CHANGED = "Tidak ada data yang diubah."
CLI_DB_READY = "Basis data siap."
CLI_DEMO_SEEDED = "{count} laporan demo ditambahkan."
CLI_SIMULATING = "Simulasi berjalan: {rate} laporan/menit. Hentikan dengan Ctrl+C."
CLI_SIMULATED = "{count} laporan simulasi dibuat."
CLI_IMPORTED = "{inserted} laporan diimpor, {skipped} sudah ada (dilewati)."
CLI_LAYER_KEPT = "Lapisan lama tetap dipakai."
CLI_LAYER_REPLACED = "Lapisan {layer} diganti: {count} fitur."
CLI_PASSWORD = "Kata sandi: "
CLI_PASSWORD_AGAIN = "Ulangi kata sandi: "
CLI_PASSWORD_MISMATCH = "Kata sandi tidak sama."
CLI_USER_CREATED = "Pengguna {username} ({role}) dibuat."
CLI_TOKEN_ONCE = "Token (simpan, hanya ditampilkan sekali):"
CLI_TOKEN_URL = "Buka: http://<server>:8501/layar?token={token}"
CLI_KEY_CREATED = "Kunci API {key_id} dibuat (simpan, hanya ditampilkan sekali):"
CLI_KEY_HEADER = "Kirim sebagai header: Authorization: Bearer <kunci>"
CLI_KEY_REVOKED = "Kunci API {key_id} dicabut."
CLI_NO_KEYS = "Belum ada kunci API."
CLI_KEY_REVOKED_AT = "dicabut {when}"
CLI_KEY_ACTIVE = "aktif"
CLI_KEY_LINE = (
    "{id:>4}  {prefix}…  {name}  [{scopes}]  dibuat {created}  {revoked}  terakhir dipakai {used}"
)
WORKER_RUNNING = "Pekerja {worker_id} berjalan. Hentikan dengan Ctrl+C."


# --- Importing reports from a file, and the API's body checks -------------------------------------
# Read by: dashboard/cli.py, dashboard/importer.py, dashboard/intake_api.py.
ERR_DATETIME = (
    "Waktu tidak sah: {value}. Gunakan format ISO 8601, misalnya 2026-11-28T08:15:00+07:00."
)
ERR_IMPORT_ROW = "Baris {line}: {reason}"
ERR_IMPORT_FILE = "Berkas tidak dapat dibaca: {reason}"
ERR_IMPORT_COLUMNS = "Kolom wajib tidak ada: {columns}."
ERR_IMPORT_FORMAT = "Format berkas tidak didukung: {suffix}. Gunakan .json atau .csv."
ERR_IMPORT_DUPLICATE_ID = "external_id {value} muncul lebih dari sekali dalam berkas."
ERR_IMPORT_VALUE_TYPE = "Kolom {column} harus berupa teks atau angka, bukan daftar atau objek."
# Why an import file or request body is refused (the {reason} of ERR_IMPORT_FILE and the API).
REASON_NO_SUFFIX = "(tanpa akhiran)"
REASON_JSON_AT_LINE = "JSON rusak di baris {line}"
REASON_JSON_AT = "rusak di baris {line} kolom {column}"
REASON_JSON_BROKEN = "JSON rusak"
REASON_JSON_NOT_LIST = "JSON harus berupa daftar objek"
REASON_EXTRA_COLUMNS = "kolom berlebih"
REASON_FILE_EMPTY = "berkas tidak berisi data"
REASON_TOO_MANY_ROWS = "lebih dari {limit} baris"
REASON_NOT_UTF8 = "bukan teks UTF-8"


# --- Intake API for the 112 platform --------------------------------------------------------------
# Read by: dashboard/eido.py, dashboard/intake_api.py, web/api_routes.py, web/openapi.py.
ERR_API_KEY = "Kunci API tidak ada, tidak dikenal, atau sudah dicabut."
ERR_API_SCOPE = "Kunci API ini tidak berwenang mengirim laporan (cakupan 'intake')."
ERR_API_TOO_LARGE = "Isi permintaan terlalu besar (maksimal {limit} KiB)."
ERR_API_JSON = "Isi permintaan bukan JSON yang sah: {reason}."
ERR_API_SHAPE = "Isi permintaan harus berupa satu objek laporan atau daftar objek laporan."
ERR_API_EMPTY = "Daftar laporan kosong."
ERR_API_BATCH = "Terlalu banyak laporan dalam satu kiriman (maksimal {limit})."
ERR_API_ITEM = "Laporan indeks {index}: {reason}"
ERR_API_DUPLICATE_ID = "external_id {value} muncul lebih dari sekali dalam kiriman."
ERR_API_CONFLICT = (
    "external_id {value} sudah diterima dengan isi yang berbeda (laporan {code}); "
    "kirim ulang dengan isi yang sama, atau gunakan external_id baru."
)
ERR_API_RATE = (
    "Terlalu banyak permintaan: batas {limit} per menit untuk kunci ini. "
    "Coba lagi {retry} detik lagi."
)
ERR_API_NOT_FOUND = "Laporan {code} tidak ditemukan."
ERR_API_ROUTE = "Alamat API tidak dikenal."
ERR_API_METHOD = "Metode HTTP ini tidak tersedia di alamat API ini."
ERR_API_INTERNAL = "Terjadi kesalahan di server; laporan tidak disimpan. Coba lagi."
ERR_API_DATABASE = "Basis data sedang tidak dapat dihubungi. Coba lagi sebentar lagi."
# The OpenAPI document's title (/api/docs).
OPENAPI_TITLE = "Siaga 112 Kota Pekalongan: API penerimaan laporan"

# EIDO documents: API routes and commands
# Read by: dashboard/cli.py, dashboard/eido.py, web/api_routes.py.

ERR_EIDO_TOO_LARGE = "Dokumen EIDO terlalu besar (maksimal {limit} KiB)."
ERR_EIDO_JSON = "Dokumen EIDO bukan JSON yang sah: {reason}."
ERR_EIDO_SHAPE = "Dokumen EIDO harus berupa satu objek JSON."
ERR_EIDO_FILE_SHAPE = "Berkas EIDO harus berisi satu dokumen (objek JSON) atau daftar dokumen."
ERR_EIDO_MISSING = "Dokumen EIDO tidak lengkap: bagian {part} tidak ada."
ERR_EIDO_INVALID = "Dokumen EIDO tidak sah di {part}: {reason}."
ERR_EIDO_PART = "Dokumen EIDO, {part}: {reason}"
ERR_EIDO_CONFLICT = (
    "Dokumen EIDO {eido_id} sudah diterima dengan isi lain (laporan {code}); dokumen lain harus "
    "memakai $id lain."
)
ERR_EIDO_OWN = (
    "Dokumen EIDO {eido_id} adalah laporan {code} milik Siaga 112 ini sendiri; tidak diimpor lagi."
)
ERR_EIDO_SCOPE = "Kunci API ini tidak berwenang untuk dokumen EIDO (cakupan '{scope}')."
ERR_EIDO_EXPORT_LIMIT = (
    "Terlalu banyak laporan untuk satu ekspor EIDO (lebih dari {limit}); pilih tanggal --since "
    "yang lebih baru."
)
ERR_EIDO_SINCE = "Tanggal tidak sah: {value}. Gunakan format YYYY-MM-DD, misalnya 2026-03-01."
EIDO_REASON_TYPE = "harus berupa {type}"
EIDO_TYPE_NAMES = {
    "object": "objek",
    "array": "daftar",
    "string": "teks",
    "number": "angka",
    "integer": "bilangan bulat",
    "boolean": "true atau false",
    "null": "null",
}
EIDO_REASON_TOO_LONG = "terlalu panjang (maksimal {limit} karakter)"
EIDO_REASON_EMPTY = "tidak boleh kosong"
EIDO_REASON_TOO_MANY = "terlalu banyak unsur (maksimal {limit})"
EIDO_REASON_TOO_FEW = "harus berisi paling sedikit {limit} unsur"
EIDO_REASON_VALUE = "nilai tidak dikenal: {value}"
EIDO_REASON_RANGE = "angka di luar batas"
EIDO_REASON_TIME = "bukan waktu RFC 3339 dengan zona waktu, misalnya 2026-03-10T09:58:00+07:00"
EIDO_REASON_EXTRA = "berisi anggota yang tidak dikenal: {names}"
EIDO_REASON_RULE = "tidak sesuai skema EIDO ({rule})"
EIDO_REASON_REFERENCE = "merujuk {ref}, yang tidak ada dalam dokumen"
EIDO_REASON_DUPLICATE_ID = "$id {value} dipakai lebih dari satu bagian"
EIDO_REASON_NO_PHONE = "tidak berisi nomor telepon (tel:)"
EIDO_REASON_XML = "PIDF-LO bukan XML yang sah"
EIDO_REASON_XML_FORBIDDEN = "PIDF-LO memuat DTD atau entitas, yang ditolak"
EIDO_REASON_NO_POINT = "PIDF-LO tidak memuat titik (gml:pos lintang bujur)"
EIDO_REASON_NO_ADDRESS = "PIDF-LO tidak memuat alamat (civicAddress)"
EIDO_REASON_HISTORY_START = "riwayat harus diawali pencatatan laporan (status Baru)"
EIDO_REASON_HISTORY_ORDER = (
    "status riwayat tidak runtut: dari {status} menurut dokumen, {actual} menurut riwayat"
)
EIDO_REASON_HISTORY_END = "status laporan {status} tidak sama dengan akhir riwayatnya ({actual})"
EIDO_REASON_UNKNOWN_ACTION = "jenis kejadian riwayat tidak dikenal: {value}"
EIDO_IMPORT_REASON = "Dokumen EIDO {eido_id} dari {issuer}"
EIDO_FALLBACK_NOTE = "Jenis asal {value} tidak dikenal; dicatat sebagai {category}."
EIDO_FOREIGN_NOTE = "Catatan {source} ({at} WIB): {text}"
EIDO_CLI_WRITTEN = "{count} dokumen EIDO ditulis ke {path}."
EIDO_CLI_NONE = "Tidak ada laporan yang diterima sejak {since}."
EIDO_CLI_CREATED = "Dokumen EIDO {eido_id}: laporan {code} dibuat ({status})."
EIDO_CLI_REPLAYED = "Dokumen EIDO {eido_id}: sudah diimpor sebagai laporan {code}; tidak diubah."
EIDO_CLI_STOPPED = "Dokumen ke-{index} ditolak; dokumen sesudahnya tidak diimpor."
EIDO_PART_PHONE = "callbackComponent (nomor yang bisa dihubungi)"
EIDO_PART_KONDISI = "incidentComponent.notesReference (kondisi)"

# CAP warnings: import and polling
# Read by: dashboard/cap.py, dashboard/cli.py.

ERR_CAP_TOO_LARGE = "Dokumen {source} lebih dari {limit_mib} MiB: ditolak tanpa dibaca seluruhnya."
ERR_CAP_MALFORMED = "Dokumen {source} bukan XML yang benar (baris {line}, kolom {column})."
ERR_CAP_ENTITIES = (
    "Dokumen {source} memuat deklarasi entitas XML (<!ENTITY>): ditolak, karena bisa meledak "
    "menjadi gigabita (billion laughs) atau membaca berkas lain (XXE)."
)
ERR_CAP_EXTERNAL = (
    "Dokumen {source} merujuk DTD atau entitas eksternal: ditolak (XXE); tidak ada yang dibaca "
    "dari luar."
)
ERR_CAP_NOT_CAP = (
    "Dokumen {source} bukan CAP 1.2: elemen akarnya <{tag}>, seharusnya <alert> dengan "
    "namespace urn:oasis:names:tc:emergency:cap:1.2."
)
ERR_CAP_NOT_CAP_OR_INDEX = (
    "Dokumen {source} bukan CAP 1.2 dan bukan indeks RSS/Atom: elemen akarnya <{tag}>."
)
ERR_CAP_MISSING = "CAP {identifier}: elemen wajib <{element}> tidak ada atau kosong."
ERR_CAP_TOO_LONG = "CAP {identifier}: <{element}> lebih dari {limit} karakter."
ERR_CAP_MSG_TYPE = (
    'CAP {identifier}: msgType "{value}" tidak didukung; hanya Alert, Update atau Cancel.'
)
ERR_CAP_BAD_VALUE = 'CAP {identifier}: <{element}> "{value}" bukan nilai CAP 1.2 ({allowed}).'
ERR_CAP_BAD_TIME = (
    'CAP {identifier}: <{element}> "{value}" bukan waktu CAP dengan zona waktu '
    "(contoh 2026-02-16T22:00:00+07:00)."
)
ERR_CAP_NO_POLYGON = (
    "CAP {identifier}: tidak ada <polygon> di <area> mana pun; tanpa poligon wilayah "
    "peringatan tidak dapat digambar di peta."
)
ERR_CAP_BAD_POLYGON = "CAP {identifier}: <area> ke-{area}, <polygon> ke-{polygon} {reason}"
ERR_CAP_NO_REFERENCES = (
    "CAP {identifier}: msgType {msg_type} tanpa <references>: tidak jelas peringatan mana "
    "yang diganti."
)
ERR_CAP_BAD_REFERENCE = (
    'CAP {identifier}: <references> berisi "{value}", bukan "pengirim,identifier,waktu".'
)
ERR_CAP_CONFLICT = (
    "CAP {identifier} sudah tersimpan dengan isi lain: dokumen berbeda dengan identifier yang "
    "sama ditolak."
)
ERR_CAP_SCHEME = "Alamat {source} ditolak: hanya http:// atau https://, atau berkas lokal."
ERR_CAP_FILE_MISSING = "Berkas {source} tidak ditemukan."
ERR_CAP_UNREACHABLE = "Sumber CAP {source} tidak dapat diambil: {reason}."
CAP_FETCH_REASON_HTTP = "server menjawab HTTP {status}"
CAP_FETCH_REASON_TIMEOUT = "tidak ada jawaban dalam {timeout_s} detik"
CAP_FETCH_REASON_NETWORK = "tidak dapat terhubung"
CAP_FETCH_ITEMS_REFUSED = "{refused} dari {total} peringatan ditolak; yang pertama: {first}"
CAP_IMPORT_TOUCH = {
    "polygon": "mengenai Kota Pekalongan (poligonnya)",
    "name": "mengenai Kota Pekalongan (menyebut {places})",
    "none": "tidak mengenai Kota Pekalongan",
}
CAP_IMPORT_STORED = "Disimpan: {identifier} ({msg_type}, {event}), {touch}."
CAP_IMPORT_ALREADY = "Sudah ada: {identifier} (isi sama, tidak diubah)."
CAP_IMPORT_SUPERSEDES = "  menggantikan: {identifiers}"
CAP_IMPORT_UNKNOWN_REFS = "  rujukan yang belum tersimpan: {identifiers}"
CAP_IMPORT_REFUSED = "Ditolak: {location}: {message}"
CAP_IMPORT_SUMMARY = "{stored} disimpan, {already} sudah ada, {refused} ditolak."
CAP_UNNAMED = "(tanpa identifier)"
ERR_CAP_INDEX_TOO_MANY = "Indeks {source} berisi {count} tautan CAP, lebih dari {limit}: ditolak."
CAP_IMPORT_NOTHING_STORED = "Tidak ada peringatan yang disimpan atau diubah."
ERR_CAP_BAD_ID = "CAP {identifier}: <{element}> berisi spasi atau koma, yang dilarang CAP 1.2."


# --- Email to an OPD's mailbox --------------------------------------------------------------------
# Read by: dashboard/delivery.py.
EMAIL_SUBJECT = "[Siaga 112] Laporan {code} untuk {opd}: {category} — {kelurahan}"
EMAIL_INTRO = {
    "FORWARD": "Laporan Call Center 112 Kota Pekalongan diteruskan ke {opd}.",
    "REASSIGN": "Laporan Call Center 112 Kota Pekalongan dialihkan ke {opd}.",
    "REOPEN": "Laporan Call Center 112 Kota Pekalongan dibuka kembali untuk {opd}.",
}
EMAIL_FIELD_CODE = "Kode laporan"
EMAIL_FIELD_STATUS = "Status"
EMAIL_FIELD_CATEGORY = "Jenis keadaan darurat"
EMAIL_FIELD_PRIORITY = "Prioritas"
EMAIL_FIELD_KONDISI = "Kondisi"
EMAIL_FIELD_ADDRESS = "Lokasi"
EMAIL_FIELD_AREA = "Kelurahan, kecamatan"
EMAIL_FIELD_COORDS = "Koordinat (lintang; bujur)"
EMAIL_FIELD_RECEIVED = "Waktu laporan"
EMAIL_FIELD_PHONE = "Nomor yang bisa dihubungi"
EMAIL_PHONE_NOTE = "(nomor lengkap di Siaga 112)"
EMAIL_NO_PLACE = "lokasi belum diketahui"
EMAIL_ACTION_HINT = "Konfirmasi penerimaan di Siaga 112, halaman Penugasan."
EMAIL_FOOTER = "Pesan otomatis Siaga 112 Kota Pekalongan; jangan dibalas."


# --- Shared refusals of the incident services and the names they cite -----------------------------
# Raised by dashboard/domain.py, dashboard/incidents.py, dashboard/catalogue.py and the services
#   that check an incident's input; any page that writes shows them.
# Shown with st.error: the service layer raises them, pages only display.
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
ERR_FUTURE = "Waktu laporan berada di masa depan: {value}."
FIELD_MAP_POINT = "titik lokasi di peta"
LOCATION_NOT_GIVEN = "Lokasi tidak disebutkan penelepon"
ERR_CANCEL_REASON_REQUIRED = (
    "Pilih alasan pembatalan (iseng, panggilan kosong, ganda, bukan darurat)."
)
ERR_STATUS_TARGET = "Status tujuan tidak dapat dipilih di sini: {value}."
ERR_TIME_RANGE = (
    "Waktu laporan tidak masuk akal: {value}. Waktu harus setelah 1 Januari 2000 dan tidak di "
    "masa depan."
)
# Field names inside the incident services' refusals ("{field} terlalu panjang ...",
# "Kolom wajib ...: {fields}").
FIELD_RESOLUTION = "Catatan penyelesaian"
FIELD_REASSIGN_REASON_NAME = "Alasan pengalihan"
FIELD_REASON = "Alasan"
REQUIRED_CATEGORY = "jenis keadaan darurat"
REQUIRED_KONDISI = "kondisi"
REQUIRED_ADDRESS = "lokasi"
REQUIRED_PHONE = "nomor yang bisa dihubungi"
# The action named in ERR_PERMISSION ("... tindakan ini ({action}).").
ACTION_INCIDENT_DETAIL = "detail laporan"
ACTION_FIND = "cari laporan"
