"""Write the golden export files the ETL tests load (tests/test_etl_golden.py and friends).

Each file reproduces one vendor format and its quirks (see the docstring of each writer). The
output is deterministic: fixed data, pinned xlsx document properties (which also pin the zip
timestamps), fixed line endings and key order, so regenerating gives the same bytes; the test
suite checks that.

    python tests/golden/make_golden.py [OUT_DIR]     # default: this folder

All names, phone numbers, ID numbers, e-mail and postal addresses are made up.
"""
from __future__ import annotations

import codecs
import json
import sys
import unicodedata
from datetime import datetime
from pathlib import Path

import xlsxwriter

HERE = Path(__file__).resolve().parent
CREATED = datetime(2025, 2, 1, 8, 0, 0)

# Every personal value written into any golden file. None of them may reach the database.
PERSONAL_VALUES = (
    # vendor xlsx: Chủ hồ sơ, Số điện thoại, Địa chỉ, Email, Số CCCD
    "Trần Thị Bích Ngọc", "0912345678", "Số 12 đường Lê Lợi, thôn Đông", "ngoc.tran@example.vn", "001190012345",
    "Đỗ Minh Khôi", "0903111222", "Tổ 5, khu phố Bắc Sơn", "khoi.do@example.vn", "079 085 001 234",
    "Vũ Thị Lan Hương", "0977000111", "Xóm Trại, thôn Tây", "huong.vu@example.vn", "036192004567",
    "Hoàng Văn Em", "0987 654 321", "Số 7 ngõ 3 phố Chợ", "em.hoang@example.vn", "038088009876",
    "Bùi Quang Lâm", "0934555666", "Thôn Hạ Vũ", "lam.bui@example.vn", "001201003344",
    # UTF-8 CSV: Người nộp, Điện thoại, Địa chỉ liên hệ
    "Ngô Thanh Tùng", "0911222333", "Số 45 đường Trần Phú",
    "Lý Thị Mai Anh", "0966777888", "Ấp Phú Hòa, xã Bình Minh",
    "Đặng Văn Sáu", "0822333444", "Thôn Lạc Trung",
    # BOM ; CSV: Họ và tên, SĐT, E-mail
    "Phan Thị Thu Trang", "0388999000", "trang.phan@example.vn",
    "Châu Văn Tài", "0355111999", "tai.chau@example.vn",
    # UTF-16 text: Họ và tên, Số CCCD
    "Mạc Thị Hồng Nhung", "031195000777",
    "Kiều Văn Bảo", "031087000888",
    # DVCQG json/jsonl: ChuHoSo, SoGiayToChuHoSo, SoDienThoai, Email (and a name inside a nested
    # result document title, which must not leak either)
    "Tạ Quốc Huy", "040090001111", "0945123456", "huy.ta@example.vn",
    "Lưu Thị Diệu Linh", "040192002222", "0913456789", "linh.luu@example.vn",
    "Quách Văn Thành", "040085003333", "0868123123", "thanh.quach@example.vn",
    "Trịnh Thị Hạnh", "040196004444", "0899456456", "hanh.trinh@example.vn",
    "Giáp Văn Long", "040070005555", "0707123789", "long.giap@example.vn",
    # ratings CSV: Họ tên
    "Mai Xuân Trường",
    # PAKN xlsx: Người phản ánh, Số điện thoại, Nội dung phản ánh
    "La Văn Phúc", "0399123321", "Đường thôn Đông bị ngập, đề nghị khơi thông cống",
    "Tôn Nữ Thanh Vân", "0388765432", "Cán bộ tiếp nhận chậm trả kết quả hồ sơ đất đai",
    "Âu Dương Khải", "0377000999", "Đề nghị niêm yết công khai lệ phí chứng thực",
    # rejects CSV / xlsx: Chủ hồ sơ
    "Thái Bá Nghĩa", "Khúc Thị Yến", "Lạc Văn Hòa", "Ông Thị Sen", "Phí Văn Đạt", "Nông Thị Hằng",
)

TITLE = "DANH SÁCH HỒ SƠ TIẾP NHẬN VÀ GIẢI QUYẾT THỦ TỤC HÀNH CHÍNH"


def serial(dt: datetime) -> float:
    """Excel serial day number (1900 date system) of a datetime."""
    return (dt - datetime(1899, 12, 30)).total_seconds() / 86400


def _workbook(path: Path) -> xlsxwriter.Workbook:
    wb = xlsxwriter.Workbook(str(path))
    wb.set_properties({"title": path.stem, "author": "golden", "created": CREATED})
    return wb


# --- procedure catalogue ---------------------------------------------------------------------

def write_catalogue(out: Path) -> None:
    """bo_tthc.xlsx: one title row, a single-row header, statutory time as a number or
    "Trong ngày", fee as "Miễn phí" / "75.000" / a number, Toàn trình as x/blank."""
    wb = _workbook(out / "bo_tthc.xlsx")
    ws = wb.add_worksheet("Bộ TTHC")
    ws.write(0, 0, "DANH MỤC THỦ TỤC HÀNH CHÍNH CẤP XÃ")
    header = ["STT", "Mã thủ tục", "Tên thủ tục hành chính", "Lĩnh vực",
              "Thời hạn giải quyết (ngày làm việc)", "Phí, lệ phí", "Toàn trình"]
    ws.write_row(2, 0, header)
    rows = [
        (1, "1.000001.000.00.00.H26", "Đăng ký khai sinh", "Hộ tịch", 3, "Miễn phí", "x"),
        (2, "1.000002.000.00.00.H26", "Chứng thực bản sao từ bản chính", "Chứng thực", "Trong ngày", "2.000", None),
        (3, "1.000003.000.00.00.H26", "Cấp giấy phép xây dựng nhà ở riêng lẻ", "Xây dựng", 15, 75000, "x"),
        (4, "1.000004.000.00.00.H26", "Đăng ký kết hôn", "Hộ tịch", 5, "Miễn phí", None),
    ]
    for i, row in enumerate(rows):
        for j, v in enumerate(row):
            if v is not None:
                ws.write(3 + i, j, v)
    wb.close()


# --- vendor A: the full "danh sách hồ sơ" layout ---------------------------------------------

def write_vendor_xlsx(out: Path) -> None:
    """ho_so_vendorA.xlsx: title rows, a blank row, a two-row header with merged cells (the group
    "Ngày" over tiếp nhận / hẹn trả / kết thúc xử lý / trả kết quả, the group "Thông tin người
    nộp" over the personal columns, every other header merged vertically), the handler header in
    NFD with a line break and double spaces, a column-number row (1) (2) ..., a blank row between
    cases, and a trailing "Tổng cộng" row. Received dates are Excel datetime cells (one text
    dd/mm/yyyy), due dates Excel serial numbers, finish dates text dd/mm/yyyy HH:mm, return dates
    text dd/mm/yyyy. Yes/no as Có/Không (Số hóa, thư xin lỗi), x/blank (Kết quả điện tử) and 1/0
    (Thanh toán trực tuyến)."""
    wb = _workbook(out / "ho_so_vendorA.xlsx")
    ws = wb.add_worksheet("Danh sách")
    bold = wb.add_format({"bold": True, "align": "center", "valign": "vcenter", "text_wrap": True})
    dt_fmt = wb.add_format({"num_format": "dd/mm/yyyy hh:mm"})
    ncols = 24
    ws.merge_range(0, 0, 0, ncols - 1, TITLE, bold)
    ws.merge_range(1, 0, 1, ncols - 1, "Từ ngày 01/01/2025 đến ngày 31/01/2025", bold)
    # row 2 (Excel row 3) stays blank
    handler = unicodedata.normalize("NFD", "Cán  bộ\nxử lý")
    single = {0: "STT", 1: "Mã hồ sơ", 2: "Mã thủ tục", 3: "Tên thủ tục hành chính", 4: "Lĩnh vực",
              5: "Kênh tiếp nhận", 10: "Trạng thái", 16: handler, 17: "Phí, lệ phí", 18: "Số hóa hồ sơ",
              19: "Kết quả điện tử", 20: "Thanh toán trực tuyến", 21: "Đánh giá", 22: "Lý do trễ hạn",
              23: "Đã gửi thư xin lỗi"}
    for col, text in single.items():
        ws.merge_range(3, col, 4, col, text, bold)
    ws.merge_range(3, 6, 3, 9, "Ngày", bold)
    for col, text in zip(range(6, 10), ["tiếp nhận", "hẹn trả", "kết thúc xử lý", "trả kết quả"]):
        ws.write(4, col, text, bold)
    ws.merge_range(3, 11, 3, 15, "Thông tin người nộp", bold)
    for col, text in zip(range(11, 16), ["Chủ hồ sơ", "Số điện thoại", "Địa chỉ", "Email", "Số CCCD"]):
        ws.write(4, col, text, bold)
    for col in range(ncols):
        ws.write_string(5, col, f"({col + 1})")

    p = PERSONAL_VALUES
    cases = [
        # Excel row 7
        dict(stt=1, id="H26.01-250106-0001", code="1.000001.000.00.00.H26", name="Đăng ký khai sinh",
             sector="Hộ tịch", channel="Trực tiếp", received=datetime(2025, 1, 6, 8, 30),
             due=serial(datetime(2025, 1, 9, 12, 0)), finished="08/01/2025 16:15", returned="09/01/2025",
             status="Đã trả kết quả", person=p[0:5], handler="Nguyễn Văn An", fee="Miễn phí", digitised="Có",
             e_result="x", paid=0, rating="Rất hài lòng", late=None, apology="Không"),
        # Excel row 8
        dict(stt=2, id="H26.01-250107-0002", code="1.000003.000.00.00.H26",
             name="Cấp giấy phép xây dựng nhà ở riêng lẻ", sector="Xây dựng", channel="Trực tuyến",
             received=datetime(2025, 1, 7, 14, 0), due=serial(datetime(2025, 1, 20, 17, 0)),
             finished="22/01/2025 09:05", returned=None, status="Đã xử lý xong", person=p[5:10],
             handler="Lê Thị Cúc", fee="75.000", digitised="Không", e_result=None, paid=1,
             rating="Không hài lòng", late="Chờ ý kiến phòng Kinh tế, Hạ tầng", apology="Có"),
        # Excel row 9
        dict(stt=3, id="H26.01-250108-0003", code="1.000002.000.00.00.H26",
             name="Chứng thực bản sao từ bản chính", sector="Chứng thực",
             channel="Qua dịch vụ bưu chính công ích", received=datetime(2025, 1, 8, 10, 0), due=None,
             finished=None, returned=None, status="Đang xử lý", person=p[10:15], handler="Phạm  Văn Dũng",
             fee=None, digitised=None, e_result=None, paid=None, rating=None, late=None, apology=None),
        # Excel row 10
        dict(stt=4, id="H26.01-250109-0004", code="1.000001.000.00.00.H26", name="Đăng ký khai sinh",
             sector="Hộ tịch", channel="Trực tuyến", received=datetime(2025, 1, 9, 17, 30), due=None,
             finished=None, returned=None, status="Mới tiếp nhận", person=p[15:20],
             handler="Tổng Thị Hoa", fee="Miễn phí", digitised="Có", e_result=None, paid=0, rating=None,
             late=None, apology=None),
        None,  # Excel row 11: a blank row between cases
        # Excel row 12
        dict(stt=5, id="H26.01-250110-0005", code="1.000004.000.00.00.H26", name="Đăng ký kết hôn",
             sector="Hộ tịch", channel="Bưu chính", received="10/01/2025", due=45679,
             finished="13/01/2025 10:00", returned=None, status="Công dân yêu cầu rút hồ sơ",
             person=p[20:25], handler="Nguyễn Văn An", fee=2000, digitised="Không", e_result=None,
             paid=0, rating=None, late=None, apology=None),
    ]
    row = 6
    for case in cases:
        if case is None:
            row += 1
            continue
        ws.write_number(row, 0, case["stt"])
        ws.write_string(row, 1, case["id"])
        ws.write_string(row, 2, case["code"])
        ws.write_string(row, 3, case["name"])
        ws.write_string(row, 4, case["sector"])
        ws.write_string(row, 5, case["channel"])
        if isinstance(case["received"], datetime):
            ws.write_datetime(row, 6, case["received"], dt_fmt)
        else:
            ws.write_string(row, 6, case["received"])
        if case["due"] is not None:
            ws.write_number(row, 7, case["due"])
        for col, key in ((8, "finished"), (9, "returned")):
            if case[key] is not None:
                ws.write_string(row, col, case[key])
        ws.write_string(row, 10, case["status"])
        for k, v in enumerate(case["person"]):
            ws.write_string(row, 11 + k, v)
        ws.write_string(row, 16, case["handler"])
        for col, key in ((17, "fee"), (18, "digitised"), (19, "e_result"), (20, "paid"), (21, "rating"),
                         (22, "late"), (23, "apology")):
            if case[key] is not None:
                ws.write(row, col, case[key])
        row += 1
    ws.merge_range(row, 0, row, 4, "Tổng cộng", bold)
    ws.write_string(row, 5, "5 hồ sơ")
    wb.close()


# --- CSV variants -----------------------------------------------------------------------------

def _csv_line(cells: list, delim: str) -> str:
    out = []
    for c in cells:
        c = "" if c is None else str(c)
        if any(ch in c for ch in (delim, '"', "\n", "\r")):
            c = '"' + c.replace('"', '""') + '"'
        out.append(c)
    return delim.join(out)


def write_csv_utf8(out: Path) -> None:
    """ho_so_utf8.csv: UTF-8 without BOM, comma, RFC 4180 quoting (a reason with a comma and a
    quote), CRLF; dates as dd/mm/yyyy HH:mm:ss, ISO with a space and ISO with T; yes/no as 1/0;
    a unit column; vendor B's header names."""
    header = ["Số hồ sơ", "Đơn vị tiếp nhận", "Tên thủ tục", "Mã TTHC", "Tên lĩnh vực", "Hình thức nộp",
              "Trạng thái hồ sơ", "Ngày nhận hồ sơ", "Hạn xử lý", "Ngày hoàn thành", "Ngày trả", "Người xử lý",
              "Lệ phí", "Hồ sơ có thành phần số hóa", "Có kết quả điện tử", "Lý do trễ hạn",
              "Người nộp", "Điện thoại", "Địa chỉ liên hệ"]
    p = PERSONAL_VALUES
    rows = [
        ["B-2025-0201", "UBND xã Bình Minh", "Chứng thực bản sao từ bản chính", "1.000002.000.00.00.H26",
         "Chứng thực", "Trực tiếp", "Đã trả kết quả", "03/02/2025 08:05:09", "03/02/2025 17:00:00",
         "2025-02-03 15:20:00", "2025-02-03T16:45:30", "Nguyễn Văn An", "2000", "1", "0", None,
         p[25], p[26], p[27]],
        ["B-2025-0202", "UBND xã Bình Minh", "Cấp giấy phép xây dựng nhà ở riêng lẻ", "1.000003.000.00.00.H26",
         "Xây dựng", "Dịch vụ công trực tuyến", "Yêu cầu bổ sung giấy tờ", "2025-02-04 09:00:00",
         "2025-02-25T17:00:00", None, None, "Lê Thị Cúc", "75,000", "0", "0",
         'Thiếu bản vẽ, chờ "bổ sung"', p[28], p[29], p[30]],
        ["B-2025-0203", "UBND xã Bình Minh", "Đăng ký kết hôn", "1.000004.000.00.00.H26", "Hộ tịch",
         "Qua bưu điện", "Đã xử lý xong", "05/02/2025 14:10:00", "12/02/2025 17:00:00",
         "12/02/2025 10:00:00", None, "Phạm Văn Dũng", "0", "1", "1", None, p[31], p[32], p[33]],
    ]
    text = "\r\n".join(_csv_line(r, ",") for r in [header] + rows) + "\r\n"
    (out / "ho_so_utf8.csv").write_bytes(text.encode("utf-8"))


def write_csv_bom_semicolon(out: Path) -> None:
    """ho_so_bom_semicolon.csv: UTF-8 with BOM, ';' delimiter (Excel in a Vietnamese locale),
    title lines and a blank line above the header, a column-number line, fee "1.500.000" and
    "50.000 đ", a "Tổng cộng" line at the end."""
    header = ["STT", "Mã hồ sơ", "Thủ tục", "Mã thủ tục", "Lĩnh vực", "Kênh tiếp nhận", "Trạng thái",
              "Ngày tiếp nhận", "Ngày hẹn trả", "Ngày kết thúc xử lý", "Cán bộ xử lý", "Phí, lệ phí",
              "Thanh toán trực tuyến", "Họ và tên", "SĐT", "E-mail"]
    p = PERSONAL_VALUES
    width = len(header)
    lines = [
        ["DANH SÁCH HỒ SƠ ĐÃ GIẢI QUYẾT"] + [""] * (width - 1),
        ["Từ ngày 01/03/2025 đến ngày 31/03/2025"] + [""] * (width - 1),
        [""] * width,
        header,
        [f"({i + 1})" for i in range(width)],
        ["1", "C-2025-0301", "Cấp giấy phép xây dựng nhà ở riêng lẻ", "1.000003.000.00.00.H26", "Xây dựng",
         "Trực tuyến", "Đã trả kết quả", "03/03/2025 08:00", "24/03/2025", "20/03/2025 16:00",
         "Lê Thị Cúc", "1.500.000", "Có", p[34], p[35], p[36]],
        ["2", "C-2025-0302", "Đăng ký khai sinh", "1.000001.000.00.00.H26", "Hộ tịch", "Trực tiếp",
         "Đã trả kết quả", "04/03/2025 09:30", "07/03/2025", "06/03/2025 11:00", "Nguyễn Văn An",
         "50.000 đ", "Không", p[37], p[38], p[39]],
        ["Tổng cộng", "2"] + [""] * (width - 2),
    ]
    text = "\r\n".join(_csv_line(r, ";") for r in lines) + "\r\n"
    (out / "ho_so_bom_semicolon.csv").write_bytes(codecs.BOM_UTF8 + text.encode("utf-8"))


def write_unicode_text(out: Path) -> None:
    """ho_so_unicode.txt: Excel "Unicode Text": UTF-16 LE with BOM, TAB, CRLF; header cells in
    NFD; a submitted date beside the received date; Số CCCD (hashed only with a salt)."""
    header = ["Mã số hồ sơ", "Thủ tục", "Mã thủ tục", "Lĩnh vực", "Kênh thực hiện", "Trạng thái",
              "Ngày nộp", "Ngày tiếp nhận", "Ngày hẹn trả kết quả", "Ngày có kết quả", "Cán bộ tiếp nhận",
              "Số CCCD", "Họ và tên"]
    header = [unicodedata.normalize("NFD", h) for h in header]
    p = PERSONAL_VALUES
    rows = [
        ["U-2025-0401", "Đăng ký khai sinh", "1.000001.000.00.00.H26", "Hộ tịch", "Trực tuyến", "Đã trả",
         "31/03/2025 22:10", "01/04/2025 07:40", "04/04/2025 17:00", "03/04/2025 09:00", "Nguyễn Văn An",
         p[41], p[40]],
        ["U-2025-0402", "Đăng ký kết hôn", "1.000004.000.00.00.H26", "Hộ tịch", "Trực tiếp", "Dừng xử lý",
         "02/04/2025 08:00", "02/04/2025 08:00", "09/04/2025 17:00", None, "Phạm Văn Dũng",
         p[43], p[42]],
    ]
    text = "\r\n".join("\t".join("" if c is None else c for c in r) for r in [header] + rows) + "\r\n"
    (out / "ho_so_unicode.txt").write_bytes(codecs.BOM_UTF16_LE + text.encode("utf-16-le"))


# --- DVCQG JSON / JSONL ---------------------------------------------------------------------

def _dvcqg_cases() -> list[dict]:
    p = PERSONAL_VALUES
    return [
        {"MaHoSo": "G-2025-0501", "MaTTHC": "1.000003.000.00.00.H26",
         "TenTTHC": "Cấp giấy phép xây dựng nhà ở riêng lẻ", "MaLinhVuc": "XD", "TenLinhVuc": "Xây dựng",
         "KenhThucHien": 2, "ChuHoSo": p[44], "SoGiayToChuHoSo": p[45], "SoDienThoai": p[46], "Email": p[47],
         "NgayNopHoSo": "20250505071500", "NgayTiepNhan": "20250505080000", "NgayHenTra": "20250526170000",
         "NgayKetThucXuLy": "20250523103000", "NgayTra": "20250526090000", "TrangThaiHoSo": 10,
         "DonViXuLy": "Bộ phận Địa chính - Xây dựng", "HoSoCoThanhPhanSoHoa": 1, "DuocThanhToanTrucTuyen": 2,
         "DanhSachLePhi": [{"TenPhiLePhi": "Lệ phí cấp phép", "Gia": 50000},
                           {"TenPhiLePhi": "Phí thẩm định", "Gia": "25000"}],
         "DanhSachGiayToKetQua": [{"TenGiayTo": f"Giấy phép xây dựng cấp cho {p[44]}",
                                   "DuongDanTepTinKetQua": "https://example.vn/kq/0501.pdf"}],
         "TaiLieuNop": [{"TenTepDinhKem": "don.pdf", "DuocSoHoa": 1, "DuocTaiSuDung": 0, "DuocLayTuKhoDMQG": 1}]},
        {"MaHoSo": "G-2025-0502", "MaTTHC": "1.000001.000.00.00.H26", "TenTTHC": "Đăng ký khai sinh",
         "MaLinhVuc": "HT", "TenLinhVuc": "Hộ tịch", "KenhThucHien": 1, "ChuHoSo": p[48],
         "SoGiayToChuHoSo": p[49], "SoDienThoai": p[50], "Email": p[51],
         "NgayNopHoSo": "20250506090000", "NgayTiepNhan": "20250506091500",
         "TrangThaiHoSo": 4, "DonViXuLy": "Bộ phận Tư pháp - Hộ tịch", "HoSoCoThanhPhanSoHoa": 0,
         "DuocThanhToanTrucTuyen": 0, "DanhSachLePhi": [], "DanhSachGiayToKetQua": [],
         "TaiLieuNop": [{"TenTepDinhKem": "to_khai.pdf", "DuocSoHoa": 0, "DuocTaiSuDung": 0,
                         "DuocLayTuKhoDMQG": 0}]},
        {"MaHoSo": "G-2025-0503", "MaTTHC": "9.999999.000.00.00.H26", "TenTTHC": "Thủ tục chưa có trong danh mục",
         "MaLinhVuc": "KH", "TenLinhVuc": "Khác", "KenhThucHien": 3, "ChuHoSo": p[52],
         "SoGiayToChuHoSo": p[53], "SoDienThoai": p[54], "Email": p[55],
         "NgayNopHoSo": "20250507100000", "NgayTiepNhan": "20250507100000", "NgayHenTra": "",
         "TrangThaiHoSo": "5", "DonViXuLy": "Bộ phận Tư pháp - Hộ tịch", "HoSoCoThanhPhanSoHoa": 1,
         "DuocThanhToanTrucTuyen": 1, "DanhSachLePhi": [{"TenPhiLePhi": "Lệ phí", "Gia": 30000}],
         "DanhSachGiayToKetQua": [], "TaiLieuNop": []},
    ]


def _dvcqg_lines() -> list[dict]:
    p = PERSONAL_VALUES
    return [
        {"MaHoSo": "L-2025-0601", "MaTTHC": "1.000002.000.00.00.H26", "TenTTHC": "Chứng thực bản sao từ bản chính",
         "MaLinhVuc": "CT", "TenLinhVuc": "Chứng thực", "KenhThucHien": "2", "ChuHoSo": p[56],
         "SoGiayToChuHoSo": p[57], "SoDienThoai": p[58], "Email": p[59],
         "NgayNopHoSo": "20250602073000", "NgayTiepNhan": "20250602080000", "NgayHenTra": "20250602170000",
         "NgayKetThucXuLy": "20250602113000", "NgayTra": "20250602140000", "TrangThaiHoSo": "10",
         "DonViXuLy": "Bộ phận Tư pháp - Hộ tịch", "HoSoCoThanhPhanSoHoa": "1", "DuocThanhToanTrucTuyen": "1",
         "DanhSachLePhi": [{"TenPhiLePhi": "Phí chứng thực", "Gia": 2000}],
         "DanhSachGiayToKetQua": [{"TenGiayTo": "Bản sao chứng thực"}],
         "TaiLieuNop": [{"DuocSoHoa": "1", "DuocTaiSuDung": "1", "DuocLayTuKhoDMQG": "0"}]},
        {"MaHoSo": "L-2025-0602", "MaTTHC": "1.000004.000.00.00.H26", "TenTTHC": "Đăng ký kết hôn",
         "MaLinhVuc": "HT", "TenLinhVuc": "Hộ tịch", "KenhThucHien": "1", "ChuHoSo": p[60],
         "SoGiayToChuHoSo": p[61], "SoDienThoai": p[62], "Email": p[63],
         "NgayNopHoSo": "20250603080000", "NgayTiepNhan": "20250603080000", "NgayHenTra": "20250610170000",
         "NgayKetThucXuLy": "20250611090000", "TrangThaiHoSo": "9", "DonViXuLy": "Bộ phận Tư pháp - Hộ tịch",
         "HoSoCoThanhPhanSoHoa": "0", "DuocThanhToanTrucTuyen": "0", "DanhSachLePhi": [],
         "DanhSachGiayToKetQua": [], "TaiLieuNop": []},
    ]


def write_dvcqg(out: Path) -> None:
    """dvcqg.json: a JSON array of DVCQG sync objects (numbers as numbers, one case without
    NgayHenTra whose procedure has a statutory time, one with an empty NgayHenTra and a procedure
    no catalogue knows); dvcqg.jsonl: one object per line (numbers as strings);
    dvcqg_lines_named.csv: the same JSONL bytes under a .csv name (format told from content)."""
    (out / "dvcqg.json").write_bytes(
        (json.dumps(_dvcqg_cases(), ensure_ascii=False, indent=1) + "\n").encode("utf-8"))
    jsonl = "".join(json.dumps(o, ensure_ascii=False) + "\n" for o in _dvcqg_lines()).encode("utf-8")
    (out / "dvcqg.jsonl").write_bytes(jsonl)
    (out / "dvcqg_lines_named.csv").write_bytes(jsonl)


# --- ratings, PAKN ----------------------------------------------------------------------------

def write_ratings(out: Path) -> None:
    """danh_gia.csv: a ratings list (case id, rating word, rating time, rater's name); told from a
    case export by having no case columns besides the id."""
    lines = [["Mã hồ sơ", "Họ tên", "Mức độ hài lòng", "Ngày đánh giá"],
             ["H26.01-250106-0001", PERSONAL_VALUES[64], "Rất hài lòng", "09/01/2025 10:00"],
             ["H26.01-250107-0002", PERSONAL_VALUES[64], "Không hài lòng", "23/01/2025"],
             ["B-2025-0201", "", "Hài lòng", "2025-02-03 17:00:00"]]
    text = "\n".join(_csv_line(r, ",") for r in lines) + "\n"
    (out / "danh_gia.csv").write_bytes(text.encode("utf-8"))


def write_pakn(out: Path) -> None:
    """pakn.xlsx: a PAKN (feedback) list whose first sheet row is blank, then a title row, a
    single-row header on Excel row 3, dates as datetime cells and text; the row without a PAKN
    id (Excel row 6) is rejected."""
    wb = _workbook(out / "pakn.xlsx")
    ws = wb.add_worksheet("PAKN")
    dt_fmt = wb.add_format({"num_format": "dd/mm/yyyy hh:mm"})
    ws.write(1, 0, "DANH SÁCH PHẢN ÁNH, KIẾN NGHỊ")
    header = ["STT", "Mã PAKN", "Đơn vị", "Lĩnh vực", "Người phản ánh", "Số điện thoại", "Nội dung phản ánh",
              "Ngày tiếp nhận", "Hạn xử lý", "Ngày trả lời", "Mức độ hài lòng"]
    ws.write_row(2, 0, header)
    p = PERSONAL_VALUES
    rows = [
        [1, "PA-2025-001", "UBND xã Bình Minh", "Giao thông", p[65], p[66], p[67],
         datetime(2025, 3, 3, 9, 0), "17/03/2025", "14/03/2025 15:30", "Hài lòng"],
        [2, "PA-2025-002", "UBND xã Bình Minh", "Đất đai", p[68], p[69], p[70],
         datetime(2025, 3, 10, 14, 0), "24/03/2025", None, None],
        [3, None, "UBND xã Bình Minh", "Chứng thực", p[71], p[72], p[73],
         datetime(2025, 3, 11, 8, 0), "25/03/2025", None, None],
    ]
    for i, row in enumerate(rows):
        for j, v in enumerate(row):
            if isinstance(v, datetime):
                ws.write_datetime(3 + i, j, v, dt_fmt)
            elif v is not None:
                ws.write(3 + i, j, v)
    wb.close()


# --- rows that must be rejected ------------------------------------------------------------------

REJECT_HEADER = ["Mã hồ sơ", "Tên thủ tục", "Mã thủ tục", "Trạng thái", "Ngày tiếp nhận", "Ngày hẹn trả",
                 "Ngày kết thúc xử lý", "Chủ hồ sơ"]


def _reject_rows() -> list[list]:
    p = PERSONAL_VALUES
    return [
        ["R-0001", "Đăng ký khai sinh", "1.000001.000.00.00.H26", "Đang xử lý", "03/02/2025 08:00", "",
         "", p[74]],                                                                   # no due date: kept
        ["", "Đăng ký khai sinh", "1.000001.000.00.00.H26", "Đang xử lý", "03/02/2025 09:00",
         "06/02/2025", "", p[75]],                                                     # no case id
        ["R-0003", "Đăng ký kết hôn", "1.000004.000.00.00.H26", "Đang xử lý", "31/02/2025", "07/03/2025",
         "", p[76]],                                                                   # 31/02 does not exist
        ["R-0004", "Đăng ký kết hôn", "1.000004.000.00.00.H26", "Đã xử lý xong", "05/02/2025 10:00",
         "12/02/2025", "03/02/2025 16:00", p[77]],                                     # finish before receipt
        ["R-0005", "Đăng ký khai sinh", "1.000001.000.00.00.H26", "Đang chờ phê duyệt", "06/02/2025",
         "11/02/2025", "", p[78]],                                                     # unknown status word
        ["R-0006", "Chứng thực bản sao từ bản chính", "1.000002.000.00.00.H26", "Đã trả kết quả",
         "07/02/2025 08:00", "07/02/2025 17:00", "07/02/2025 10:00", p[79]],          # good
    ]


def write_rejects(out: Path) -> None:
    """ho_so_loi.csv: a title line and a blank line, the header on line 3, cases from line 4 on:
    line 5 has no case id, line 6 a received date 31/02/2025, line 7 finishes before receipt,
    line 8 an unknown status word; line 4 has no due date and is kept. ho_so_loi.xlsx: the
    same rows below a blank first sheet row and a title row (header on Excel row 3)."""
    width = len(REJECT_HEADER)
    lines = [["DANH SÁCH HỒ SƠ THÁNG 02/2025"] + [""] * (width - 1), [""] * width, REJECT_HEADER]
    lines += _reject_rows()
    text = "\n".join(_csv_line(r, ",") for r in lines) + "\n"
    (out / "ho_so_loi.csv").write_bytes(text.encode("utf-8"))

    wb = _workbook(out / "ho_so_loi.xlsx")
    ws = wb.add_worksheet("Sheet1")
    ws.write(1, 0, "DANH SÁCH HỒ SƠ THÁNG 02/2025")
    ws.write_row(2, 0, REJECT_HEADER)
    for i, row in enumerate(_reject_rows()):
        for j, v in enumerate(row):
            if v:
                ws.write_string(3 + i, j, v)
    wb.close()


WRITERS = (write_catalogue, write_vendor_xlsx, write_csv_utf8, write_csv_bom_semicolon, write_unicode_text,
           write_dvcqg, write_ratings, write_pakn, write_rejects)
FILES = ("bo_tthc.xlsx", "ho_so_vendorA.xlsx", "ho_so_utf8.csv", "ho_so_bom_semicolon.csv", "ho_so_unicode.txt",
         "dvcqg.json", "dvcqg.jsonl", "dvcqg_lines_named.csv", "danh_gia.csv", "pakn.xlsx", "ho_so_loi.csv",
         "ho_so_loi.xlsx")


def generate(out: Path = HERE) -> list[Path]:
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    for writer in WRITERS:
        writer(out)
    return [out / name for name in FILES]


if __name__ == "__main__":
    for path in generate(Path(sys.argv[1]) if len(sys.argv) > 1 else HERE):
        print(path)
