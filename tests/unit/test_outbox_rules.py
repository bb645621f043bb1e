"""Outbox rules without a database: retry schedule, signature, channel targets, the email text."""

from __future__ import annotations

import hashlib
import hmac

import pytest

from dashboard import channels, delivery
from dashboard.errors import InvalidInput

PAYLOAD = {
    "action": "REASSIGN",
    "opd": "PMI",
    "incident": {
        "code": "112-20261201-0042",
        "status": "DITERUSKAN",
        "category": "BANJIR",
        "priority": 2,
        "kondisi": "Air masuk rumah setinggi lutut",
        "address": "Jl. Pelita No. 3",
        "kelurahan": "Panjang Wetan",
        "kecamatan": "Pekalongan Utara",
        "lat": -6.879,
        "lon": 109.689,
        "received_at_utc": "2026-12-01T03:00:00Z",
        "caller_phone": "081234567890",
        "caller_phone_masked": "0812******90",
    },
}


def test_retries_wait_10_30_90_seconds_and_so_on_up_to_15_minutes_plus_at_most_10_percent():
    policy = delivery.Policy()
    low = [policy.retry_delay_s(n, rand=lambda: 0.0) for n in range(1, 9)]
    high = [policy.retry_delay_s(n, rand=lambda: 1.0) for n in range(1, 9)]
    assert low == [10, 30, 90, 270, 810, 900, 900, 900]
    assert high == pytest.approx([11, 33, 99, 297, 891, 900, 900, 900])
    assert policy.max_attempts == 8 and policy.lease_s == 60


def test_the_schedule_can_be_shortened_by_environment_and_junk_keeps_the_default():
    env = {"SIAGA_OUTBOX_RETRY_BASE_S": "0.5", "SIAGA_OUTBOX_MAX_ATTEMPTS": "3"}
    assert delivery.Policy.from_env(env) == delivery.Policy(retry_base_s=0.5, max_attempts=3)
    junk = {"SIAGA_OUTBOX_LEASE_S": "lama", "SIAGA_OUTBOX_RETRY_CAP_S": "-4"}
    assert delivery.Policy.from_env(junk) == delivery.Policy()


def test_the_signature_is_hmac_sha256_over_timestamp_dot_body():
    body = b'{"a": 1}'
    expected = hmac.new(b"rahasia", b"1764558000." + body, hashlib.sha256).hexdigest()
    assert delivery.signature("rahasia", "1764558000", body) == f"sha256={expected}"


def test_a_resend_has_the_same_message_id_as_the_first_send():
    key = "event:7:channel:3"
    first = delivery.message_id(key, "siaga112@pekalongankota.go.id")
    assert first == "<siaga112.event.7.channel.3@pekalongankota.go.id>"
    assert delivery.message_id(key, "siaga112@pekalongankota.go.id") == first


def test_the_email_names_code_opd_category_and_kelurahan_and_masks_the_phone():
    subject, body = delivery.email_text(PAYLOAD, opd_name="PMI", category_name="Banjir")
    assert subject == "[Siaga 112] Laporan 112-20261201-0042 untuk PMI: Banjir — Panjang Wetan"
    assert body.splitlines() == [
        "Laporan Call Center 112 Kota Pekalongan dialihkan ke PMI.",
        "",
        "Kode laporan: 112-20261201-0042",
        "Status: Diteruskan",
        "Jenis keadaan darurat: Banjir",
        "Prioritas: P2 Mendesak",
        "Kondisi: Air masuk rumah setinggi lutut",
        "Lokasi: Jl. Pelita No. 3",
        "Kelurahan, kecamatan: Panjang Wetan, Pekalongan Utara",
        "Koordinat (lintang; bujur): -6,879000; 109,689000",
        "Waktu laporan: 01-12-2026 10:00:00 WIB",
        "Nomor yang bisa dihubungi: 0812******90 (nomor lengkap di Siaga 112)",
        "",
        "Konfirmasi penerimaan di Siaga 112, halaman Penugasan.",
        "Pesan otomatis Siaga 112 Kota Pekalongan; jangan dibalas.",
    ]
    assert "081234567890" not in body


@pytest.mark.parametrize(
    ("channel", "target"),
    [
        ("webhook", "https://sistem.pmi.or.id/siaga112"),
        ("webhook", "http://10.0.0.5:8080/hook?x=1"),
        ("email", "posko@pmi-pekalongan.or.id"),
        ("email", "dinas.sosial+112@pekalongankota.go.id"),
    ],
)
def test_plausible_targets_are_accepted(channel, target):
    assert channels.check_target(channel, f"  {target} ") == target


@pytest.mark.parametrize(
    ("channel", "target", "message"),
    [
        ("webhook", "ftp://pmi.or.id/hook", "Alamat webhook harus URL http://"),
        ("webhook", "pmi.or.id/hook", "Alamat webhook harus URL http://"),
        ("webhook", "https://", "Alamat webhook harus URL http://"),
        ("webhook", "https://pmi.or.id:port/", "Alamat webhook harus URL http://"),
        ("webhook", "https://pmi .or.id/", "Alamat webhook harus URL http://"),
        ("webhook", "https://x.id/" + "a" * 500, "Alamat webhook harus URL http://"),
        ("email", "posko@pmi", "Alamat email tidak sah"),
        ("email", "posko pmi@pmi.or.id", "Alamat email tidak sah"),
        ("email", "@pmi.or.id", "Alamat email tidak sah"),
        ("email", "   ", "Alamat tujuan wajib diisi."),
    ],
)
def test_implausible_targets_are_refused_in_indonesian(channel, target, message):
    with pytest.raises(InvalidInput) as refused:
        channels.check_target(channel, target)
    assert str(refused.value).startswith(message)
