"""``python -m estimative``."""

import sys

from .cli import main

sys.exit(main())
