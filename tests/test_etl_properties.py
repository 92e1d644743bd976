"""Property tests: the SQL date parser reads back every supported rendering of a date, never
raises on junk, and the header / value matching ignores case, Unicode form and whitespace."""
from __future__ import annotations

import random
import unicodedata
from datetime import datetime, timedelta
from pathlib import Path

import duckdb
import yaml
from hypothesis import HealthCheck, example, given, settings, strategies as st

from core import settings as app_settings
from etl.mapping import FIELD_TYPES, load_mapping, norm
from etl.readers import RawSource
from etl.stage import TS_FORMATS, lookup_expr, stage, ts_expr, _word_params

MAPPING = load_mapping()
CON = duckdb.connect()
EPOCH = datetime(1899, 12, 30)


def parse(texts: list[str]) -> list[tuple]:
    """ts_expr over the texts: (value, isfinite) per text, in order."""
    return CON.execute(
        f"select t, isfinite(t) from (select {ts_expr('v')} as t, i "
        f"from (select unnest($vals) as v, generate_subscripts($vals, 1) as i)) order by i",
        {"vals": texts, "ts_formats": TS_FORMATS}).fetchall()


# --- dates: every supported rendering parses back --------------------------------------------------

def serial(dt: datetime) -> str:
    """An Excel serial day number as a cell holds it (15 significant digits)."""
    return "%.15g" % ((dt - EPOCH) / timedelta(days=1))


RENDERINGS = {
    # name: (render, what survives of the datetime)
    "dd/mm/yyyy": (lambda d: d.strftime("%d/%m/%Y"), lambda d: d.replace(hour=0, minute=0, second=0)),
    "dd/mm/yyyy HH:mm": (lambda d: d.strftime("%d/%m/%Y %H:%M"), lambda d: d.replace(second=0)),
    "dd/mm/yyyy HH:mm:ss": (lambda d: d.strftime("%d/%m/%Y %H:%M:%S"), lambda d: d),
    "ISO space": (lambda d: d.strftime("%Y-%m-%d %H:%M:%S"), lambda d: d),
    "ISO T": (lambda d: d.strftime("%Y-%m-%dT%H:%M:%S"), lambda d: d),
    "yyyyMMddHHmmss": (lambda d: d.strftime("%Y%m%d%H%M%S"), lambda d: d),
    "Excel serial": (serial, lambda d: d),
    # fastexcel hands a plain-number cell over with at most 9 decimals (about 0.1 ms)
    "Excel serial, 9 decimals": (lambda d: f"{float(serial(d)):.9f}".rstrip("0").rstrip("."), lambda d: d),
    "Excel serial, date only": (lambda d: str((d.date() - EPOCH.date()).days),
                                lambda d: d.replace(hour=0, minute=0, second=0)),
}

datetimes = st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2099, 12, 31, 23, 59, 59)).map(
    lambda d: d.replace(microsecond=0))


@settings(max_examples=150, deadline=None)
@given(datetimes)
@example(datetime(2000, 1, 1, 0, 0, 0))
@example(datetime(2099, 12, 31, 23, 59, 59))
@example(datetime(2025, 1, 10, 17, 0, 0))
@example(datetime(2025, 1, 5, 8, 30, 0))
@example(datetime(2024, 2, 29, 12, 0, 0))
def test_every_rendering_parses_back(dt):
    texts = [render(dt) for render, _ in RENDERINGS.values()]
    got = parse(texts)
    for (name, (_, keep)), text, (value, finite) in zip(RENDERINGS.items(), texts, got):
        assert finite, (name, text)
        # serials are exact to the millisecond, like Excel: 17:00 must not come back as
        # 16:59:59.99997 (before closing) or 17:00:00.00003 (after closing)
        assert value == keep(dt), (name, text, value)


@settings(max_examples=100, deadline=None)
@given(datetimes, st.sampled_from(["%d/%m/%Y", "%d/%m/%Y %H:%M", "%d/%m/%Y %H:%M:%S"]),
       st.sampled_from(["", " ", "  ", "\u00a0", "\t", "\n"]), st.sampled_from(["", " ", "  ", "\r\n"]),
       st.sampled_from([" ", "  ", "\n"]))
def test_dates_with_stray_spaces(dt, fmt, before, after, inner):
    [(value, _)] = parse([before + dt.strftime(fmt).replace(" ", inner) + after])
    assert value == datetime.strptime(dt.strftime(fmt), fmt)


# --- dates: junk never raises; it is either rejected or a real date ---------------------------------

junk = st.one_of(
    st.text(max_size=30),
    st.from_regex(r"[0-9]{1,4}[/.-][0-9]{1,4}[/.-][0-9]{1,5}( [0-9]{1,2}:[0-9]{1,2}(:[0-9]{1,2})?)?", fullmatch=True),
    st.from_regex(r"[0-9]{1,16}([.,][0-9]{0,12})?", fullmatch=True),
    st.sampled_from(["infinity", "-infinity", "epoch", "now", "today", "31/02/2025", "29/02/2025", "00/01/2025",
                     "2025-02-30", "24:00", "#N/A", "#VALUE!", "NaN", "1e5", "-45000", "0", "99999999999999",
                     "20251301000000", "2025-01-01 25:00:00", "\u00a0", " \t ", "\n"]),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(junk, min_size=1, max_size=25))
@example(["infinity", "-infinity", "epoch", "INF", "-inf"])
def test_junk_never_raises_and_never_parses_to_a_non_date(texts):
    for text, (value, finite) in zip(texts, parse(texts)):
        assert value is None or finite, (text, value)


def test_junk_rows_are_rejected_or_parsed_within_the_valid_years():
    """Through the stager itself: a junk date cell either rejects its row with a reason naming the
    field, or yields a date within valid_year_min..valid_year_max; never an error, never a silent
    non-date."""
    samples = ["infinity", "-infinity", "epoch", "31/02/2025", "2025-02-30", "0", "1", "99999",
               "45662.5", "20250106083000", "06/01/2025", "1900-01-01", "2200-01-01", "#N/A", "abc", "12/13/2025",
               "2025-01-06T08:30:00", "06-01-2025 08:30", "06.01.2025", "\u00a0", "\t", "", "  "]
    rng = random.Random(20250106)
    alphabet = "0123456789/-.:T ,#ađĐ\u00a0\t"
    samples += ["".join(rng.choice(alphabet) for _ in range(rng.randrange(1, 20))) for _ in range(60)]
    con = duckdb.connect()
    rel = con.sql("select i as _row, false as _skip, 'K-' || i as f_case_id, v as f_received_at "
                  "from (select unnest($v) as v, generate_subscripts($v, 1) as i)", params={"v": samples})
    src = RawSource(Path("junk.csv"), "csv", "cases", {"case_id": "Mã hồ sơ", "received_at": "Ngày tiếp nhận"},
                    False, rel)
    staged = stage(con, src, MAPPING, "_junk")
    rows = con.execute("select _row, _reason, received_at, isfinite(received_at) from _junk order by _row").fetchall()
    assert staged.rows_read == len(samples) == len(rows)
    ymin, ymax = app_settings.get("valid_year_min"), app_settings.get("valid_year_max")
    for (row, reason, value, finite), text in zip(rows, samples):
        if reason is not None:
            assert reason.startswith("Ngày tiếp nhận"), (text, reason)
            continue
        if text.strip(" \t\n\u00a0") == "":
            assert value is None, (text, value)
        else:
            assert value is not None and finite and ymin <= value.year <= ymax, (text, value)
    by_text = dict(zip(samples, rows))
    assert by_text["31/02/2025"][1] == 'Ngày tiếp nhận "31/02/2025" không phải ngày hợp lệ'
    assert by_text["#N/A"][1] == "Ngày tiếp nhận: ô lỗi Excel #N/A"
    assert by_text["infinity"][1] is not None
    assert by_text["1900-01-01"][1] == "Ngày tiếp nhận 01/01/1900 nằm ngoài khoảng năm 2000-2100"
    assert by_text["45662.5"][1:3] == (None, datetime(2025, 1, 5, 12, 0))
    assert by_text["20250106083000"][1:3] == (None, datetime(2025, 1, 6, 8, 30))
    for blank in ("\u00a0", "\t", "", "  "):
        assert by_text[blank][1:3] == (None, None), repr(blank)


# --- header matching ----------------------------------------------------------------------------------

def _aliases() -> list[tuple[str, tuple]]:
    out = []
    for path in sorted(Path(app_settings.get("mappings_dir")).glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for name, aliases in (data.get("fields") or {}).items():
            out += [(a, ("field", name)) for a in aliases or []]
        for name, aliases in (data.get("personal") or {}).items():
            out += [(a, ("personal", name)) for a in aliases or []]
        out += [(a, ("ignore", None)) for a in data.get("ignore") or []]
    return out


ALIASES = _aliases()
SPACES = st.sampled_from([" ", "  ", "   ", "\n", " \n", "\r\n", "\t", "\u00a0", " \u00a0 "])


@st.composite
def disguised(draw, text: str) -> str:
    """The text as a messy export might write it: random letter case, NFC or NFD, each space
    replaced by a run of spaces / line breaks / tabs / NBSP, spaces around."""
    flips = draw(st.lists(st.booleans(), min_size=len(text), max_size=len(text)))
    text = "".join(c.upper() if f else c.lower() for c, f in zip(text, flips))
    text = unicodedata.normalize(draw(st.sampled_from(["NFC", "NFD"])), text)
    parts = text.split(" ")
    out = parts[0]
    for part in parts[1:]:
        out += draw(SPACES) + part
    return draw(st.sampled_from(["", " ", "\n", "  "])) + out + draw(st.sampled_from(["", " ", "\r\n", "\u00a0"]))


def test_every_alias_is_listed_once():
    keys = [norm(a) for a, _ in ALIASES]
    assert len(ALIASES) > 100
    assert len(keys) == len(set(keys)), sorted(k for k in keys if keys.count(k) > 1)


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_disguised_alias_is_classified_as_its_field(data):
    alias, (kind, name) = data.draw(st.sampled_from(ALIASES))
    header = data.draw(disguised(alias))
    assert norm(header) == norm(alias)
    got = MAPPING.classify(header)
    assert (got[0], got[1]) == (kind, name), (alias, header, got)


# --- value words (status, channel, rating, yes/no) in SQL match the same way --------------------------

def _value_words() -> list[tuple[str, str, object]]:
    out = []
    for path in sorted(Path(app_settings.get("mappings_dir")).glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for domain, codes in (data.get("values") or {}).items():
            out += [(domain, str(w), code) for code, words in codes.items() for w in words or []]
    return out


VALUE_WORDS = _value_words()
WORD_PARAMS = _word_params(MAPPING)


@settings(max_examples=150, deadline=None)
@given(st.data())
def test_disguised_value_word_is_read_as_its_code(data):
    domain, word, code = data.draw(st.sampled_from(VALUE_WORDS))
    cell = data.draw(disguised(word))
    expr = lookup_expr("v", domain)
    if domain in ("status", "rating"):
        expr = f"cast({expr} as tinyint)"
    [(got,)] = CON.execute(f"select {expr} from (select $v as v)",
                           {"v": cell, f"w_{domain}": WORD_PARAMS[f"w_{domain}"],
                            f"c_{domain}": WORD_PARAMS[f"c_{domain}"]}).fetchall()
    expected = code if domain in ("channel", "boolean") else int(code)
    assert got == expected, (domain, word, cell, got)


def test_field_types_cover_every_mapped_field():
    assert {name for _, (kind, name) in ALIASES if kind == "field"} <= set(FIELD_TYPES)
