"""Builds logpipe's optional native extension (Rust, native/grokmatch: the grok matcher, the
security stage's column reader, the GeoIP tree walk); the rest is pyproject.toml.

`optional=True`: where Rust cannot build it, pip still installs logpipe and the Python paths run.
"""

import os
from pathlib import Path

from setuptools import setup
from setuptools_rust import Binding, RustExtension


def cargo_env() -> dict[str, str]:
    """The build's environment: rustup's cargo on PATH, PCRE2 built from pcre2-sys's source."""
    env = dict(os.environ, PCRE2_SYS_STATIC="1")
    rustup_bin = Path.home() / ".cargo" / "bin"
    if rustup_bin.is_dir():
        env["PATH"] = os.pathsep.join([env.get("PATH", ""), str(rustup_bin)])
    return env


setup(
    rust_extensions=[
        RustExtension(
            "logpipe._grokmatch",
            path="native/grokmatch/Cargo.toml",
            binding=Binding.PyO3,
            optional=True,
            debug=False,  # editable installs too: a debug build matches slower than `regex`
            env=cargo_env(),
        )
    ],
)
