"""Header and value recognition, driven by the alias files in etl/mappings/*.yaml.

The code knows the canonical fields and their types; which header text means which field is
data, so a centre adds its vendor's headers without touching code.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from core import settings

# Canonical fields and how their cells are parsed. Only these names ever reach SQL text.
FIELD_TYPES: dict[str, str] = {
    "case_id": "id", "unit": "text", "procedure_code": "text", "procedure_name": "text",
    "sector_code": "text", "sector": "text", "department": "text", "handler": "text",
    "channel": "channel", "status": "status",
    "submitted_at": "ts", "received_at": "ts", "due_at": "ts", "finished_at": "ts",
    "returned_at": "ts", "rated_at": "ts", "resolved_at": "ts",
    "statutory_days": "int", "fee_amount": "money",
    "paid_online": "bool", "digitised": "bool", "e_result": "bool", "data_reused": "bool",
    "apology_sent": "bool", "full_online_eligible": "bool",
    "rating": "rating", "late_reason": "text", "feedback_id": "id",
}
PERSONAL_FIELDS = ("applicant_name", "id_number", "phone", "email", "address", "content")

# Vietnamese names of the fields, for messages to clerks.
FIELD_LABELS: dict[str, str] = {
    "case_id": "Mã hồ sơ", "unit": "Đơn vị tiếp nhận", "procedure_code": "Mã thủ tục",
    "procedure_name": "Tên thủ tục", "sector_code": "Mã lĩnh vực", "sector": "Lĩnh vực",
    "department": "Đơn vị xử lý", "handler": "Cán bộ xử lý", "channel": "Kênh tiếp nhận",
    "status": "Trạng thái", "submitted_at": "Ngày nộp", "received_at": "Ngày tiếp nhận",
    "due_at": "Ngày hẹn trả", "finished_at": "Ngày kết thúc xử lý", "returned_at": "Ngày trả kết quả",
    "rated_at": "Ngày đánh giá", "resolved_at": "Ngày trả lời", "statutory_days": "Thời hạn giải quyết",
    "fee_amount": "Phí, lệ phí", "paid_online": "Thanh toán trực tuyến", "digitised": "Số hóa hồ sơ",
    "e_result": "Kết quả điện tử", "data_reused": "Tái sử dụng dữ liệu", "apology_sent": "Thư xin lỗi",
    "full_online_eligible": "Toàn trình", "rating": "Mức độ hài lòng", "late_reason": "Lý do trễ hạn",
    "feedback_id": "Mã PAKN",
}

# Fields each kind of list stores; the kind of a file is told by which key field it has.
KIND_FIELDS: dict[str, tuple[str, ...]] = {
    "cases": ("case_id", "unit", "procedure_code", "procedure_name", "sector_code", "sector", "channel",
              "status", "submitted_at", "received_at", "due_at", "finished_at", "returned_at", "handler",
              "department", "statutory_days", "fee_amount", "paid_online", "digitised", "e_result",
              "data_reused", "rating", "rated_at", "late_reason", "apology_sent"),
    "ratings": ("case_id", "rating", "rated_at"),
    "feedback": ("feedback_id", "unit", "sector", "received_at", "due_at", "resolved_at", "rating"),
    "procedures": ("procedure_code", "procedure_name", "sector_code", "sector", "statutory_days",
                   "fee_amount", "full_online_eligible"),
}
KIND_KEY = {"cases": "case_id", "ratings": "case_id", "feedback": "feedback_id", "procedures": "procedure_code"}


# Old-style tone placement ("hoá", "thuỷ") next to the new style ("hóa", "thủy"): both occur in
# vendor exports, so matching folds the old style into the new one.
TONE_FOLD: dict[str, str] = {
    "oà": "òa", "oá": "óa", "oả": "ỏa", "oã": "õa", "oạ": "ọa",
    "oè": "òe", "oé": "óe", "oẻ": "ỏe", "oẽ": "õe", "oẹ": "ọe",
    "uỳ": "ùy", "uý": "úy", "uỷ": "ủy", "uỹ": "ũy", "uỵ": "ụy",
}
_TONE_RE = re.compile("|".join(TONE_FOLD))


def norm(text: object) -> str:
    """Matching form of a header or cell: NFC, whitespace (line breaks, NBSP) collapsed, lower case,
    old-style tone placement folded into the new style."""
    if text is None:
        return ""
    lowered = " ".join(unicodedata.normalize("NFC", str(text)).split()).lower()
    return _TONE_RE.sub(lambda m: TONE_FOLD[m.group(0)], lowered)


@dataclass
class Mapping:
    aliases: dict[str, tuple[str, int]] = field(default_factory=dict)   # norm alias -> (field, rank)
    personal: dict[str, str] = field(default_factory=dict)              # norm alias -> personal field
    ignore: set[str] = field(default_factory=set)
    values: dict[str, dict[str, object]] = field(default_factory=dict)  # domain -> norm word -> code

    def classify(self, header: str) -> tuple[str, str | None, int]:
        """('field', name, rank) | ('personal', name, 0) | ('ignore', None, 0) | ('unknown', None, 0)."""
        key = norm(header)
        if not key:
            return ("unknown", None, 0)
        if key in self.personal:
            return ("personal", self.personal[key], 0)
        if key in self.aliases:
            name, rank = self.aliases[key]
            return ("field", name, rank)
        if key in self.ignore:
            return ("ignore", None, 0)
        return ("unknown", None, 0)

    def value_lists(self, domain: str) -> tuple[list[str], list[object]]:
        words = self.values.get(domain, {})
        return list(words.keys()), list(words.values())


class MappingError(ValueError):
    pass


def load_mapping(directory: str | Path | None = None) -> Mapping:
    directory = Path(directory or settings.get("mappings_dir"))
    files = sorted(directory.glob("*.yaml"))
    if not files:
        raise MappingError(f"no mapping files in {directory}")
    mapping = Mapping()
    for path in files:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for name, aliases in (data.get("fields") or {}).items():
            if name not in FIELD_TYPES:
                raise MappingError(f"{path.name}: unknown field {name!r}")
            for rank, alias in enumerate(aliases or []):
                mapping.aliases.setdefault(norm(alias), (name, rank))
        for name, aliases in (data.get("personal") or {}).items():
            if name not in PERSONAL_FIELDS:
                raise MappingError(f"{path.name}: unknown personal field {name!r}")
            for alias in aliases or []:
                mapping.personal[norm(alias)] = name
        mapping.ignore.update(norm(a) for a in data.get("ignore") or [])
        for domain, codes in (data.get("values") or {}).items():
            target = mapping.values.setdefault(domain, {})
            for code, words in codes.items():
                for word in words or []:
                    target.setdefault(norm(word), code)
    clash = set(mapping.personal) & set(mapping.aliases)
    if clash:
        raise MappingError(f"aliases both personal and a field: {sorted(clash)}")
    return mapping


# --- header detection ---------------------------------------------------------------------

@dataclass
class Column:
    index: int
    header: str
    kind: str            # 'field' | 'personal' | 'ignore' | 'unknown'
    name: str | None     # canonical field or personal field


@dataclass
class Header:
    first_data_row: int  # 0-based index of the first row below the header
    columns: list[Column]

    def fields(self) -> dict[str, int]:
        return {c.name: c.index for c in self.columns if c.kind == "field"}

    def personal(self) -> dict[str, int]:
        return {c.name: c.index for c in self.columns if c.kind == "personal"}

    def unknown_headers(self) -> list[str]:
        return [c.header for c in self.columns if c.kind == "unknown" and c.header.strip()]


def _cell(row: list, j: int) -> str:
    v = row[j] if j < len(row) else None
    return "" if v is None else str(v).strip()


def _single(mapping: Mapping, row: list) -> list[tuple[str, tuple]]:
    return [(_cell(row, j), mapping.classify(_cell(row, j))) for j in range(len(row))]


def _double(mapping: Mapping, top: list, bottom: list) -> list[tuple[str, tuple]]:
    width = max(len(top), len(bottom))
    filled: list[str] = []
    for j in range(width):
        t, b = _cell(top, j), _cell(bottom, j)
        # A group header merged across columns is stored in its first cell only.
        if not t and b and j > 0 and _cell(bottom, j - 1) and filled[j - 1]:
            t = filled[j - 1]
        filled.append(t)
    out = []
    for j in range(width):
        t, b = filled[j], _cell(bottom, j)
        candidates = [f"{t} {b}".strip(), b] if b else [t]
        best = ("unknown", None, 0)
        text = candidates[0]
        for cand in candidates:
            got = mapping.classify(cand)
            if got[0] != "unknown":
                best, text = got, cand
                break
        out.append((text, best))
    return out


def _score(classified: list[tuple[str, tuple]]) -> int:
    return sum(1 for _, c in classified if c[0] in ("field", "personal"))


KEY_FIELDS = ("case_id", "feedback_id", "procedure_code")


def find_header(mapping: Mapping, rows: list[list], max_scan: int = 40) -> Header | None:
    """Find the header below any title rows: the row (or pair of rows, for a two-row merged
    header) that names the most known columns and includes a key field."""
    best: tuple[int, int, list] | None = None  # (score, first_data_row, classified)
    for i in range(min(len(rows), max_scan)):
        options = [(i + 1, _single(mapping, rows[i]))]
        if i + 1 < len(rows):
            options.append((i + 2, _double(mapping, rows[i], rows[i + 1])))
        for first_data, classified in options:
            names = {c[1] for _, c in classified if c[0] == "field"}
            if not names & set(KEY_FIELDS):
                continue
            score = _score(classified)
            if score >= 2 and (best is None or score > best[0]):
                best = (score, first_data, classified)
    if best is None:
        return None
    _, first_data, classified = best
    columns: list[Column] = []
    taken: dict[str, tuple[int, int]] = {}  # field -> (rank, position in columns)
    for j, (text, (kind, name, rank)) in enumerate(classified):
        col = Column(j, text, kind, name)
        if kind == "field":
            # Two columns for one field (e.g. "Cán bộ tiếp nhận" and "Cán bộ xử lý"): the alias
            # listed first in the mapping wins, the other column is ignored.
            if name in taken:
                prev_rank, pos = taken[name]
                if rank < prev_rank:
                    columns[pos].kind, columns[pos].name = "ignore", None
                else:
                    col.kind, col.name = "ignore", None
            if col.kind == "field":
                taken[name] = (rank, len(columns))
        columns.append(col)
    return Header(first_data, columns)


def detect_kind(fields: set[str]) -> str | None:
    if "feedback_id" in fields:
        return "feedback"
    if "case_id" in fields:
        case_markers = {"received_at", "submitted_at", "status", "procedure_code", "procedure_name",
                        "due_at", "finished_at", "channel"}
        if fields & case_markers:
            return "cases"
        if "rating" in fields:
            return "ratings"
        return "cases"
    if "procedure_code" in fields and fields & {"procedure_name", "statutory_days", "full_online_eligible"}:
        return "procedures"
    return None


_ERROR_CELL = re.compile(r"^#(N/A|VALUE!|REF!|DIV/0!|NAME\?|NUM!|NULL!|SPILL!|CALC!)$")
