"""The alert sound the browser plays is the one the script makes, and it is short."""

from __future__ import annotations

import io
import wave

from dashboard.alert_sound import PATH, alert_wav


def test_the_shipped_sound_is_exactly_what_the_script_makes():
    assert PATH.read_bytes() == alert_wav()


def test_the_sound_is_a_short_mono_wav_under_one_second():
    with wave.open(io.BytesIO(alert_wav())) as sound:
        seconds = sound.getnframes() / sound.getframerate()
        assert (sound.getnchannels(), sound.getsampwidth()) == (1, 2)
    assert 0.5 < seconds < 1.0
