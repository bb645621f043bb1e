"""A generated street grid laid over Kota Pekalongan, for tests of the screens' road ETAs.

The city's kelurahan span UTM 49S x 349,984-357,626 m and y 9,233,030-9,242,557 m; this grid
of 100 m blocks covers all of it (79 columns from x 349,900, 98 rows from y 9,232,900), so
every seeded post and any point in the city is within 50 m of a street. Row 40 is one-way
eastbound (the drive direction matters there), every 7th other row too, and a railway runs
between columns 40 and 41 with a level crossing on every row. Residential streets: 20 km/h.
"""

from __future__ import annotations

from tests.helpers.osm_grid import GridCity

PEKALONGAN_GRID = GridCity(
    rows=98,
    cols=79,
    spacing_m=100.0,
    x0_m=349_900.0,
    y0_m=9_232_900.0,
    oneway_rows=frozenset({40, *range(3, 98, 7)}),
    railway_col=40,
)
S_PER_M = 3.6 / 20.0  # residential, 20 km/h: slower than every vehicle's own speed
