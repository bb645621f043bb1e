"""The alert sound shipped with the app (static/sounds/siaga-alert.wav), made here from nothing.

Two tones (880 Hz then 660 Hz, 0.18 s each, played twice, 16-bit mono at 22,050 Hz, short fades
against clicks): written by this script with Python's wave module, no recording or sample from
elsewhere, so it is ours to ship (same licence as the app). Regenerate with
`python3 -m dashboard.alert_sound`; tests/unit/test_alert_sound.py checks the shipped file is
exactly what this makes. The browser loads it from /app/static/sounds/siaga-alert.wav
(server.enableStaticServing), so it plays offline.
"""

from __future__ import annotations

import io
import math
import struct
import wave
from pathlib import Path

RATE = 22_050
TONES = ((880.0, 0.18), (660.0, 0.18), (880.0, 0.18), (660.0, 0.18))
GAP_S = 0.03
FADE_S = 0.008
AMPLITUDE = 0.6
PATH = Path(__file__).resolve().parents[1] / "static" / "sounds" / "siaga-alert.wav"
URL = "/app/static/sounds/siaga-alert.wav"


def alert_wav() -> bytes:
    """The WAV file's bytes (deterministic)."""
    samples: list[int] = []
    fade = int(FADE_S * RATE)
    for frequency, seconds in TONES:
        count = int(seconds * RATE)
        for n in range(count):
            envelope = min(1.0, n / fade, (count - 1 - n) / fade)
            value = AMPLITUDE * envelope * math.sin(2 * math.pi * frequency * n / RATE)
            samples.append(round(value * 32767))
        samples.extend([0] * int(GAP_S * RATE))
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(RATE)
        out.writeframes(struct.pack(f"<{len(samples)}h", *samples))
    return buffer.getvalue()


if __name__ == "__main__":
    PATH.parent.mkdir(parents=True, exist_ok=True)
    PATH.write_bytes(alert_wav())
    print(f"wrote {PATH} ({PATH.stat().st_size} bytes)")
