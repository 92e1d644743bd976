"""The first rows of each worksheet of an .xlsx file, read from its XML without parsing the sheet.

fastexcel (calamine) parses a whole sheet before it returns any cell, then converts every column to
Arrow. The load reads the title and header rows here first (a few KB of XML), so that fastexcel
converts only the columns the warehouse keeps: the applicant's name, phone, address and e-mail are
never converted at all (etl.readers.read_xlsx_sheet; docs/performance.md, round 10).

The cells are for the header scan only: shared and inline strings as text, other values as the XML
holds them. Whatever this reader gets wrong, the caller finds out (the header fastexcel's cells give
must be the same) and reads every column instead. Anything unusual returns None for the same reason.
"""
from __future__ import annotations

import posixpath
import re
import zipfile
from pathlib import Path
from xml.etree.ElementTree import ParseError, iterparse

_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_DOC_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_SHARED_STRINGS_TYPE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings"
# A workbook whose header strings are not near the start of its shared strings (written in another
# order than first use): not worth parsing the rest of a million-row table for; read every column.
MAX_SHARED_STRINGS = 100_000
_CELL_REF = re.compile(r"([A-Z]+)([0-9]+)$")


def _column_index(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n - 1


def _target(base: str, target: str) -> str:
    return target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join(base, target))


def _sheets(zf: zipfile.ZipFile) -> tuple[list[tuple[str, str]], str | None]:
    """[(sheet name, zip member)] in workbook order, and the shared strings' member."""
    rels: dict[str, str] = {}
    shared = None
    with zf.open("xl/_rels/workbook.xml.rels") as fh:
        for _, el in iterparse(fh):
            if el.tag == _PKG_REL + "Relationship":
                rels[el.get("Id")] = _target("xl", el.get("Target", ""))
                if el.get("Type") == _SHARED_STRINGS_TYPE:
                    shared = rels[el.get("Id")]
    sheets = []
    with zf.open("xl/workbook.xml") as fh:
        for _, el in iterparse(fh):
            if el.tag == _MAIN + "sheet":
                sheets.append((el.get("name"), rels[el.get(_DOC_REL + "id")]))
    return sheets, shared


def _rows(zf: zipfile.ZipFile, member: str, n_rows: int) -> list[list]:
    """The sheet's rows 1..n_rows as lists from column A: text, ('s', index) for a shared string,
    or None."""
    rows: list[list] = [[] for _ in range(n_rows)]
    with zf.open(member) as fh:
        row_no = 0
        for _, el in iterparse(fh):
            if el.tag != _MAIN + "row":
                continue
            row_no = int(el.get("r") or row_no + 1)
            if row_no > n_rows:
                break
            col = -1
            cells = rows[row_no - 1]
            for c in el.iter(_MAIN + "c"):
                ref = _CELL_REF.match(c.get("r") or "")
                col = _column_index(ref.group(1)) if ref else col + 1
                kind = c.get("t")
                if kind == "inlineStr":
                    value = "".join(t.text or "" for t in c.iter(_MAIN + "t"))
                else:
                    v = c.find(_MAIN + "v")
                    value = None if v is None or v.text is None else (("s", int(v.text)) if kind == "s" else v.text)
                cells.extend([None] * (col + 1 - len(cells)))
                cells[col] = value
            el.clear()
    width = max((len(r) for r in rows), default=0)
    return [r + [None] * (width - len(r)) for r in rows]


def _shared_strings(zf: zipfile.ZipFile, member: str, wanted: set[int]) -> dict[int, str] | None:
    found: dict[int, str] = {}
    last = max(wanted)
    if last >= MAX_SHARED_STRINGS:
        return None
    with zf.open(member) as fh:
        i = 0
        for _, el in iterparse(fh):
            if el.tag != _MAIN + "si":
                continue
            if i in wanted:
                # plain <t>, or rich-text runs <r><t>; phonetic runs (<rPh>) are not the cell's text
                parts = [ch.text or "" for ch in el if ch.tag == _MAIN + "t"]
                parts += [t.text or "" for r in el if r.tag == _MAIN + "r" for t in r.iter(_MAIN + "t")]
                found[i] = "".join(parts)
            el.clear()
            if i == last:
                return found
            i += 1
    return None


def top_rows(path: Path, n_rows: int = 40) -> list[tuple[str, list[list[str | None]]]] | None:
    """[(sheet name, its first n_rows rows as text cells from column A)] in workbook order, or None
    when the file is not laid out as expected."""
    try:
        with zipfile.ZipFile(path) as zf:
            sheets, shared = _sheets(zf)
            out = [(name, _rows(zf, member, n_rows)) for name, member in sheets]
            wanted = {v[1] for _, rows in out for r in rows for v in r if isinstance(v, tuple)}
            strings = {}
            if wanted:
                strings = _shared_strings(zf, shared, wanted) if shared else None
                if strings is None:
                    return None
            return [(name, [[strings[v[1]] if isinstance(v, tuple) else v for v in r] for r in rows])
                    for name, rows in out]
    except (OSError, KeyError, ValueError, ParseError, zipfile.BadZipFile):
        return None
