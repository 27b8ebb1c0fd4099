"""Errors a user can act on: printed as one line, never as a traceback."""


class LogpipeError(Exception):
    """A failure explained in words a user can act on."""


class ConfigError(LogpipeError):
    """Settings or a pipeline file is invalid."""


class EngineUnavailable(LogpipeError):
    """The search engine cannot be reached or refuses whole requests for now."""
