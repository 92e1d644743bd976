"""Loading uploaded export files: save each under its original name in a temporary folder and
load them all at once with etl.load.load_files (all or nothing). Every failure becomes a
Vietnamese message; nothing raises to the page and the previous database stays as it was."""
from __future__ import annotations

import logging
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Protocol

from core import auth

log = logging.getLogger("tthc.ui")

KINDS = {"cases": "Hồ sơ", "ratings": "Đánh giá", "feedback": "PAKN", "procedures": "Danh mục TTHC"}


class Upload(Protocol):
    name: str

    def getbuffer(self): ...


@dataclass
class Outcome:
    ok: bool
    message: str
    files: list[dict] = field(default_factory=list)   # per-file accounting (etl.load.FileResult)


def safe_name(name: str) -> str:
    """The file name without any folder part (an upload's name is the user's, not a path)."""
    base = Path(str(name).replace("\\", "/")).name.strip()
    return base if base not in ("", ".", "..") else "tep_tai_len"


def load_uploads(db: str | Path, files: Iterable[Upload], unit: str | None = None,
                 user: auth.User | None = None) -> Outcome:
    """Load uploaded files for `user`, who must have the upload permission (checked here, at the
    action, whatever the page showed)."""
    from etl import atomic
    from etl.load import LoadError, load_files
    from etl.mapping import MappingError

    try:
        auth.require(user, "upload")
    except auth.PermissionDenied as exc:
        return Outcome(False, str(exc))
    files = list(files)
    if not files:
        return Outcome(False, "Chưa chọn tệp nào.")
    try:
        with tempfile.TemporaryDirectory(prefix="tthc-upload-") as tmp:
            paths = []
            for i, up in enumerate(files):
                folder = Path(tmp) / str(i)  # one folder per upload: two files may share a name
                folder.mkdir()
                path = folder / safe_name(up.name)
                path.write_bytes(bytes(up.getbuffer()))
                paths.append(path)
            results = load_files(Path(db), paths, unit=unit or None)
    except LoadError as exc:
        return Outcome(False, f"Không đọc được tệp {exc.file_name}: {exc.reason}. Không có gì được nạp; "
                              "dữ liệu cũ giữ nguyên.")
    except atomic.LoadBusy as exc:
        return Outcome(False, f"{exc} Dữ liệu cũ giữ nguyên.")
    except MappingError as exc:
        return Outcome(False, f"Tệp ánh xạ tiêu đề cột bị lỗi: {exc}. Không có gì được nạp.")
    except Exception:
        log.exception("loading uploads failed")
        return Outcome(False, "Không nạp được các tệp do lỗi ngoài dự kiến (chi tiết đã ghi vào nhật ký máy chủ). "
                              "Không có gì được nạp; dữ liệu cũ giữ nguyên.")
    rows = [{"file_name": r.file_name, "format": r.format, "kind": KINDS.get(r.kind, r.kind),
             "rows_read": r.rows_read, "rows_inserted": r.rows_inserted, "rows_updated": r.rows_updated,
             "rows_unchanged": r.rows_unchanged, "rows_rejected": r.rows_rejected,
             "unknown_headers": ", ".join(r.unknown_headers)} for r in results]
    rejected = sum(r["rows_rejected"] for r in rows)
    return Outcome(True, f"Đã nạp {len(rows)} tệp" + (f"; {rejected} dòng bị loại." if rejected else "."), rows)
