import pytest

from logpipe.errors import ConfigError
from logpipe.settings import load_settings


def test_file_then_environment(tmp_path, monkeypatch):
    path = tmp_path / "s.yaml"
    path.write_text("topics: [a, b]\nbatch_size: 50\nindex_prefix: shop\n")
    monkeypatch.setenv("LOGPIPE_BATCH_SIZE", "70")
    monkeypatch.setenv("LOGPIPE_ENGINE_URL", "http://h1:9200, http://h2:9200")
    settings = load_settings(path)
    assert settings.topics == ["a", "b"]
    assert settings.batch_size == 70
    assert settings.engine_url == ["http://h1:9200", "http://h2:9200"]
    assert settings.index_prefix == "shop"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("batch_size: lots", "field 'batch_size': Input should be a valid integer"),
        ("engine: solr", "field 'engine'"),
        ("index_prefix: Shop", "field 'index_prefix': Value error, must be lowercase"),
        ("engine_url: ftp://x", "is not an http"),
        ("brokerz: x", "field 'brokerz': unknown setting"),
        ("[1, 2]", "expected a mapping"),
    ],
)
def test_bad_file_names_file_and_field(tmp_path, text, message):
    path = tmp_path / "s.yaml"
    path.write_text(text)
    with pytest.raises(ConfigError, match=message) as info:
        load_settings(path)
    assert f"settings file {path}" in str(info.value)


def test_bad_environment_is_named(monkeypatch):
    monkeypatch.setenv("LOGPIPE_FLUSH_INTERVAL", "-1")
    with pytest.raises(ConfigError, match="environment variable LOGPIPE_FLUSH_INTERVAL"):
        load_settings()


def test_a_refused_url_never_shows_its_credentials(monkeypatch):
    monkeypatch.setenv("LOGPIPE_ENGINE_URL", "htps://elastic:pw-Secret1@host:9200")
    with pytest.raises(ConfigError) as info:
        load_settings()
    assert "pw-Secret1" not in str(info.value) and "elastic" not in str(info.value)
    assert "'htps://***@host:9200' is not an http(s):// URL" in str(info.value)
