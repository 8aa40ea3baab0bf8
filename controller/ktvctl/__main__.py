"""``python -m controller.ktvctl``."""

import sys

from controller.ktvctl import main

sys.exit(main())
