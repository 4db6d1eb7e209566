from __future__ import annotations

import pytest

from tools.dates import DateRange, duration_words, matches, month_of, parse, span, spoken
from tools.text import Utterance


def q(text: str):  # type: ignore[no-untyped-def]
    return parse(Utterance.of(text))


def m(value: str) -> int:
    result = month_of(value)
    assert result is not None
    return result


def test_spoken_dates() -> None:
    assert spoken("2022-03") == "March 2022"
    assert spoken("2018") == "2018"
    assert spoken(None) == ""


@pytest.mark.parametrize(
    ("text", "mode", "lo", "hi"),
    [
        ("in 2018", "overlap", "2018-01", "2018-12"),
        ("what did they do during 2015", "overlap", "2015-01", "2015-12"),
        ("between 2019 and 2021", "overlap", "2019-01", "2021-12"),
        ("from March 2020 to 2021", "overlap", "2020-03", "2021-12"),
        ("2014-2016", "overlap", "2014-01", "2016-12"),
        ("before 2017", "start_before", "2017-01", None),
        ("prior to 2015", "start_before", "2015-01", None),
        ("after 2019", "start_from", "2020-01", None),
        ("since 2023", "start_from", "2023-01", None),
        ("mid 2019", "overlap", "2019-05", "2019-08"),
    ],
)
def test_parse_ranges(text: str, mode: str, lo: str, hi: str | None) -> None:
    rng = q(text).range
    assert rng is not None and rng.mode == mode
    assert rng.lo == m(lo)
    assert rng.hi == (m(hi) if hi else None)


@pytest.mark.parametrize(
    ("text", "ordinal"),
    [
        ("first job", "first"),
        ("earliest project", "first"),
        ("most recent project", "latest"),
        ("latest role", "latest"),
        ("current role", "current"),
        ("what are they doing now", "current"),
        ("previous job", "previous"),
        ("first prize", None),
    ],
)
def test_parse_ordinals(text: str, ordinal: str | None) -> None:
    assert q(text).ordinal == ordinal


def test_parse_anchors() -> None:
    after = q("what did they do after Cartograph")
    assert after.anchor == "after" and after.anchor_pos == 5 and after.range is None
    assert q("and before that?").anchor == "before"
    assert q("since when has jordan been at sonora").anchor is None


def test_overlap_semantics() -> None:
    northwind = span("2019-06", "2022-02", ongoing=False)
    between = DateRange(lo=m("2019-01"), hi=m("2021-12"), mode="overlap")
    assert matches(northwind, between)
    ongoing = span("2020-01", None, ongoing=True)
    assert matches(ongoing, DateRange(lo=m("2025-01"), hi=m("2025-12")))
    before_2017 = DateRange(lo=m("2017-01"), mode="start_before")
    assert matches(span("2016-09", "2019-05", False), before_2017)  # started before 2017
    assert not matches(span("2017-02", "2017-11", False), before_2017)
    since = DateRange(lo=m("2023-01"), mode="start_from")
    assert matches(span("2023-02", "2023-08", False), since)
    assert not matches(span("2022-09", "2023-06", False), since)
    assert not matches(None, since)
    single = span("2018-04", "2018-04", False)
    assert matches(single, DateRange(lo=m("2018-01"), hi=m("2018-12")))


def test_duration_words_are_words() -> None:
    assert duration_words("2014-07", "2016-08") == "about two years"
    assert duration_words("2016-09", "2019-05") == "over two years"
    assert duration_words("2018-04", "2018-04") == "about one month"
    assert not any(ch.isdigit() for ch in duration_words("2013-09", "2014-06"))
