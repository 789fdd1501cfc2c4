"""Every verb of the CLI, including those added later: examples in --help, the exit codes, and 2 on bad usage."""

from __future__ import annotations

import argparse
import importlib

import pytest

from regcheck.frontends.cli import main
from regcheck.frontends.verbs import EXIT_CODES_HELP, VERB_MODULES


def _registered(module_name: str) -> dict[str, argparse.ArgumentParser]:
    verbs = argparse.ArgumentParser().add_subparsers()
    importlib.import_module(module_name).register(verbs)
    return dict(verbs.choices)


def _exit_code(argv: list[str]) -> object:
    """What ``regcheck ARGV`` exits with, whether main returns it or argparse raises SystemExit."""
    try:
        return main(argv)
    except SystemExit as exited:
        return exited.code


VERBS = sorted(verb for module_name in VERB_MODULES for verb in _registered(module_name))


@pytest.mark.parametrize("module_name", VERB_MODULES)
def test_every_verb_module_registers_a_verb_with_a_handler(module_name: str) -> None:
    registered = _registered(module_name)
    assert registered, f"{module_name} registered no verb"
    for verb, parser in registered.items():
        assert callable(parser.get_default("handler")), f"'regcheck {verb}' has no handler"


def test_the_verbs_of_the_cli_are_all_there() -> None:
    assert {"run", "bless", "report", "env"} <= set(VERBS)


@pytest.mark.parametrize("verb", VERBS)
def test_every_verb_shows_examples_and_the_exit_codes_in_its_help(verb: str, capsys: pytest.CaptureFixture[str]) -> None:
    code = _exit_code([verb, "--help"])
    out = capsys.readouterr().out
    assert code == 0
    examples = out.split("examples:\n", 1)[1] if "examples:\n" in out else ""
    assert any(line.strip().startswith("regcheck ") for line in examples.splitlines()), f"'{verb} --help' has no example"
    assert EXIT_CODES_HELP in out


@pytest.mark.parametrize("verb", VERBS)
def test_every_verb_exits_2_on_an_unknown_option(verb: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert _exit_code([verb, "--no-such-option"]) == 2
    assert "error: " in capsys.readouterr().err  # the unknown option, or a required argument left out
