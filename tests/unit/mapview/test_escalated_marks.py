"""Escalated incidents carry a mark on the map: the layer is told which ones, and at what level."""

from __future__ import annotations

import pandas as pd

from mapview.incidents import escalated_levels


def test_only_escalated_incidents_are_marked_with_their_level():
    frame = pd.DataFrame({"id": [7, 8, 9], "escalation_level": [0, 1, 2]})
    assert escalated_levels(frame) == {"8": 1, "9": 2}


def test_a_frame_without_the_column_marks_nothing():
    assert escalated_levels(pd.DataFrame({"id": [7]})) == {}
    assert escalated_levels(pd.DataFrame()) == {}
