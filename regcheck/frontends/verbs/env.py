"""``regcheck env``: the environment fingerprint of this machine, as JSON."""

from __future__ import annotations

import argparse
import json

from regcheck.errors import EXIT_OK
from regcheck.frontends.verbs import verb_parser


def register(verbs: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = verb_parser(verbs, "env", "print this environment's fingerprint as JSON", "  regcheck env > env.json")
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    from regcheck.frameworks.environment import fingerprint

    print(json.dumps(fingerprint(), indent=1))
    return EXIT_OK
