"""The engine clients are imported without aiohttp (their unused asyncio transport), and aiohttp
stays importable for whoever wants it afterwards."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

CHECK = textwrap.dedent(
    """
    import sys
    import logpipe.engines as engines
    from logpipe.settings import Settings

    engine = getattr(engines, sys.argv[1])(Settings(engine_url=["http://127.0.0.1:9"]))
    assert "aiohttp" not in sys.modules, "the engine client loaded aiohttp"
    assert engine.ping(0.2) is False  # the client works: nothing listens on port 9
    import aiohttp  # importable again once the client is in

    print(aiohttp.__name__)
    """
)


@pytest.mark.parametrize("engine", ["OpenSearchEngine", "ElasticsearchEngine"])
def test_an_engine_client_comes_without_aiohttp(engine: str) -> None:
    done = subprocess.run(
        [sys.executable, "-c", CHECK, engine], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "aiohttp"


def test_a_client_imported_with_aiohttp_loaded_is_left_as_it_is() -> None:
    check = "import sys, aiohttp; from logpipe.engines import sync_client\n"
    check += "client = sync_client('opensearchpy'); assert sys.modules['aiohttp'] is aiohttp"
    done = subprocess.run([sys.executable, "-c", check], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr[-2000:]
