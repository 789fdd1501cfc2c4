"""regcheck: know, before merging a dependency upgrade, whether any ML result moved."""

from __future__ import annotations

__version__ = "0.1.0"
