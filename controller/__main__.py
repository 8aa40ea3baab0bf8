"""``python -m controller`` runs ``ktv-controller``."""

import sys

from controller.cli import main

sys.exit(main())
