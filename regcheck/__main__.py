from __future__ import annotations

import sys

from regcheck.frontends.cli import main

sys.exit(main())
