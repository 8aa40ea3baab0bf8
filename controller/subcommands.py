"""The registry of ``ktv-controller`` subcommands: areas register theirs here (see
:mod:`controller.cli`). Its own module, importing nothing of the controller, so an area's
commands (``controller.deploy.cli``) do not import the command line that runs the server
(docs/house.md: no package cycle).
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from dataclasses import dataclass

Runner = Callable[[argparse.Namespace], int]
Configure = Callable[[argparse.ArgumentParser], Runner]


@dataclass(frozen=True)
class Subcommand:
    name: str
    help: str
    configure: Configure


_SUBCOMMANDS: dict[str, Subcommand] = {}


def subcommand(name: str, help: str) -> Callable[[Configure], Configure]:
    def register(configure: Configure) -> Configure:
        _SUBCOMMANDS[name] = Subcommand(name, help, configure)
        return configure

    return register


def registered() -> dict[str, Subcommand]:
    return dict(_SUBCOMMANDS)
