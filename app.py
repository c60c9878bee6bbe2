"""The web chat: ``python app.py`` (see ``python app.py --help``).  Everything lives in :mod:`assistant.web.app`."""

import sys

from assistant.web.app import main

if __name__ == "__main__":
    sys.exit(main())
