import copy

from hypothesis import given
from hypothesis import strategies as st

from logpipe import fields
from logpipe.fields import descend, put, put_new


def test_get_put_pop_dotted_and_bracketed():
    event: dict = {}
    fields.put(event, "source.geo.location", {"lat": 1.0, "lon": 2.0})
    fields.put(event, "[http][response][status_code]", 404)
    assert fields.get(event, "[source][geo][location]") == {"lat": 1.0, "lon": 2.0}
    assert fields.get(event, "http.response.status_code") == 404
    assert fields.has(event, "http.response")
    assert not fields.has(event, "http.request.method")
    assert fields.pop(event, "http.response.status_code") == 404
    assert fields.get(event, "http.response.status_code", "gone") == "gone"


def test_get_through_non_dict_is_default():
    event = {"message": "text"}
    assert fields.get(event, "message.inner", 7) == 7
    assert fields.pop(event, "message.inner") is None


def test_put_moves_a_scalar_parent_aside():
    event = {"user": "bob"}
    fields.put(event, "user.name", "bob")
    assert event == {"_user": "bob", "user": {"name": "bob"}}


def test_add_tag_once_and_normalises():
    event: dict = {}
    fields.add_tag(event, "a")
    fields.add_tag(event, "a")
    assert event["tags"] == ["a"]
    event["tags"] = "legacy"
    fields.add_tag(event, "b")
    assert event["tags"] == ["legacy", "b"]


def test_read_source_reads_as_get_does():
    events = [{}, {"a": None}, {"a": "x"}, {"a": {"b": {"c": 1}}}, {"a": {"b": 2}}, {"a.b": 3}]
    for path in ("a", "a.b", "[a][b][c]", "a.b.c.d"):
        code = compile(fields.read_source(fields.split_path(path)), "<read>", "eval")
        for event in events:
            assert eval(code, {"event": event}) == fields.get(event, path)


_KEY = st.sampled_from(["a", "b", "_a", "@timestamp", ""])
_PATH = st.lists(_KEY, min_size=1, max_size=4)
_VALUE = st.recursive(
    st.none() | st.integers() | st.text(max_size=3),
    lambda inner: st.dictionaries(_KEY, inner, max_size=3) | st.lists(inner, max_size=2),
    max_leaves=8,
)


@given(st.dictionaries(_KEY, _VALUE, max_size=4), _PATH, st.booleans())
def test_put_and_put_new_write_as_descend_does(event: dict, parts: list[str], new: bool) -> None:
    reference = copy.deepcopy(event)
    node = descend(reference, parts[:-1])
    if new:
        node.setdefault(parts[-1], "v")
        put_new(event, ".".join(parts), "v")
    else:
        node[parts[-1]] = "v"
        put(event, ".".join(parts), "v")
    assert event == reference
