"""`python -m dashboard`: the operator's command line."""

from __future__ import annotations

import sys

from dashboard.cli import main

sys.exit(main())
