"""JSON path → line/column (web.positions): the editor's markers sit on the value validate names."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from iamwarden.policy.document import MAX_JSON_DEPTH
from iamwarden.web.positions import locate, value_positions

DOC = '{\n  "Version": "2012-10-17",\n  "Statement": [\n    {"Effect": "Allow",\n     "Action": ["s3:GetObject", "s3:Put"],\n     "Condition": {"StringEquals": {"aws:username": "x"}}}\n  ]\n}'


def _at(text: str, needle: str) -> tuple[int, int]:
    i = text.index(needle)
    return text.count("\n", 0, i) + 1, i - (text.rfind("\n", 0, i) + 1) + 1


def test_value_positions_name_values_as_validate_does():
    pos = value_positions(DOC)
    assert pos["$"] == (1, 1)
    assert pos["$.Version"] == _at(DOC, '"2012-10-17"')
    assert pos["$.Statement[0].Effect"] == _at(DOC, '"Allow"')
    assert pos["$.Statement[0].Action[1]"] == _at(DOC, '"s3:Put"')
    assert pos["$.Statement[0].Condition.StringEquals.aws:username"] == _at(DOC, '"x"')


def test_locate_falls_back_to_the_nearest_present_parent():
    pos = value_positions(DOC)
    assert locate("$.Statement[0].Resource", pos) == pos["$.Statement[0]"]
    assert locate("$.Statement[0].Action[7]", pos) == pos["$.Statement[0].Action"]


def test_locate_reads_the_position_of_a_syntax_error_from_its_message():
    assert locate("$", {}, "not valid JSON: Expecting ',' delimiter: line 4 column 23 (char 80)") == (4, 23)


def test_value_positions_is_linear_on_hostile_nesting():
    text = "[" * 100_000 + "]" * 100_000  # deep, but walked without recursion or growing paths
    pos = value_positions(text)
    assert pos["$"] == (1, 1) and len(pos) == MAX_JSON_DEPTH + 1
    wide = "[" + ",\n".join(["1"] * 100_000) + "]"  # many values: one pass over the newlines
    pos = value_positions(wide)
    assert pos["$[99999]"] == (100_000, 1)


def test_value_positions_survives_broken_text():
    assert value_positions('{"a": [1, 2,, }}]]') ["$"] == (1, 1)
    assert value_positions("") == {}


_json = st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=5),
                     lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text("abc:", min_size=1, max_size=3), inner, max_size=4),
                     max_leaves=20)


@settings(max_examples=60, deadline=None)
@given(_json, st.sampled_from([None, 1, 2]))
def test_every_value_of_any_document_is_found_where_it_starts(value, indent):
    text = json.dumps(value, indent=indent)
    pos = value_positions(text)
    stack = [("$", value)]
    offsets = {}
    lines = text.split("\n")
    for path, (line, col) in pos.items():
        offsets[path] = sum(len(row) + 1 for row in lines[: line - 1]) + col - 1
    while stack:
        path, v = stack.pop()
        assert path in offsets, path
        assert json.JSONDecoder().raw_decode(text, offsets[path])[0] == v, path
        if isinstance(v, dict):
            stack += [(f"{path}.{k}", x) for k, x in v.items()]
        elif isinstance(v, list):
            stack += [(f"{path}[{i}]", x) for i, x in enumerate(v)]
