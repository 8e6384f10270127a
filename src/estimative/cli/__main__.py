"""``python -m estimative.cli`` (as ``python -m estimative``)."""

import sys

from . import main

sys.exit(main())
