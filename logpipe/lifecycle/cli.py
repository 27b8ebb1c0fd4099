"""`logpipe setup`: install the lifecycle policies, index templates and Kibana data views."""

from __future__ import annotations

import argparse
import re

from logpipe.cliargs import add_settings_arguments
from logpipe.errors import ConfigError


def add_setup_parser(commands: argparse._SubParsersAction) -> None:
    """Register the `setup` subcommand on `logpipe`'s subparsers."""
    setup = commands.add_parser(
        "setup",
        help="install lifecycle policies (ILM/ISM), index templates and Kibana data views",
        description="Install what ilm/ defines, idempotently: a second run changes nothing.",
    )
    add_settings_arguments(setup, pipeline=False)
    setup.add_argument(
        "--dry-run", action="store_true", help="print what would change, as a diff; change nothing"
    )
    setup.add_argument(
        "--kibana", metavar="URL", help="also import the Kibana saved objects (ilm/kibana/)"
    )
    setup.set_defaults(handler=_setup, error_exit=1)


def _setup(args: argparse.Namespace) -> int:
    from logpipe.engines import connect
    from logpipe.lifecycle.manage import run_setup
    from logpipe.settings import load_settings

    if args.kibana and not re.match(r"^https?://[^/\s]+", args.kibana):
        raise ConfigError(f"--kibana {args.kibana!r} is not an http(s):// URL")
    settings = load_settings(args.settings)
    engine = connect(settings)
    try:
        run_setup(
            settings, engine, args.dry_run, args.kibana, out=lambda line: print(line, flush=True)
        )
    finally:
        engine.close()
    return 0
