"""Logstash-compatible grok: expressions, the built-in pattern library, and the debugger command."""

from logpipe.grok.expression import Grok, GrokError
from logpipe.grok.library import PatternLibrary

__all__ = ["Grok", "GrokError", "PatternLibrary"]
