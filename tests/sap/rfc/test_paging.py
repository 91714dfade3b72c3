"""The pure paging core: key ranges split and cut into pages that cover every key once."""

from hypothesis import given
from hypothesis import strategies as st

from sap.rfc.paging import KeyRange, joined, pages, split

KEYS = st.lists(st.integers(1, 10_000), unique=True).map(
    lambda xs: sorted(f"{x:010d}" for x in xs))


def _inside(key: str, part: KeyRange) -> bool:
    return (part.low is None or key > part.low) and (part.high is None or key <= part.high)


@given(keys=KEYS, sample_share=st.integers(1, 5), parts=st.integers(2, 20))
def test_split_parts_cover_the_range_once_and_each_holds_fewer_keys(keys, sample_share, parts):
    whole = KeyRange(None, None)
    sample = keys[::sample_share]
    ranges = split(whole, sample, parts)
    for key in keys:
        assert sum(_inside(key, r) for r in ranges) == 1
    if len(sample) >= 2:  # an overflowing read returns at least two distinct keys
        assert all(sum(_inside(k, r) for k in keys) < len(keys) for r in ranges)


@given(chunks=st.lists(KEYS, max_size=5), size=st.integers(1, 30))
def test_pages_over_consecutive_ranges_are_contiguous_and_hold_each_key_once(chunks, size):
    keys = sorted({k for chunk in chunks for k in chunk})
    ranges, low = [], None
    for cut in sorted({c[-1] for c in chunks if c} & set(keys))[:-1]:
        ranges.append((KeyRange(low, cut), [k for k in keys if _inside(k, KeyRange(low, cut))]))
        low = cut
    ranges.append((KeyRange(low, None), [k for k in keys if _inside(k, KeyRange(low, None))]))
    result = list(pages(ranges, size))
    for key in keys:
        assert sum(_inside(key, page) for page, _ in result) == 1
    assert all(page.high == last or page.high is None for page, last in result)
    lows = [page.low for page, _ in result][1:]
    assert lows == [last for _, last in result][:-1]


def test_where_clauses_are_joined_with_an_or_kept_together():
    assert joined("BUKRS = '1000'", "ERDAT >= 'x' OR AEDAT >= 'x'", "") == \
        "BUKRS = '1000' AND ( ERDAT >= 'x' OR AEDAT >= 'x' )"
    assert KeyRange("a", "b").clause("VBELN") == "VBELN > 'a' AND VBELN <= 'b'"
