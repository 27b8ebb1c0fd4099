"""Pipelines: YAML files of stages, validated on load, run on batches of events."""

from logpipe.pipeline.loader import load_pipeline
from logpipe.pipeline.runner import Pipeline

__all__ = ["Pipeline", "load_pipeline"]
