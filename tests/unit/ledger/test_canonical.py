"""An entry's canonical JSON (RFC 8785) and its leaf hash."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tracker.ledger import LedgerError, canonical_json, entry_leaf_hash, leaf_hash

# Input and output files of the RFC 8785 author's reference test data,
# github.com/cyberphone/json-canonicalization, testdata/input and testdata/output.
# "values" is the example of RFC 8785 §3.2.2 and "weird" the sorting example of §3.2.3.
VECTORS = {
    "values": (
        '{"numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],'
        ' "string": "\\u20ac$\\u000F\\u000aA\'\\u0042\\u0022\\u005c\\\\\\"\\/",'
        ' "literals": [null, true, false]}',
        b'{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],'
        b'"string":"\xe2\x82\xac$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}'),
    "weird": (
        '{"\\u20ac": "Euro Sign", "\\r": "Carriage Return", "\\u000a": "Newline",'
        ' "1": "One", "\\u0080": "Control\\u007f", "\\ud83d\\ude02": "Smiley",'
        ' "\\u00f6": "Latin Small Letter O With Diaeresis",'
        ' "\\ufb33": "Hebrew Letter Dalet With Dagesh", "</script>": "Browser Challenge"}',
        b'{"\\n":"Newline","\\r":"Carriage Return","1":"One","</script>":"Browser Challenge",'
        b'"\xc2\x80":"Control\x7f","\xc3\xb6":"Latin Small Letter O With Diaeresis",'
        b'"\xe2\x82\xac":"Euro Sign","\xf0\x9f\x98\x82":"Smiley",'
        b'"\xef\xac\xb3":"Hebrew Letter Dalet With Dagesh"}'),
    "structures": (
        '{"1": {"f": {"f": "hi","F": 5} ,"\\n": 56.0}, "10": { }, "": "empty", "a": { },'
        ' "111": [ {"e": "yes","E": "no" } ], "A": { }}',
        b'{"":"empty","1":{"\\n":56,"f":{"F":5,"f":"hi"}},"10":{},"111":[{"E":"no","e":"yes"}],'
        b'"A":{},"a":{}}'),
    "french": (
        '{"peach": "This sorting order", "p\\u00e9ch\\u00e9": "is wrong according to French",'
        ' "p\\u00eache": "but canonicalization MUST", "sin":   "ignore locale"}',
        b'{"peach":"This sorting order","p\xc3\xa9ch\xc3\xa9":"is wrong according to French",'
        b'"p\xc3\xaache":"but canonicalization MUST","sin":"ignore locale"}'),
    "unicode": (
        '{"Unnormalized Unicode":"A\\u030a"}',
        b'{"Unnormalized Unicode":"A\xcc\x8a"}'),
}


class TestCanonicalJson:
    @pytest.mark.parametrize("name", sorted(VECTORS))
    def test_writes_the_reference_output_of_rfc_8785(self, name: str) -> None:
        given_text, expected = VECTORS[name]
        assert canonical_json(json.loads(given_text)) == expected

    def test_gives_the_same_bytes_whatever_the_key_order(self) -> None:
        assert canonical_json({"b": 1, "a": [1, {"d": 2, "c": 3}]}) == canonical_json(
            {"a": [1, {"c": 3, "d": 2}], "b": 1})

    @pytest.mark.parametrize("value", [2**53, float("nan"), float("inf"), {1: "key"}, b"raw"])
    def test_refuses_a_value_json_cannot_carry_exactly(self, value: object) -> None:
        with pytest.raises(LedgerError):
            canonical_json({"value": value})

    @given(st.recursive(
        st.none() | st.booleans() | st.integers(-(2**53) + 1, 2**53 - 1) | st.text(),
        lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner,
                                                                    max_size=4),
        max_leaves=12))
    def test_reads_back_as_the_same_value(self, value: object) -> None:
        assert json.loads(canonical_json({"v": value})) == {"v": value}


class TestEntryLeafHash:
    def test_hashes_a_dict_and_its_canonical_bytes_alike(self) -> None:
        entry = {"issue": 4, "kind": "Issue.Submitted", "title": "Bus stop"}
        assert entry_leaf_hash(entry) == entry_leaf_hash(canonical_json(entry))
        assert entry_leaf_hash(entry) == leaf_hash(canonical_json(entry))


_plain_json = st.recursive(
    st.none() | st.booleans() | st.text() | st.integers(-(2**53) + 1, 2**53 - 1),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(
        st.text(max_size=8), children, max_size=4), max_leaves=20)


@given(st.dictionaries(st.text(max_size=8), _plain_json, max_size=6))
def test_the_fast_path_writes_the_same_bytes_as_the_reference_package(
        entry: dict[str, object]) -> None:
    import rfc8785

    try:
        expected = rfc8785.dumps(entry)
    except Exception:
        with pytest.raises(LedgerError):
            canonical_json(entry)
        return
    assert canonical_json(entry) == expected


def test_a_value_the_fast_path_cannot_write_goes_to_the_reference_package() -> None:
    assert canonical_json({"a": 1.5, "\u20ac": [2**53 - 1]}) == (
        b'{"a":1.5,"\xe2\x82\xac":[9007199254740991]}')
    with pytest.raises(LedgerError):
        canonical_json({"big": 2**53})
