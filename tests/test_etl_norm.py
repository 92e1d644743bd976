"""Header and cell matching: the Python norm (headers, word lists) and its SQL twin (cells) agree."""
import unicodedata

import duckdb
from hypothesis import given, settings, strategies as st

from etl.mapping import load_mapping, norm
from etl.stage import norm_expr

MAPPING = load_mapping()
CON = duckdb.connect()


def test_old_style_tone_placement_matches():
    assert MAPPING.classify("Số hoá hồ sơ") == ("field", "digitised", 0)
    assert MAPPING.classify("SỐ HOÁ HỒ SƠ") == ("field", "digitised", 0)
    assert norm("Thuỷ lợi") == norm("Thủy lợi")
    assert norm("Hoà An") == "hòa an"


ALPHABET = "aAoOuUyYeE hóàảãạòóỏõọùúủũụýỳỷỹỵềếĐđ\t\n\u00a0"


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=ALPHABET, max_size=25), st.sampled_from(["NFC", "NFD"]))
def test_sql_norm_equals_python_norm(text, form):
    text = unicodedata.normalize(form, text)
    got = CON.execute(f"select {norm_expr('v')} from (select ?::varchar as v)", [text]).fetchall()[0][0]
    assert got == norm(text)
