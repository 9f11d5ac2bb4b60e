"""``python -m accessibilite``: the same as the ``accessibilite`` command."""

import sys

from accessibilite.cli import main

sys.exit(main())
