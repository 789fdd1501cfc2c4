"""Names that become file and folder names: a study's, a model's and a configuration's.

A name names ``<baselines>/<study>/<model>/<config_id>.json``, a pytest test id and a table row,
so it must stay one path component on every file system: ASCII letters, digits, ``.``, ``_`` and
``-``, starting with a letter or digit, no ``..``, and short enough that ``<config_id>.obtained.json``
fits the 255 bytes a file name may have. ``re.fullmatch`` (not ``match`` with ``$``, which also
matches before a final newline) so that ``"a\\n"`` is refused.
"""

from __future__ import annotations

import re

_SAFE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
# 255 bytes, less the longest suffix regcheck adds (".obtained.json") and a temporary's ("." + ".12345678.tmp").
MAX_NAME_LENGTH = 200
NAME_RULE = "letters, digits, '.', '_' and '-' only, starting with a letter or digit, no '..', at most 200 characters"


def is_safe_name(name: object) -> bool:
    """True when ``name`` is text that can name a file or folder without leaving its folder (no '/', no '..')."""
    return isinstance(name, str) and len(name) <= MAX_NAME_LENGTH and _SAFE_NAME.fullmatch(name) is not None and ".." not in name
