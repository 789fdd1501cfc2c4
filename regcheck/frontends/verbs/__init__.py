"""One module per CLI verb; each exposes ``register(verbs)`` and sets ``handler`` on its parser.

Add a verb by adding its module here and to ``VERB_MODULES``: cli.py never changes.
"""

from __future__ import annotations

import argparse

VERB_MODULES = (
    "regcheck.frontends.verbs.run",
    "regcheck.frontends.verbs.env",
    "regcheck.frontends.verbs.report",
    "regcheck.frontends.verbs.compare",
    "regcheck.frontends.verbs.matrix",
    "regcheck.frontends.verbs.bisect",
    "regcheck.frontends.verbs.power",
    "regcheck.frontends.verbs.upgrade",
)

EXIT_CODES_HELP = "exit codes: 0 all results held, 1 a result moved or a configuration failed, 2 bad usage or input"


def verb_parser(verbs: argparse._SubParsersAction[argparse.ArgumentParser], name: str, help: str,
                examples: str) -> argparse.ArgumentParser:  # fmt: skip
    """A verb's parser with its examples and the exit codes in ``--help``."""
    return verbs.add_parser(
        name, help=help, description=help, epilog=f"examples:\n{examples}\n\n{EXIT_CODES_HELP}",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )  # fmt: skip
