"""Every Indonesian text a user reads is in dashboard/labels.py, read from all modules' strings.

The scanner reads each module's string literals (docstrings aside) and flags the ones that look
like Indonesian prose: a word from a small Indonesian vocabulary in a text with a space, or a
capitalised Indonesian word on its own ("Beranda"). Lower-case single words are codes ("baru",
"beranda" as a URL path) and stay. Text that is not shown to users is marked where it is written:
a whole module in NOT_UI_MODULES (with the reason), or one literal with a `# not-ui: <reason>`
comment on its line or on a comment line just above it.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SCANNED = ("dashboard", "geo", "mapview", "pages", "web", "app.py")
LABELS = "dashboard/labels.py"
LINE_MARKER = "# not-ui:"

# Modules whose Indonesian literals are not UI text, each with the reason a reader can check.
NOT_UI_MODULES = {
    # geo is a library below dashboard and never imports it (tests/unit/test_layers_direction.py):
    # this is geo's one message table, the text its errors carry up to the pages.
    "geo/messages.py": "geo's own message table (geo may not import dashboard.labels)",
    "geo/derive_flood_zones.py": "provenance notes written into data/ files, not shown as UI",
    "geo/derive_places.py": "provenance notes written into data/ files, not shown as UI",
    "geo/derive_sea_area.py": "provenance notes written into data/ files, not shown as UI",
    "dashboard/demo.py": "demo reports' content (what a caller said), stored as data",
}
# Modules owned by another change that still hold UI text; remove each entry once it is moved.
PENDING_MODULES: dict[str, str] = {}

# A small vocabulary: function words and the nouns and verbs of this app's screens. English and
# code words that are spelt the same ("data", "status", "admin") are left out on purpose, and
# so are "kota" ("Kota Pekalongan" is a place's name in data: EIDO, CAP areas) and "kondisi" (a
# column and JSON field name that English help texts mention).
_VOCABULARY = """
    yang tidak dan dari untuk belum sudah dengan atau ke di pada oleh ini itu akan bisa dapat
    harus bukan ada tanpa sebagai juga lebih masih sedang telah setelah sebelum karena jika agar
    hanya semua satu dua tiga baru lama berisi berupa perlu mohon silakan sekali kurang antara
    laporan petugas lokasi kata sandi nama pengguna baris kolom berkas pilih simpan tutup masuk
    keluar halaman peta jalan kejadian waktu menit detik hari minggu bulan tahun beranda penugasan
    cari tren layar dinding langsung kirim hapus ubah tambah batal kembali lanjut terima tolak
    selesai ditutup diteruskan kelurahan kecamatan warga korban rumah sakit kunci ulangi
    sama dibuat diimpor dilewati ditambahkan simulasi hentikan berjalan perintah singkat rusak
    daftar objek teks nomor dihubungi penerimaan koordinat lintang bujur jenis fasilitas dikenal
    telepon alasan pengalihan siap basis pekerja diganti fitur dicabut aktif buka
    kosong isi serah lapisan wilayah penanganan perkiraan titik alamat sumber turunan
    ditampilkan diubah dibaca ditemukan berhasil gagal tersedia wajib keterangan catatan
"""
INDONESIAN_WORDS = frozenset(_VOCABULARY.split())
_WORD = re.compile(r"[A-Za-z]+")
_TAG = re.compile(r"<[^>]*>")


def ui_text_offenders(source: str, path: str) -> list[str]:
    """'path:line: text' for each literal in the source that looks like Indonesian UI text."""
    tree = ast.parse(source)
    lines = source.splitlines()
    docstrings = _docstrings(tree)
    found = []
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Constant) and isinstance(node.value, str)):
            continue
        if id(node) in docstrings or not _looks_indonesian(node.value):
            continue
        own_lines = lines[node.lineno - 1 : (node.end_lineno or node.lineno)]
        above = lines[node.lineno - 2].strip() if node.lineno > 1 else ""
        if any(LINE_MARKER in line for line in own_lines) or above.startswith(LINE_MARKER):
            continue
        found.append(f"{path}:{node.lineno}: {node.value.strip()[:60]}")
    return found


def tree_offenders(root: Path = REPO) -> list[str]:
    """Offenders in every scanned module of the tree, exempt modules aside."""
    found = []
    for path in _scanned_files(root):
        name = path.relative_to(root).as_posix()
        if name == LABELS or name in NOT_UI_MODULES or name in PENDING_MODULES:
            continue
        found.extend(ui_text_offenders(path.read_text(encoding="utf-8"), name))
    return found


def test_no_module_outside_labels_holds_indonesian_ui_text():
    offenders = tree_offenders()
    assert offenders == [], "move these into dashboard/labels.py:\n" + "\n".join(offenders)


def test_a_button_label_written_in_a_page_is_found_with_its_line():
    source = (
        "import streamlit as st\n"
        "from dashboard import labels\n"
        "\n"
        "st.button(labels.BTN_SAVE)\n"
        'st.button("Simpan laporan", key="save")\n'
    )
    assert ui_text_offenders(source, "pages/intake.py") == ["pages/intake.py:5: Simpan laporan"]


def test_a_page_title_written_as_one_capitalised_word_is_found():
    source = 'PAGES = {"home": ("pages/home.py", "Beranda", "beranda")}\n'
    assert ui_text_offenders(source, "app.py") == ["app.py:1: Beranda"]


def test_codes_keys_docstrings_and_english_text_are_not_ui_text():
    source = (
        '"""Laporan baru: the module docstring may say what the page is called."""\n'
        "STATUS = 'baru'\n"
        "URL = 'laporan-baru'\n"
        "SQL = 'SELECT id FROM incidents WHERE status = :status'\n"
        "def f():\n"
        '    """Isi laporan, in a docstring."""\n'
        '    raise ValueError("no such incident")\n'
    )
    assert ui_text_offenders(source, "dashboard/x.py") == []


def test_text_marked_as_not_shown_to_users_on_its_line_is_allowed():
    source = (
        'LOG = "laporan diimpor"  # not-ui: a log line for the operator\n'
        'TITLE = "laporan diimpor"\n'
        "# not-ui: the seed's display name, stored as data\n"
        'NAME = "Layar demo ruang komando"\n'
    )
    assert ui_text_offenders(source, "dashboard/x.py") == ["dashboard/x.py:2: laporan diimpor"]


def test_every_exempt_module_exists_and_says_why():
    for name, reason in {**NOT_UI_MODULES, **PENDING_MODULES}.items():
        assert (REPO / name).is_file(), name
        assert len(reason) > 10, name


def test_text_pieces_inside_an_f_string_are_scanned_too():
    source = 'def done(n):\n    return f"{n} laporan diimpor"\n'
    assert ui_text_offenders(source, "dashboard/cli.py") == ["dashboard/cli.py:2: laporan diimpor"]


def _docstrings(tree: ast.AST) -> set[int]:
    found = set()
    for node in ast.walk(tree):
        kinds = (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)
        if isinstance(node, kinds) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                found.add(id(first.value))
    return found


def _looks_indonesian(text: str) -> bool:
    # An upper-case word is a code ("BARU" in SQL, "NOMOR" as a form slot), not prose.
    # Inside HTML tags are class names ("siaga-st-diteruskan"): only the text between counts.
    text = _TAG.sub(" ", text)
    words = [word.lower() for word in _WORD.findall(text) if not word.isupper()]
    if not any(word in INDONESIAN_WORDS for word in words):
        return False
    stripped = text.strip()
    if " " in stripped:
        return True
    # One word: a capitalised one is a title or a button; a lower-case one is a code.
    return stripped[:1].isupper() and stripped.isalpha()


def _scanned_files(root: Path) -> list[Path]:
    files = []
    for entry in SCANNED:
        target = root / entry
        if target.is_file():
            files.append(target)
        else:
            files.extend(p for p in target.rglob("*.py") if "migrations" not in p.parts)
    return sorted(files)
