"""The settings arguments every `logpipe` command shares, and loading settings from them."""

from __future__ import annotations

import argparse

from logpipe.settings import Settings


def add_settings_arguments(parser: argparse.ArgumentParser, pipeline: bool = True) -> None:
    """Add `--settings FILE` and, unless `pipeline` is false, `--pipeline FILE|NAME`."""
    parser.add_argument("--settings", metavar="FILE", help="YAML settings file ($LOGPIPE_SETTINGS)")
    if pipeline:
        parser.add_argument("--pipeline", metavar="FILE", help="pipeline file or bundled name")


def load_cli_settings(args: argparse.Namespace) -> Settings:
    """Settings from --settings (or the environment), with --pipeline applied."""
    from logpipe.settings import load_settings

    settings = load_settings(args.settings)
    pipeline = getattr(args, "pipeline", None)
    if pipeline:
        settings = settings.model_copy(update={"pipeline": pipeline})
    return settings
