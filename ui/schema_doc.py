"""Descriptions of the warehouse's tables and columns for the SQL page's schema browser, read
from docs/schema.md (tables: "## name", a "Grain: ..." line, a "| column | meaning |" table) and,
for the views of queries/views.sql, from the short texts below."""
from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

DOC = Path(__file__).resolve().parent.parent / "docs" / "schema.md"
EXAMPLES = Path(__file__).resolve().parent / "sql_examples"

VIEWS = {
    "case_facts_view": "(Bảng case_facts là bản lưu sẵn của view này, cập nhật sau mỗi lần nạp.) "
                  "Một dòng mỗi hồ sơ đã tiếp nhận (bỏ trạng thái 1, 3) với các trường đã suy ra theo quy tắc "
                  "của sản phẩm: ngày kết thúc, hạn trả (kể cả hạn tính từ thời hạn quy định), trước hạn / đúng hạn "
                  "/ quá hạn (timeliness), số ngày làm việc trễ, giảm thời gian, nhóm đất đai - xây dựng - đầu tư. "
                  "Dùng kèm hàm bảng case_period_facts(ngày_đầu, ngày_cuối) để có các cờ của một kỳ "
                  "(received_in_period, resolved_in_period, pending_at_end, pending_overdue, ...), hoặc "
                  "period_cases(ngày_đầu, ngày_cuối) để chỉ lấy các hồ sơ có phát sinh trong kỳ (nhanh hơn).",
    "case_ratings": "Một dòng mỗi lượt đánh giá của hồ sơ: bảng ratings nếu có, nếu không thì cases.rating; "
                    "satisfied = Hài lòng hoặc Rất hài lòng.",
    "feedback_facts": "Một dòng mỗi phản ánh, kiến nghị (PAKN) với ngày nhận, hạn, ngày xử lý xong và cờ đúng hạn.",
}


@lru_cache(maxsize=1)
def described(path: str = str(DOC)) -> dict[str, dict]:
    """{table: {"grain": text, "columns": {column: meaning}}} from docs/schema.md."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError:
        return {}
    tables: dict[str, dict] = {}
    current = None
    for line in text.splitlines():
        m = re.match(r"^## ([a-z_0-9]+)\s*$", line)
        if m:
            current = m.group(1)
            tables[current] = {"grain": "", "columns": {}}
            continue
        if line.startswith("## "):
            current = None
            continue
        if current is None:
            continue
        if line.startswith("Grain:"):
            tables[current]["grain"] = line[len("Grain:"):].strip()
            continue
        m = re.match(r"^\| ([a-z_0-9]+) \| (.*) \|\s*$", line)
        if m and m.group(1) != "column":
            tables[current]["columns"][m.group(1)] = m.group(2).replace("`", "")
    return tables


def table_description(table: str) -> str:
    if table in VIEWS:
        return VIEWS[table]
    return described().get(table, {}).get("grain", "")


def column_description(table: str, column: str) -> str:
    return described().get(table, {}).get("columns", {}).get(column, "")


def examples() -> list[tuple[str, str]]:
    """(title, sql) of the example queries, in file order."""
    out = []
    for path in sorted(EXAMPLES.glob("*.sql")):
        text = path.read_text(encoding="utf-8")
        first, _, rest = text.partition("\n")
        title = first.removeprefix("-- title:").strip() if first.startswith("-- title:") else path.stem
        out.append((title, rest.strip() if first.startswith("-- title:") else text.strip()))
    return out
