from __future__ import annotations

import sys

from regcheck.cli import main

sys.exit(main())
