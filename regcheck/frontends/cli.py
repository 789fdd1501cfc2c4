"""The ``regcheck`` command. Verbs live in ``regcheck.frontends.verbs``; this module only dispatches.

Exit codes everywhere: 0 every result held, 1 a result moved (or errored), 2 bad usage or input.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence
from typing import NoReturn

from regcheck.errors import EXIT_USAGE, RegcheckError, error_line
from regcheck.frontends.verbs import EXIT_CODES_HELP, VERB_MODULES

EXIT_BROKEN_PIPE = 141  # 128 + SIGPIPE: what a shell reports for a writer whose reader went away


class OneLineErrorParser(argparse.ArgumentParser):
    """argparse, but a usage error is one ``regcheck: error:`` line (no usage block), exit code 2.

    Verb parsers inherit this class (``add_subparsers`` uses the parent's class).
    """

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, error_line(f"{message} (see '{self.prog} --help')") + "\n")


def build_parser() -> argparse.ArgumentParser:
    parser = OneLineErrorParser(
        prog="regcheck", description="Did any ML result move? Run the study and compare it with its baselines.",
        epilog=f"'regcheck VERB --help' shows each verb's options and examples.\n\n{EXIT_CODES_HELP}",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )  # fmt: skip
    verbs = parser.add_subparsers(dest="verb", metavar="VERB", required=True)
    for module_name in VERB_MODULES:
        importlib.import_module(module_name).register(verbs)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    try:
        args = build_parser().parse_args(argv)
    except SystemExit as exit_:  # --help, or a usage error already printed as one line
        return exit_.code if isinstance(exit_.code, int) else EXIT_USAGE
    try:
        code: int = args.handler(args)
    except RegcheckError as error:
        print(error_line(error), file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("regcheck: interrupted; no baseline was written", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # `regcheck run | head`: the reader left; say nothing more (Python's documented idiom).
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_BROKEN_PIPE
    return code
