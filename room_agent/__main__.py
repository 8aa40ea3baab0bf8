import sys

from room_agent.cli import main

sys.exit(main())
