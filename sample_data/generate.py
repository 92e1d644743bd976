"""Deterministic generator of the sample exports in this folder.

One merged commune, "UBND xã Bình Minh", cases received 2024-01-01 .. 2026-11-15, written in the
formats real one-stop centres get out of their systems (see README.md beside this file):

    bo_tthc.xlsx              procedure catalogue (Bộ TTHC)
    ho_so_2024_motcua.xlsx    cases received in 2024, vendor A: title rows, two-row merged header
    ho_so_2025_vendorB.csv    cases received in 2025, vendor B: UTF-8 with BOM, comma, RFC 4180
    dvcqg_2026.jsonl          cases received in 2026 (and 300 carried over from December 2025),
                              DVCQG case-sync format, one JSON object per line
    danh_gia_hai_long.txt     ratings of 2026 cases, Excel "Unicode Text" (UTF-16 LE, BOM, TAB)
    pakn.xlsx                 feedback and petitions (phản ánh, kiến nghị)

Run ``python sample_data/generate.py [OUT_DIR]`` to rewrite the files, or call
``generate(out_dir)``, which returns a summary (row counts and the exact injected quirks, with
case ids). The random seed is fixed and every writer is pinned (xlsx document properties, zip
timestamps, line endings, key order), so the same code and calendar give the same bytes.

Due dates come from the project's working-day calendar (``core.calendar.WorkCalendar.default()``):
a change to the holiday table changes the output; regenerate then.

All people, phone numbers, ID numbers and addresses are made up.
"""
from __future__ import annotations

import csv
import io
import json
import math
import random
import sys
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import xlsxwriter  # noqa: E402

from core.calendar import WorkCalendar  # noqa: E402
from core.lunar import lunar_to_solar  # noqa: E402

SEED = 20_251_115
UNIT = "UBND xã Bình Minh"
UNIT_CODE = "000.21.35.H26"          # made-up unit code used in case ids: <unit>-<yymmdd>-<nnnn>
FIRST_DAY, LAST_DAY = date(2024, 1, 1), date(2026, 11, 15)
MERGER_DAY = date(2025, 7, 1)         # two-level local government: the merged commune starts
EXPORT_2024 = datetime(2025, 3, 31, 23, 59, 59)   # when each file was exported (its state)
EXPORT_2025 = datetime(2025, 12, 31, 23, 59, 59)
EXPORT_2026 = datetime(2026, 11, 15, 23, 59, 59)
STUCK_CASES, STUCK_WAITING = 12, 3   # 2026 cases still open long after their due date
OVERLAP_CASES = 300                  # December 2025 cases pending in the CSV, final in the JSONL
XLSX_CREATED = datetime(2025, 4, 1, 8, 0, 0)       # pinned document properties
PAKN_CREATED = datetime(2026, 11, 16, 8, 0, 0)
CATALOGUE_CREATED = datetime(2026, 1, 5, 8, 0, 0)

FILES = ("bo_tthc.xlsx", "ho_so_2024_motcua.xlsx", "ho_so_2025_vendorB.csv", "dvcqg_2026.jsonl",
         "danh_gia_hai_long.txt", "pakn.xlsx")

# --------------------------------------------------------------------------------------------
# Sectors, departments, handlers
# --------------------------------------------------------------------------------------------
VP, MC, KT, VHXH = "Văn phòng HĐND-UBND", "Bộ phận Một cửa", "Phòng Kinh tế", "Phòng Văn hóa - Xã hội"

# sector -> (sector code used as MaLinhVuc, department, handlers)
SECTORS: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "Hộ tịch": ("HOTICH", VP, ("Nguyễn Thị Thu Hà", "Lê Thị Mai Anh", "Ngô Thị Phương Thảo")),
    "Chứng thực": ("CHUNGTHUC", MC, ("Bùi Thị Ngọc Hân", "Phan Thanh Sơn", "Ngô Thị Phương Thảo")),
    "Đất đai": ("DATDAI", KT, ("Trần Văn Hùng", "Vũ Đức Thắng")),
    "Xây dựng": ("XAYDUNG", KT, ("Vũ Đức Thắng", "Lương Văn Quyết")),
    "Thành lập và hoạt động của hộ kinh doanh": ("HKD", KT, ("Đỗ Văn Long",)),
    "Bảo trợ xã hội": ("BTXH", VHXH, ("Hoàng Thị Lan", "Phạm Quốc Bảo")),
    "Người có công": ("NCC", VHXH, ("Phạm Quốc Bảo",)),
    "Môi trường": ("MOITRUONG", KT, ("Đỗ Văn Long", "Lương Văn Quyết")),
    "Nông nghiệp": ("NONGNGHIEP", KT, ("Đỗ Văn Long",)),
    "Giáo dục và Đào tạo": ("GDDT", VHXH, ("Đặng Minh Tuấn",)),
    "Văn hóa": ("VANHOA", VHXH, ("Đặng Minh Tuấn",)),
    "Tín ngưỡng, tôn giáo": ("TONGIAO", VHXH, ("Đặng Minh Tuấn",)),
    "Thi đua, khen thưởng": ("TDKT", VP, ("Nguyễn Thị Thu Hà",)),
}
# The counter staff of the centre also close some of the simple hộ tịch/chứng thực cases.
COUNTER_HANDLERS = ("Bùi Thị Ngọc Hân", "Phan Thanh Sơn")


@dataclass(frozen=True)
class Proc:
    code: str
    name: str
    sector: str
    days: int                 # statutory working days (0 = trong ngày)
    fee: int                  # VND; per page for chứng thực bản sao, per copy for trích lục
    full_online: bool         # toàn trình eligible
    weight: float             # relative frequency among cases
    online_adj: float = 0.0   # added to the period's online probability
    result: str = ""          # result document
    docs: tuple[str, ...] = ()
    fee_name: str = ""
    fee_rule: str = "fixed"   # fixed | per_page | per_copy
    season: tuple[float, ...] | None = None   # 12 monthly multipliers
    in_catalogue: bool = True


def _months(**kw: float) -> tuple[float, ...]:
    names = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
    return tuple(kw.get(n, 1.0) for n in names)


WEDDING = _months(jan=1.4, feb=0.8, mar=1.1, aug=0.5, sep=0.9, oct=1.5, nov=1.5, dec=1.6)
SCHOOL = _months(jun=2.0, jul=3.0, aug=3.5, sep=1.5, oct=0.5, nov=0.4, dec=0.4, jan=0.5, feb=0.4, mar=0.5, apr=0.6)
COPIES = _months(jun=1.25, jul=1.35, aug=1.35, sep=1.1)
STORMS = _months(jan=0.3, feb=0.3, mar=0.4, apr=0.4, may=0.5, jun=0.7, jul=1.0, aug=1.5, sep=2.5, oct=3.0, nov=2.5, dec=0.8)
YEAR_END = _months(jan=0.2, feb=0.2, mar=0.2, apr=0.2, may=0.2, jun=0.2, jul=0.2, aug=0.2, sep=0.4, oct=1.0, nov=4.5, dec=5.0)

# Codes: the hộ tịch, chứng thực and hộ kinh doanh codes are the national database codes as far as
# known; the rest follow the national format but are illustrative (see README.md).
PROCEDURES: tuple[Proc, ...] = (
    # --- Hộ tịch -----------------------------------------------------------------------------
    Proc("1.001193", "Đăng ký khai sinh", "Hộ tịch", 0, 0, True, 95, 0.15, "Giấy khai sinh",
         ("Tờ khai đăng ký khai sinh", "Giấy chứng sinh")),
    Proc("1.000894", "Đăng ký kết hôn", "Hộ tịch", 0, 0, False, 35, -0.25, "Giấy chứng nhận kết hôn",
         ("Tờ khai đăng ký kết hôn",), season=WEDDING),
    Proc("1.000656", "Đăng ký khai tử", "Hộ tịch", 0, 0, True, 40, 0.10, "Trích lục khai tử",
         ("Tờ khai đăng ký khai tử", "Giấy báo tử")),
    Proc("1.004873", "Cấp Giấy xác nhận tình trạng hôn nhân", "Hộ tịch", 3, 0, True, 75, 0.15,
         "Giấy xác nhận tình trạng hôn nhân", ("Tờ khai cấp Giấy xác nhận tình trạng hôn nhân",)),
    Proc("1.004859", "Thay đổi, cải chính, bổ sung thông tin hộ tịch", "Hộ tịch", 3, 15000, False, 25, 0.05,
         "Trích lục thay đổi, cải chính hộ tịch", ("Tờ khai thay đổi, cải chính, bổ sung thông tin hộ tịch",),
         "Lệ phí thay đổi, cải chính hộ tịch"),
    Proc("1.001022", "Đăng ký nhận cha, mẹ, con", "Hộ tịch", 3, 15000, False, 6, -0.10,
         "Trích lục đăng ký nhận cha, mẹ, con", ("Tờ khai đăng ký nhận cha, mẹ, con",), "Lệ phí đăng ký nhận cha, mẹ, con"),
    Proc("2.000635", "Cấp bản sao Trích lục hộ tịch", "Hộ tịch", 0, 8000, True, 60, 0.20,
         "Bản sao trích lục hộ tịch", ("Tờ khai cấp bản sao trích lục hộ tịch",),
         "Phí cấp bản sao trích lục hộ tịch", "per_copy"),
    Proc("1.004884", "Đăng ký lại khai sinh", "Hộ tịch", 5, 0, False, 8, 0.0, "Giấy khai sinh",
         ("Tờ khai đăng ký lại khai sinh", "Văn bản cam đoan về việc đã đăng ký khai sinh")),
    Proc("1.004837", "Đăng ký giám hộ", "Hộ tịch", 3, 0, False, 2, -0.10, "Trích lục đăng ký giám hộ",
         ("Tờ khai đăng ký giám hộ",)),
    Proc("1.000689", "Đăng ký khai sinh kết hợp đăng ký nhận cha, mẹ, con", "Hộ tịch", 3, 15000, False, 5, -0.05,
         "Giấy khai sinh", ("Tờ khai đăng ký khai sinh", "Tờ khai đăng ký nhận cha, mẹ, con"),
         "Lệ phí đăng ký nhận cha, mẹ, con"),
    # --- Chứng thực --------------------------------------------------------------------------
    Proc("2.000908", "Chứng thực bản sao từ bản chính giấy tờ, văn bản do cơ quan, tổ chức có thẩm quyền "
         "của Việt Nam cấp hoặc chứng nhận", "Chứng thực", 0, 2000, True, 260, 0.0, "Bản sao có chứng thực",
         ("Bản chính giấy tờ cần chứng thực",), "Phí chứng thực bản sao từ bản chính", "per_page", COPIES),
    Proc("2.000884", "Chứng thực chữ ký trong các giấy tờ, văn bản", "Chứng thực", 0, 10000, False, 60, -0.30,
         "Giấy tờ, văn bản đã chứng thực chữ ký", ("Giấy tờ, văn bản cần chứng thực chữ ký",), "Phí chứng thực chữ ký"),
    Proc("2.001035", "Chứng thực hợp đồng, giao dịch liên quan đến tài sản là động sản, quyền sử dụng đất "
         "và nhà ở", "Chứng thực", 2, 50000, False, 45, -0.30, "Hợp đồng đã chứng thực",
         ("Dự thảo hợp đồng, giao dịch", "Giấy chứng nhận quyền sử dụng đất"), "Phí chứng thực hợp đồng, giao dịch"),
    Proc("2.001019", "Chứng thực di chúc", "Chứng thực", 2, 50000, False, 4, -0.40, "Di chúc đã chứng thực",
         ("Dự thảo di chúc",), "Phí chứng thực di chúc"),
    Proc("2.000913", "Chứng thực việc sửa đổi, bổ sung, hủy bỏ hợp đồng, giao dịch", "Chứng thực", 2, 30000, False,
         4, -0.30, "Văn bản sửa đổi, bổ sung đã chứng thực", ("Dự thảo văn bản sửa đổi, bổ sung",),
         "Phí chứng thực sửa đổi, bổ sung hợp đồng"),
    Proc("2.001016", "Chứng thực văn bản thỏa thuận phân chia di sản mà di sản là động sản, quyền sử dụng đất, "
         "nhà ở", "Chứng thực", 2, 50000, False, 10, -0.30, "Văn bản thỏa thuận đã chứng thực",
         ("Dự thảo văn bản thỏa thuận phân chia di sản",), "Phí chứng thực văn bản thỏa thuận"),
    Proc("2.001044", "Cấp bản sao có chứng thực từ bản chính hợp đồng, giao dịch đã được chứng thực",
         "Chứng thực", 0, 2000, False, 5, -0.10, "Bản sao hợp đồng có chứng thực",
         ("Phiếu yêu cầu cấp bản sao",), "Phí cấp bản sao hợp đồng đã chứng thực", "per_page"),
    # --- Đất đai -----------------------------------------------------------------------------
    Proc("1.012761", "Hòa giải tranh chấp đất đai", "Đất đai", 30, 0, False, 4, -0.30, "Biên bản hòa giải",
         ("Đơn yêu cầu hòa giải tranh chấp đất đai",)),
    Proc("1.012755", "Đăng ký đất đai, tài sản gắn liền với đất, cấp Giấy chứng nhận quyền sử dụng đất, quyền "
         "sở hữu tài sản gắn liền với đất lần đầu", "Đất đai", 20, 100000, False, 12, -0.10,
         "Giấy chứng nhận quyền sử dụng đất", ("Đơn đăng ký đất đai, tài sản gắn liền với đất", "Giấy tờ về nguồn gốc đất"),
         "Lệ phí cấp Giấy chứng nhận"),
    Proc("1.012756", "Đăng ký biến động quyền sử dụng đất, quyền sở hữu tài sản gắn liền với đất do chuyển "
         "nhượng, tặng cho, thừa kế", "Đất đai", 10, 30000, False, 35, -0.05, "Giấy chứng nhận đã chỉnh lý biến động",
         ("Đơn đăng ký biến động đất đai", "Hợp đồng chuyển nhượng đã chứng thực", "Giấy chứng nhận quyền sử dụng đất"),
         "Lệ phí chỉnh lý biến động"),
    Proc("1.012757", "Cấp đổi Giấy chứng nhận quyền sử dụng đất, quyền sở hữu tài sản gắn liền với đất",
         "Đất đai", 7, 50000, False, 10, -0.05, "Giấy chứng nhận quyền sử dụng đất",
         ("Đơn đề nghị cấp đổi Giấy chứng nhận", "Giấy chứng nhận đã cấp"), "Lệ phí cấp đổi Giấy chứng nhận"),
    Proc("1.012758", "Chuyển mục đích sử dụng đất đối với hộ gia đình, cá nhân", "Đất đai", 15, 0, False, 8, -0.10,
         "Quyết định cho phép chuyển mục đích sử dụng đất", ("Đơn xin chuyển mục đích sử dụng đất",
                                                           "Giấy chứng nhận quyền sử dụng đất")),
    Proc("1.012759", "Tách thửa hoặc hợp thửa đất", "Đất đai", 15, 30000, False, 12, -0.05,
         "Giấy chứng nhận quyền sử dụng đất", ("Đơn đề nghị tách thửa, hợp thửa đất", "Bản vẽ tách thửa, hợp thửa"),
         "Lệ phí chỉnh lý biến động"),
    # --- Xây dựng ----------------------------------------------------------------------------
    Proc("1.009994", "Cấp giấy phép xây dựng mới đối với nhà ở riêng lẻ", "Xây dựng", 15, 75000, False, 14, 0.0,
         "Giấy phép xây dựng", ("Đơn đề nghị cấp giấy phép xây dựng", "Bản vẽ thiết kế xây dựng",
                                "Giấy chứng nhận quyền sử dụng đất"), "Lệ phí cấp giấy phép xây dựng"),
    Proc("1.009995", "Cấp giấy phép sửa chữa, cải tạo đối với nhà ở riêng lẻ", "Xây dựng", 15, 75000, False, 4, 0.0,
         "Giấy phép xây dựng", ("Đơn đề nghị cấp giấy phép sửa chữa, cải tạo", "Bản vẽ hiện trạng"),
         "Lệ phí cấp giấy phép xây dựng"),
    Proc("1.009997", "Gia hạn giấy phép xây dựng đối với nhà ở riêng lẻ", "Xây dựng", 5, 15000, True, 2, 0.10,
         "Giấy phép xây dựng đã gia hạn", ("Đơn đề nghị gia hạn giấy phép xây dựng",), "Lệ phí gia hạn giấy phép xây dựng"),
    Proc("1.009998", "Cấp lại giấy phép xây dựng đối với nhà ở riêng lẻ", "Xây dựng", 5, 15000, True, 1, 0.10,
         "Giấy phép xây dựng", ("Đơn đề nghị cấp lại giấy phép xây dựng",), "Lệ phí cấp lại giấy phép xây dựng"),
    # --- Hộ kinh doanh -----------------------------------------------------------------------
    Proc("2.000720", "Đăng ký thành lập hộ kinh doanh", "Thành lập và hoạt động của hộ kinh doanh", 3, 100000, True,
         14, 0.15, "Giấy chứng nhận đăng ký hộ kinh doanh", ("Giấy đề nghị đăng ký hộ kinh doanh",),
         "Lệ phí đăng ký hộ kinh doanh"),
    Proc("2.000575", "Đăng ký thay đổi nội dung đăng ký hộ kinh doanh", "Thành lập và hoạt động của hộ kinh doanh",
         3, 50000, True, 7, 0.15, "Giấy chứng nhận đăng ký hộ kinh doanh", ("Thông báo thay đổi nội dung đăng ký hộ kinh doanh",),
         "Lệ phí đăng ký thay đổi hộ kinh doanh"),
    Proc("2.000644", "Tạm ngừng kinh doanh, tiếp tục kinh doanh trước thời hạn đã thông báo của hộ kinh doanh",
         "Thành lập và hoạt động của hộ kinh doanh", 3, 0, True, 4, 0.15, "Giấy xác nhận tạm ngừng kinh doanh",
         ("Thông báo tạm ngừng kinh doanh",)),
    Proc("2.000629", "Chấm dứt hoạt động hộ kinh doanh", "Thành lập và hoạt động của hộ kinh doanh", 3, 0, True, 5, 0.15,
         "Thông báo chấm dứt hoạt động hộ kinh doanh", ("Thông báo chấm dứt hoạt động hộ kinh doanh",)),
    # --- Bảo trợ xã hội ----------------------------------------------------------------------
    Proc("1.001776", "Thực hiện, điều chỉnh, thôi hưởng trợ cấp xã hội hàng tháng, hỗ trợ kinh phí chăm sóc, "
         "nuôi dưỡng hàng tháng", "Bảo trợ xã hội", 20, 0, False, 22, -0.05, "Quyết định trợ cấp xã hội",
         ("Tờ khai đề nghị trợ giúp xã hội",)),
    Proc("1.001758", "Hỗ trợ chi phí mai táng cho đối tượng bảo trợ xã hội", "Bảo trợ xã hội", 3, 0, False, 5, -0.10,
         "Quyết định hỗ trợ chi phí mai táng", ("Tờ khai đề nghị hỗ trợ chi phí mai táng", "Giấy chứng tử")),
    Proc("1.001699", "Xác định, xác định lại mức độ khuyết tật và cấp Giấy xác nhận khuyết tật", "Bảo trợ xã hội",
         30, 0, False, 8, -0.10, "Giấy xác nhận khuyết tật", ("Đơn đề nghị xác định mức độ khuyết tật",)),
    Proc("1.001653", "Đổi, cấp lại Giấy xác nhận khuyết tật", "Bảo trợ xã hội", 5, 0, True, 2, 0.05,
         "Giấy xác nhận khuyết tật", ("Đơn đề nghị đổi, cấp lại Giấy xác nhận khuyết tật",)),
    # --- Người có công -----------------------------------------------------------------------
    Proc("1.010831", "Giải quyết chế độ trợ cấp mai táng khi người có công với cách mạng từ trần", "Người có công",
         12, 0, False, 4, -0.15, "Quyết định trợ cấp mai táng", ("Bản khai của thân nhân", "Giấy chứng tử")),
    Proc("1.010832", "Cấp giấy xác nhận thân nhân của người có công", "Người có công", 5, 0, True, 6, -0.05,
         "Giấy xác nhận thân nhân người có công", ("Đơn đề nghị cấp giấy xác nhận",)),
    # --- Môi trường --------------------------------------------------------------------------
    Proc("1.010733", "Đăng ký môi trường", "Môi trường", 5, 0, True, 3, 0.05, "Phiếu tiếp nhận đăng ký môi trường",
         ("Văn bản đăng ký môi trường",)),
    Proc("1.010734", "Tham vấn trong đánh giá tác động môi trường", "Môi trường", 15, 0, False, 1, 0.0,
         "Văn bản góp ý tham vấn", ("Văn bản đề nghị tham vấn",)),
    # --- Nông nghiệp -------------------------------------------------------------------------
    Proc("1.003596", "Hỗ trợ khôi phục sản xuất vùng bị thiệt hại do thiên tai", "Nông nghiệp", 10, 0, False, 5, -0.10,
         "Quyết định hỗ trợ", ("Đơn đề nghị hỗ trợ",), season=STORMS),
    Proc("1.003597", "Xác nhận bảng kê lâm sản", "Nông nghiệp", 3, 0, False, 3, -0.10, "Bảng kê lâm sản đã xác nhận",
         ("Bảng kê lâm sản",)),
    # --- Giáo dục và Đào tạo -----------------------------------------------------------------
    Proc("1.005097", "Chuyển trường đối với học sinh trung học cơ sở", "Giáo dục và Đào tạo", 3, 0, True, 12, 0.10,
         "Giấy giới thiệu chuyển trường", ("Đơn xin chuyển trường",), season=SCHOOL),
    Proc("1.005099", "Xét, duyệt chính sách hỗ trợ đối với trẻ em mẫu giáo", "Giáo dục và Đào tạo", 10, 0, False, 8, 0.05,
         "Quyết định hỗ trợ", ("Đơn đề nghị hỗ trợ",), season=SCHOOL),
    # --- Văn hóa -----------------------------------------------------------------------------
    Proc("1.003645", "Thông báo tổ chức lễ hội cấp xã", "Văn hóa", 5, 0, True, 1, 0.10, "Văn bản trả lời",
         ("Văn bản thông báo tổ chức lễ hội",)),
    Proc("1.000954", "Xét tặng danh hiệu Gia đình văn hóa hằng năm", "Văn hóa", 10, 0, False, 5, 0.10,
         "Quyết định công nhận", ("Đơn đăng ký danh hiệu",), season=YEAR_END),
    # --- in the case data but NOT in the catalogue (the data-quality report's unknown procedures)
    Proc("1.001055", "Đăng ký sinh hoạt tôn giáo tập trung", "Tín ngưỡng, tôn giáo", 20, 0, False, 1.2, -0.20,
         "Văn bản chấp thuận", ("Văn bản đề nghị đăng ký sinh hoạt tôn giáo tập trung",), in_catalogue=False),
    Proc("2.000346", "Xét tặng Giấy khen của Chủ tịch UBND cấp xã", "Thi đua, khen thưởng", 10, 0, False, 1.5, -0.20,
         "Quyết định khen thưởng", ("Tờ trình đề nghị khen thưởng",), in_catalogue=False),
)

# Probability that a finished case is late, by sector and year of receipt.
LATE_P = {"Đất đai": {2024: 0.11, 2025: 0.09, 2026: 0.08}, "Xây dựng": {2024: 0.11, 2025: 0.08, 2026: 0.06}}
LATE_P_OTHER = 0.003
LATE_REASONS_LAND = (
    "Hồ sơ phức tạp, phải xác minh nguồn gốc sử dụng đất",
    "Chờ kết quả đo đạc, trích đo địa chính thửa đất",
    "Chờ ý kiến của Chi nhánh Văn phòng đăng ký đất đai",
    "Phải niêm yết công khai, có đơn đề nghị xem xét lại trong thời gian niêm yết",
    "Chờ xác định nghĩa vụ tài chính của cơ quan thuế",
    "Khối lượng hồ sơ tăng đột biến, thiếu cán bộ địa chính",
    'Chờ phối hợp kiểm tra hiện trạng với "Tổ công tác" của xã',
)
LATE_REASONS_OTHER = (
    "Cán bộ xử lý nghỉ ốm, chưa kịp bàn giao hồ sơ",
    "Lỗi phần mềm một cửa, hồ sơ không chuyển được bước xử lý",
    "Chờ xác minh thông tin với cơ quan, đơn vị liên quan",
    "Sơ suất của cán bộ, chưa cập nhật kết quả trên hệ thống",
)

# --------------------------------------------------------------------------------------------
# Made-up people
# --------------------------------------------------------------------------------------------
FAMILY = (("Nguyễn", 38), ("Trần", 11), ("Lê", 9.5), ("Phạm", 7), ("Hoàng", 5), ("Phan", 4.5), ("Vũ", 4),
          ("Đặng", 2), ("Bùi", 2), ("Đỗ", 1.5), ("Hồ", 1.3), ("Ngô", 1.3), ("Dương", 1), ("Lý", 0.5),
          ("Đinh", 1), ("Trương", 1), ("Lương", 0.7), ("Mai", 0.6), ("Tạ", 0.4), ("Cao", 0.5))
MALE_MID = ("Văn", "Văn", "Văn", "Đức", "Minh", "Quang", "Hữu", "Thanh", "Công", "Xuân", "Ngọc", "Tiến")
MALE_GIVEN = ("Hùng", "Dũng", "Tuấn", "Nam", "Long", "Hải", "Sơn", "Phong", "Thắng", "Cường", "Hiếu", "Khánh",
              "Quân", "Duy", "Trung", "Bình", "Tùng", "Hòa", "Đạt", "Thành", "Huy", "Lâm", "Kiên", "Toàn")
FEMALE_MID = ("Thị", "Thị", "Thị", "Thu", "Ngọc", "Thanh", "Minh", "Hồng", "Kim", "Thúy", "Phương", "Bích")
FEMALE_GIVEN = ("Lan", "Hương", "Hà", "Mai", "Linh", "Trang", "Hạnh", "Hằng", "Thảo", "Nga", "Yến", "Nhung",
                "Phương", "Huyền", "Vân", "Anh", "Oanh", "Loan", "Dung", "Hoa", "Ngân", "Quỳnh", "Giang", "Thủy")
HAMLETS = ("Đông Hòa", "Tây Sơn", "Phú Lộc", "An Thái", "Hòa Bình", "Tân Lập", "Yên Phú", "Đồng Tâm", "Trung Hậu",
           "Bình An", "Thượng Phúc", "Hạ Đoài", "Nội Xá", "Cầu Đá", "Vĩnh Trù", "Bắc Sơn")
PHONE_PREFIXES = ("090", "093", "089", "070", "079", "077", "076", "078", "091", "094", "088", "083", "084",
                  "085", "081", "082", "096", "097", "098", "086", "032", "033", "034", "035", "036", "037",
                  "038", "039")


def ascii_fold(text: str) -> str:
    text = text.replace("Đ", "D").replace("đ", "d")
    return "".join(ch for ch in unicodedata.normalize("NFD", text) if not unicodedata.combining(ch))


@dataclass
class Person:
    name: str
    id_number: str
    phone: str
    email: str | None
    address: str


def file_name(doc: str) -> str:
    """What an uploaded file is called: the initials of the document, e.g. TKDKKS.pdf."""
    return "".join(w[0] for w in ascii_fold(doc).replace(",", " ").split() if w[0].isalpha()).upper() + ".pdf"


def make_person(rng: random.Random) -> Person:
    family = rng.choices([f for f, _ in FAMILY], [w for _, w in FAMILY])[0]
    female = rng.random() < 0.52
    mid = rng.choice(FEMALE_MID if female else MALE_MID)
    given = rng.choice(FEMALE_GIVEN if female else MALE_GIVEN)
    born = rng.randint(1950, 2006)
    century_sex = (0 if born < 2000 else 2) + (1 if female else 0)
    province = rng.choices(("036", "034", "033", "001", "030", "037"), (70, 8, 8, 6, 4, 4))[0]
    id_number = f"{province}{century_sex}{born % 100:02d}{rng.randint(0, 999_999):06d}"
    phone = rng.choice(PHONE_PREFIXES) + f"{rng.randint(0, 9_999_999):07d}"
    email = None
    if rng.random() < 0.18:
        email = f"{ascii_fold(given).lower()}{ascii_fold(family).lower()}{rng.randint(1, 99)}@gmail.com"
    hamlet = rng.choice(HAMLETS)
    if rng.random() < 0.35:
        address = f"Số {rng.randint(1, 180)}, thôn {hamlet}, xã Bình Minh"
    else:
        address = f"Thôn {hamlet}, xã Bình Minh"
    return Person(f"{family} {mid} {given}", id_number, phone, email, address)


# --------------------------------------------------------------------------------------------
# Cases
# --------------------------------------------------------------------------------------------
@dataclass
class Case:
    proc: Proc
    channel: str                       # direct | online | postal
    submitted: datetime
    received: datetime | None
    due: datetime | None = None
    finished: datetime | None = None   # NgayKetThucXuLy (also the withdrawal/stop time)
    returned: datetime | None = None
    status: int = 10
    outcome: str = "done"              # done | withdrawn | stopped | rejected | registered
    handler: str | None = None
    department: str | None = None
    fee: int = 0
    paid_online: bool = False
    digitised: bool = False
    reused: bool = False
    e_result: bool = False
    rating: str | None = None
    rated_at: date | None = None
    late_reason: str | None = None
    apology: bool | None = None
    person: Person | None = None
    docs: list[tuple[str, int, int, int]] = field(default_factory=list)  # (name, số hóa, tái sử dụng, kho DMQG)
    case_id: str = ""
    file: str = ""                     # "2024" | "2025" | "2026"
    overlap: bool = False              # pending in the 2025 CSV, final in the 2026 JSONL
    due_2025: datetime | None = None   # due date the 2025 CSV shows for an overlap case
    stuck_status: int = 0              # status of a case deliberately left open past its due date
    reappointed: bool = False          # overlap case whose due date moved in January 2026
    quirks: list[str] = field(default_factory=list)
    written_finished: datetime | None = None  # what a file shows when a quirk changes it

    @property
    def is_late(self) -> bool:
        return (self.outcome == "done" and self.due is not None and self.finished is not None
                and self.finished.date() > self.due.date())


def poisson(rng: random.Random, lam: float) -> int:
    if lam <= 0:
        return 0
    limit, k, p = math.exp(-lam), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


def frac_of_period(d: date) -> float:
    return (d - FIRST_DAY).days / (LAST_DAY - FIRST_DAY).days


def clip(x: float, lo: float, hi: float) -> float:
    return max(lo, min(hi, x))


class Simulator:
    def __init__(self, cal: WorkCalendar, seed: int = SEED):
        self.cal = cal
        self.rng = random.Random(seed)
        self.tets = [lunar_to_solar(1, 1, y) for y in range(FIRST_DAY.year, LAST_DAY.year + 2)]
        self._weights_cache: dict[tuple, list[float]] = {}

    # --- volume -----------------------------------------------------------------------------
    def base_rate(self, d: date) -> float:
        if d < MERGER_DAY:
            return 23.0 + 2.0 * (d - FIRST_DAY).days / (MERGER_DAY - FIRST_DAY).days
        return 30.0 + 2.5 * (d - MERGER_DAY).days / (LAST_DAY - MERGER_DAY).days

    def tet_factor(self, d: date) -> float:
        for tet in self.tets:
            delta = (d - tet).days
            if -24 <= delta < -12:
                return 1.2
            if -12 <= delta < 0:
                return 1.5
            if 0 <= delta <= 12:
                return 0.55
            if 12 < delta <= 22:
                return 0.85
        return 1.0

    def daily_count(self, d: date) -> int:
        if self.cal.is_working(d):
            weekday = (1.30, 1.15, 1.0, 0.95, 0.80, 0.7, 0.7)[d.weekday()]
            month = (1.05, 0.95, 1.0, 0.95, 1.0, 1.05, 1.05, 1.1, 1.0, 0.95, 1.0, 1.1)[d.month - 1]
            return poisson(self.rng, self.base_rate(d) * weekday * month * self.tet_factor(d))
        if d.weekday() == 5:   # the counter opens some Saturday mornings for appointments
            return poisson(self.rng, 0.12)
        return 0

    def proc_weights(self, d: date) -> list[float]:
        land_rush = date(2025, 11, 15) <= d <= date(2025, 12, 31)   # before the 2026 land price table
        key = (d.month, d >= MERGER_DAY, land_rush)
        if key not in self._weights_cache:
            weights = []
            for p in PROCEDURES:
                w = p.weight * (p.season[d.month - 1] if p.season else 1.0)
                if p.sector in ("Đất đai", "Xây dựng") and d >= MERGER_DAY:
                    w *= 1.6      # land and building tasks moved down from the district
                if land_rush and p.sector == "Đất đai":
                    w *= 2.2
                weights.append(w)
            self._weights_cache[key] = weights
        return self._weights_cache[key]

    # --- times ------------------------------------------------------------------------------
    def office_time(self, d: date, after: datetime | None = None) -> datetime:
        """A random moment of office hours on day d, after `after` when that is on the same day."""
        rng = self.rng
        if after is not None and after.date() == d:
            start = after + timedelta(minutes=rng.randint(8, 150))
            close = datetime.combine(d, time(17, 0))
            if start >= close:
                return after + timedelta(minutes=rng.randint(3, 20), seconds=rng.randint(0, 59))
            if time(11, 30) < start.time() < time(13, 30):
                start = datetime.combine(d, time(13, 30)) + timedelta(minutes=rng.randint(0, 60))
            return min(start, close).replace(second=rng.randint(0, 59), microsecond=0)
        if rng.random() < 0.6:
            minute = rng.randint(7 * 60 + 15, 11 * 60 + 25)
        else:
            minute = rng.randint(13 * 60 + 35, 16 * 60 + 55)
        return datetime.combine(d, time(minute // 60, minute % 60, rng.randint(0, 59)))

    def receipt_time(self, d: date) -> datetime:
        rng = self.rng
        if not self.cal.is_working(d):           # Saturday morning
            minute = rng.randint(7 * 60 + 30, 11 * 60 + 15)
        else:
            r = rng.random()
            if r < 0.006:                        # after closing: counts from the next working day
                minute = rng.randint(17 * 60 + 2, 18 * 60 + 30)
            elif r < 0.68:
                minute = int(rng.triangular(7 * 60, 11 * 60 + 29, 8 * 60 + 30))
            else:
                minute = int(rng.triangular(13 * 60 + 30, 16 * 60 + 59, 14 * 60 + 30))
        return datetime.combine(d, time(minute // 60, minute % 60, rng.randint(0, 59)))

    def wd_day(self, start: datetime, n: int) -> date:
        return self.cal.add_working_days(start, n)

    # --- one case ---------------------------------------------------------------------------
    def make_case(self, d: date) -> Case:
        rng = self.rng
        proc = rng.choices(PROCEDURES, self.proc_weights(d))[0]
        f = frac_of_period(d)
        p_online = clip(0.39 + 0.49 * f + proc.online_adj + rng.uniform(-0.02, 0.02), 0.03, 0.97)
        r = rng.random()
        channel = "online" if r < p_online else ("postal" if r < p_online + 0.03 else "direct")
        received = self.receipt_time(d)
        if channel == "online":
            back = rng.uniform(0.3, 20.0) + (48 if received.weekday() == 0 and rng.random() < 0.5 else 0)
            submitted = received - timedelta(hours=back)
        elif channel == "postal":
            submitted = received - timedelta(days=rng.randint(1, 3), hours=rng.uniform(0, 6))
        else:
            submitted = received - timedelta(minutes=rng.randint(2, 25))
        submitted = submitted.replace(microsecond=0)
        case = Case(proc=proc, channel=channel, submitted=submitted, received=received, person=make_person(rng),
                    file=str(d.year))
        sector_code, case.department, handlers = SECTORS[proc.sector]
        case.handler = rng.choice(handlers)
        if proc.days == 0 and proc.sector in ("Hộ tịch", "Chứng thực") and rng.random() < 0.3:
            case.handler, case.department = rng.choice(COUNTER_HANDLERS), MC

        # fee
        if proc.fee_rule == "per_page":
            pages, copies = rng.choice((1, 1, 1, 2, 2, 3, 4, 6)), rng.choice((1, 1, 2, 2, 3, 4, 5))
            case.fee = copies * (proc.fee * min(pages, 2) + 1000 * max(pages - 2, 0))
        elif proc.fee_rule == "per_copy":
            case.fee = proc.fee * rng.choice((1, 1, 1, 2, 2, 3))
        else:
            case.fee = proc.fee
        if case.fee > 0:
            p_pay = (0.50 + 0.48 * f) if channel == "online" else (0.08 + 0.62 * f)
            case.paid_online = rng.random() < p_pay

        # digitisation and reuse of stored data
        case.digitised = rng.random() < clip(0.55 + 0.38 * f + (0.04 if channel == "online" else 0.0), 0, 0.99)
        case.reused = rng.random() < clip(0.45 + 0.40 * f, 0, 0.95)
        docs = list(proc.docs[: 1 if rng.random() < 0.8 else rng.randint(1, len(proc.docs))])
        for i, name in enumerate(docs):
            digit = 1 if (case.digitised and (i == 0 or rng.random() < 0.7)) else 0
            reuse = 1 if (case.reused and i == len(docs) - 1) else 0
            store = 1 if (reuse and rng.random() < 0.6) else 0
            case.docs.append((file_name(name), digit, reuse, store))

        # outcome and timing
        case.due = datetime.combine(self.wd_day(received, proc.days), self.due_time(received))
        r = rng.random()
        stop_p = 0.015 if proc.sector in ("Đất đai", "Xây dựng") else 0.002
        if channel == "online" and d.year >= 2025 and r < 0.008:
            case.outcome, case.received, case.due = "rejected", None, None
            case.finished = None
            case.handler = case.department = None
            return case
        if r < 0.008 + 0.004:
            case.outcome = "withdrawn"
        elif r < 0.012 + stop_p:
            case.outcome = "stopped"
        if case.outcome != "done":
            day = self.wd_day(received, rng.randint(0, proc.days))   # before the due date
            case.finished = self.office_time(day, after=received)
            return case

        late_p = LATE_P.get(proc.sector, {}).get(d.year, LATE_P_OTHER)
        r = rng.random()
        n = proc.days
        if r < late_p:
            extra = 1 + min(int(rng.expovariate(1 / (3.5 if proc.sector in LATE_P else 1.0))), 25)
            day = self.wd_day(received, n + extra)
        elif n == 0 or r < late_p + 0.18:
            day = self.wd_day(received, n)
        else:
            day = self.wd_day(received, min(n - 1, int(n * rng.betavariate(1.6, 2.6))))
        case.finished = self.office_time(day, after=received)
        return case

    def due_time(self, received: datetime) -> time:
        if self.cal.is_working(received.date()) and received.time() <= time(17, 0):
            return received.time().replace(second=0)
        return time(17, 0)


def simulate(cal: WorkCalendar) -> tuple[list[Case], random.Random]:
    sim = Simulator(cal)
    cases: list[Case] = []
    d = FIRST_DAY
    while d <= LAST_DAY:
        for _ in range(sim.daily_count(d)):
            cases.append(sim.make_case(d))
        d += timedelta(days=1)
    # a few online submissions of the last weekend, not received yet (status 1)
    for i in range(6):
        sub = datetime(2026, 11, 14, 8, 0) + timedelta(hours=5 * i + sim.rng.randint(0, 4), minutes=sim.rng.randint(0, 59))
        proc = PROCEDURES[(0, 3, 10, 6, 3, 0)[i]]
        case = Case(proc=proc, channel="online", submitted=sub, received=None, person=make_person(sim.rng),
                    outcome="registered", status=1, file="2026")
        case.fee = proc.fee if proc.fee_rule == "fixed" else proc.fee * 1
        cases.append(case)
    finalize(cases, sim)
    assign_ids(cases)
    return cases, sim.rng


def finalize(cases: list[Case], sim: Simulator) -> None:
    """Carry-over set, export cut-offs, statuses, returns, results and ratings."""
    rng, cal = sim.rng, sim.cal
    first_wd_2026 = cal.next_working_day(date(2025, 12, 31))

    # 1. the December 2025 cases still open when the 2025 file was exported (finished in January).
    # First those whose due date is in January anyway (mostly land cases of the December rush);
    # then cases due in late December on which the handler asked for a supplement in early January:
    # the new system re-appointed them (NgayHenTra moves on), so the CSV and the JSONL disagree on
    # the due date of those.
    def ordinary(c: Case) -> bool:
        return c.file == "2025" and c.outcome == "done" and c.proc.in_catalogue

    primary = [c for c in cases if ordinary(c) and c.received >= datetime(2025, 12, 8)
               and c.due.date() >= first_wd_2026]
    primary.sort(key=lambda c: c.received, reverse=True)
    secondary = [c for c in cases if ordinary(c) and c.received >= datetime(2025, 12, 1)
                 and c.due.date() < first_wd_2026 and c.proc.days >= 2]
    secondary.sort(key=lambda c: c.received, reverse=True)
    chosen = primary[:OVERLAP_CASES] + secondary[: max(0, OVERLAP_CASES - len(primary))]
    if len(chosen) < OVERLAP_CASES:
        raise RuntimeError(f"only {len(chosen)} carry-over candidates in December 2025")
    jan_days = [first_wd_2026 + timedelta(days=i) for i in range(0, 29)]
    jan_days = [x for x in jan_days if x.month == 1 and cal.is_working(x)]
    for c in chosen:
        c.overlap = True
        c.file = "2026"
        c.due_2025 = c.due
        if c.due.date() < first_wd_2026:
            supplemented = sim.office_time(rng.choice(jan_days[:5]))
            c.due = datetime.combine(sim.wd_day(supplemented, max(c.proc.days, 3)), supplemented.time().replace(second=0))
            c.reappointed = True
            start = supplemented.date()
        else:
            start = first_wd_2026
        options = [x for x in jan_days if start <= x <= c.due.date()]
        c.finished = sim.office_time(rng.choice(options))
        if c.finished.date() == start and c.reappointed:
            c.finished = sim.office_time(start, after=supplemented)

    # 2. cut-offs: nothing finishes after the export of the file that shows the case
    export = {"2024": EXPORT_2024, "2025": EXPORT_2025, "2026": EXPORT_2026}
    for c in cases:
        if c.outcome in ("rejected", "registered") or c.finished is None:
            continue
        cut = export[c.file]
        if c.finished > cut:
            if c.file == "2026":
                c.finished = None           # still pending at the export
                c.outcome = "pending"
            else:
                c.finished = max(c.received + timedelta(minutes=20),
                                 datetime.combine(cut.date(), time(16, 30)))

    # 2b. a few cases stuck past their due date at the 2026 export (the meeting's overdue list);
    # some of them wait for the applicant's financial obligation (status 6: pending in time)
    stuck = [c for c in cases if c.file == "2026" and not c.overlap and c.outcome == "done" and c.proc.in_catalogue
             and c.proc.sector in ("Đất đai", "Xây dựng", "Bảo trợ xã hội")
             and c.received >= datetime(2026, 9, 1) and c.due.date() < date(2026, 11, 13)]
    for i, c in enumerate(rng.sample(stuck, STUCK_CASES)):
        c.finished, c.outcome = None, "pending"
        c.stuck_status = 6 if (i < STUCK_WAITING and c.proc.sector == "Đất đai") else 4

    # 3. statuses, returns, results, ratings, late reasons
    for c in cases:
        f = frac_of_period(c.submitted.date())
        cut = export[c.file]
        if c.outcome == "rejected":
            c.status = 3
            continue
        if c.outcome == "registered":
            c.status = 1
            continue
        if c.outcome == "withdrawn":
            c.status = 7
            continue
        if c.outcome == "stopped":
            c.status = 8
            continue
        if c.outcome == "pending":
            recent = (EXPORT_2026.date() - c.received.date()).days <= 3
            r = rng.random()
            if c.stuck_status:
                c.status = c.stuck_status
            elif recent and r < 0.35:
                c.status, c.handler = 2, None
            elif c.proc.code in ("1.012755", "1.012756", "1.012758") and r < 0.35:
                c.status = 6
            elif r < 0.12:
                c.status = 5
            else:
                c.status = 4
            if c.status in (4, 5, 6) and c.due.date() < EXPORT_2026.date() and rng.random() < 0.4:
                c.late_reason = rng.choice(LATE_REASONS_LAND if c.proc.sector in LATE_P else LATE_REASONS_OTHER)
            continue
        # finished with a result
        p_eres = clip(0.45 + 0.47 * f + (0.05 if c.channel == "online" else -0.03), 0, 0.99)
        c.e_result = rng.random() < p_eres
        if c.channel == "online" and c.e_result:
            returned = c.finished + timedelta(minutes=rng.randint(1, 90))
        else:
            lag = rng.choices((0, 1, 2, 3, 5), (50, 25, 12, 8, 5))[0]
            day = sim.wd_day(c.finished, lag) if lag else c.finished.date()
            returned = sim.office_time(day, after=c.finished)
        never_collected = c.channel != "online" and rng.random() < 0.012
        if returned > cut or never_collected:
            c.status, c.returned = 9, None
        else:
            c.status, c.returned = 10, returned
        if c.is_late:
            pool = LATE_REASONS_LAND if c.proc.sector in LATE_P else LATE_REASONS_OTHER
            c.late_reason = rng.choice(pool) if rng.random() < 0.93 else None
            c.apology = rng.random() < 0.86
        # rating
        share = {"2024": 0.35, "2025": 0.50, "2026": 0.60}[c.file]
        if rng.random() < share:
            p_bad = 0.35 if c.is_late else clip(0.04 - 0.025 * f, 0.01, 0.05)
            p_very = 0.55 + 0.15 * f
            r = rng.random()
            c.rating = "Không hài lòng" if r < p_bad else ("Rất hài lòng" if r < p_bad + p_very else "Hài lòng")
            base = c.returned or c.finished
            rated = base.date() + timedelta(days=rng.choices((0, 1, 2, 3), (55, 25, 12, 8))[0])
            c.rated_at = min(rated, cut.date())


def assign_ids(cases: list[Case]) -> None:
    cases.sort(key=lambda c: (c.received or c.submitted, c.submitted))
    seq: dict[date, int] = {}
    for c in cases:
        day = (c.received or c.submitted).date()
        seq[day] = seq.get(day, 0) + 1
        c.case_id = f"{UNIT_CODE}-{day:%y%m%d}-{seq[day]:04d}"


# --------------------------------------------------------------------------------------------
# Quirks for the data-quality report
# --------------------------------------------------------------------------------------------
QUIRK_PLAN = {
    # file: (empty id, finish before receipt, no due with statutory time, no due of unknown procedure)
    "2024": (3, 2, 4, 2),
    "2025": (4, 3, 5, 3),
    "2026": (2, 2, 4, 3),
}
IMPOSSIBLE_DATES_2025 = ("Ngày nhận hồ sơ", "Hạn xử lý", "Ngày hoàn thành")


def inject_quirks(cases: list[Case], seed: int) -> dict:
    rng = random.Random(seed + 1)
    report: dict[str, dict[str, list[str]]] = {}
    taken: set[int] = set()

    def pick(pool: list[Case], k: int) -> list[Case]:
        pool = [c for c in pool if id(c) not in taken]
        chosen = rng.sample(pool, k)
        chosen.sort(key=lambda c: c.case_id)
        for c in chosen:
            taken.add(id(c))
        return chosen

    for file, (n_empty, n_before, n_nodue, n_nodue_unknown) in QUIRK_PLAN.items():
        rows = [c for c in cases if c.file == file and not c.overlap]
        ordinary = [c for c in rows if c.status in (9, 10) and c.proc.in_catalogue]
        rep: dict[str, list[str]] = {}
        for c in pick(ordinary, n_before):
            c.quirks.append("finish_before_receipt")
            c.written_finished = c.received - timedelta(days=rng.randint(1, 6), hours=rng.randint(0, 3))
            rep.setdefault("finish_before_receipt", []).append(c.case_id)
        for c in pick([c for c in ordinary if c.proc.days > 0], n_nodue):
            c.quirks.append("no_due_statutory_known")
            rep.setdefault("no_due_statutory_known", []).append(c.case_id)
        unknown = [c for c in rows if not c.proc.in_catalogue and c.received is not None]
        for c in pick(unknown, n_nodue_unknown):
            c.quirks.append("no_due_unknown_procedure")
            rep.setdefault("no_due_unknown_procedure", []).append(c.case_id)
        if file == "2025":
            feb = [c for c in ordinary if c.received.year == 2025 and c.received.month == 2]
            for column, c in zip(IMPOSSIBLE_DATES_2025, pick(feb, len(IMPOSSIBLE_DATES_2025))):
                c.quirks.append("impossible_date:" + column)
                rep.setdefault("impossible_date", []).append(f"{c.case_id} ({column})")
        # empty ids last: the report names them by their true id, which the file does not show
        for c in pick(ordinary, n_empty):
            c.quirks.append("empty_id")
            rep.setdefault("empty_id", []).append(c.case_id)
        report[file] = rep
    return report


# --------------------------------------------------------------------------------------------
# Writers
# --------------------------------------------------------------------------------------------
def dmy(d: datetime | date | None) -> str:
    return "" if d is None else d.strftime("%d/%m/%Y")


def dmy_hm(d: datetime | None) -> str:
    return "" if d is None else d.strftime("%d/%m/%Y %H:%M")


def dmy_hms(d: datetime | None) -> str:
    return "" if d is None else d.strftime("%d/%m/%Y %H:%M:%S")


def dvc(d: datetime | None) -> str | None:
    return None if d is None else d.strftime("%Y%m%d%H%M%S")


STATUS_A = {2: "Đã tiếp nhận", 4: "Đang xử lý", 5: "Yêu cầu bổ sung giấy tờ", 6: "Yêu cầu thực hiện nghĩa vụ tài chính",
            7: "Công dân yêu cầu rút hồ sơ", 8: "Dừng xử lý", 9: "Đã xử lý xong", 10: "Đã trả kết quả"}
STATUS_B = {2: "Mới tiếp nhận", 3: "Từ chối tiếp nhận", 4: "Đang giải quyết", 5: "Chờ bổ sung",
            6: "Chờ thực hiện nghĩa vụ tài chính", 7: "Rút hồ sơ", 8: "Tạm dừng xử lý", 9: "Hoàn thành", 10: "Đã trả"}
CHANNEL_A = {"direct": "Trực tiếp", "online": "Trực tuyến", "postal": "Qua dịch vụ bưu chính công ích"}
CHANNEL_B = {"direct": "Nộp trực tiếp", "online": "Nộp trực tuyến", "postal": "Bưu chính công ích"}
CHANNEL_DVC = {"direct": 1, "online": 2, "postal": 3}


def shown_finish(c: Case) -> datetime | None:
    return c.written_finished if c.written_finished is not None else c.finished


def shown_due(c: Case) -> datetime | None:
    return None if ("no_due_statutory_known" in c.quirks or "no_due_unknown_procedure" in c.quirks) else c.due


def new_workbook(path: Path, created: datetime, title: str) -> xlsxwriter.Workbook:
    # in_memory: no temporary files, every zip member stamped 1980-01-01 whatever the time zone
    wb = xlsxwriter.Workbook(str(path), {"in_memory": True, "strings_to_numbers": False,
                                         "strings_to_formulas": False, "strings_to_urls": False})
    wb.set_properties({"title": title, "author": "Trung tâm Phục vụ hành chính công xã Bình Minh",
                       "company": UNIT, "created": created})
    wb.set_calc_mode("auto")
    return wb


def write_catalogue(path: Path) -> int:
    wb = new_workbook(path, CATALOGUE_CREATED, "Danh mục thủ tục hành chính cấp xã")
    ws = wb.add_worksheet("Bo TTHC")
    bold = wb.add_format({"bold": True, "align": "center", "valign": "vcenter", "text_wrap": True, "border": 1})
    title = wb.add_format({"bold": True, "align": "center", "font_size": 13})
    cell = wb.add_format({"border": 1, "valign": "top", "text_wrap": True})
    money = wb.add_format({"border": 1, "valign": "top", "num_format": "#,##0"})
    headers = ("STT", "Mã thủ tục", "Tên thủ tục", "Lĩnh vực", "Thời hạn giải quyết (ngày làm việc)",
               "Phí, lệ phí", "Toàn trình")
    ws.merge_range(0, 0, 0, len(headers) - 1,
                   "DANH MỤC THỦ TỤC HÀNH CHÍNH THUỘC THẨM QUYỀN GIẢI QUYẾT CỦA UBND XÃ BÌNH MINH", title)
    for col, h in enumerate(headers):
        ws.write_string(2, col, h, bold)
    row = 3
    for i, p in enumerate([p for p in PROCEDURES if p.in_catalogue], start=1):
        ws.write_number(row, 0, i, cell)
        ws.write_string(row, 1, p.code, cell)
        ws.write_string(row, 2, p.name, cell)
        ws.write_string(row, 3, p.sector, cell)
        ws.write_number(row, 4, p.days, cell)
        ws.write_number(row, 5, p.fee, money)
        ws.write_string(row, 6, "Có" if p.full_online else "Không", cell)
        row += 1
    for col, width in enumerate((6, 11, 70, 28, 16, 12, 11)):
        ws.set_column(col, col, width)
    wb.close()
    return row - 3


def write_2024(path: Path, cases: list[Case], rng: random.Random) -> dict:
    rows = [c for c in cases if c.file == "2024"]
    wb = new_workbook(path, XLSX_CREATED, "Danh sách hồ sơ tiếp nhận năm 2024")
    ws = wb.add_worksheet("DanhSachHoSo")
    title = wb.add_format({"bold": True, "align": "center"})
    head = wb.add_format({"bold": True, "align": "center", "valign": "vcenter", "text_wrap": True, "border": 1,
                          "bg_color": "#DDEBF7"})
    cell = wb.add_format({"border": 1})
    when = wb.add_format({"border": 1, "num_format": "dd/mm/yyyy hh:mm"})
    money = wb.add_format({"border": 1, "num_format": "#,##0"})
    total = wb.add_format({"bold": True, "border": 1})

    # (group header or None, header); a header alone spans both header rows
    layout = [
        (None, "STT"), (None, "Mã hồ sơ"), (None, "Đơn vị tiếp nhận"),
        ("Thủ tục hành chính", "Mã thủ tục"), ("Thủ tục hành chính", "Tên thủ tục"),
        (None, "Lĩnh vực"),
        ("Thông tin người nộp", "Chủ hồ sơ"), ("Thông tin người nộp", "Số điện thoại"),
        ("Thông tin người nộp", "Địa chỉ"),
        (None, unicodedata.normalize("NFD", "Kênh tiếp nhận")),
        ("Thời gian", "Ngày tiếp nhận"), ("Thời gian", "Ngày hẹn trả"), ("Thời gian", "Ngày kết thúc\nxử lý"),
        ("Thời gian", "Ngày trả kết quả"),
        (None, "Trạng thái"),
        ("Xử lý", "Cán bộ  xử lý"), ("Xử lý", "Phòng ban xử lý"),
        ("Chuyển đổi số", "Số hóa hồ sơ"), ("Chuyển đổi số", "Kết quả điện tử"),
        (None, "Phí, lệ phí"), (None, "Thanh toán\ntrực tuyến"), (None, "Đánh giá"),
        ("Trễ hạn", "Lý do trễ hạn"), ("Trễ hạn", "Đã gửi thư xin lỗi"),
    ]
    ncol = len(layout)
    for r, text in enumerate(("ỦY BAN NHÂN DÂN XÃ BÌNH MINH", "TRUNG TÂM PHỤC VỤ HÀNH CHÍNH CÔNG",
                              "DANH SÁCH HỒ SƠ TIẾP NHẬN", "Từ ngày 01/01/2024 đến ngày 31/12/2024")):
        ws.merge_range(r, 0, r, ncol - 1, text, title)
    top, bottom = 5, 6
    col = 0
    while col < ncol:
        group, header = layout[col]
        if group is None:
            ws.merge_range(top, col, bottom, col, header, head)
            col += 1
            continue
        end = col
        while end + 1 < ncol and layout[end + 1][0] == group:
            end += 1
        ws.merge_range(top, col, top, end, group, head)
        for k in range(col, end + 1):
            ws.write_string(bottom, k, layout[k][1], head)
        col = end + 1

    blank_after = sorted(rng.sample(range(200, len(rows) - 200), 2))
    row = bottom + 1
    stt = 0
    for i, c in enumerate(rows):
        stt += 1
        values: list = [
            stt, "" if "empty_id" in c.quirks else c.case_id, UNIT, c.proc.code, c.proc.name, c.proc.sector,
            c.person.name, c.person.phone, c.person.address, CHANNEL_A[c.channel],
            c.received, dmy_hm(shown_due(c)), dmy_hm(shown_finish(c)), dmy(c.returned),
            STATUS_A[c.status], c.handler or "", c.department or "",
            "x" if c.digitised else "", ("Có" if c.e_result else "Không") if c.status in (9, 10) else "Không",
            c.fee, ("Có" if c.paid_online else "Không") if c.fee > 0 else "", c.rating or "",
            c.late_reason or "", "" if c.apology is None else ("Có" if c.apology else "Không"),
        ]
        for k, v in enumerate(values):
            if isinstance(v, datetime):
                ws.write_datetime(row, k, v, when)
            elif isinstance(v, int):
                ws.write_number(row, k, v, money if k == 19 else cell)
            elif v == "":
                ws.write_blank(row, k, None, cell)
            else:
                ws.write_string(row, k, v, cell)
        row += 1
        if i in blank_after:
            row += 1      # an empty row left in the middle of the list
    ws.write_string(row, 0, "Tổng cộng", total)
    ws.write_number(row, 1, len(rows), total)
    for k, width in enumerate((6, 27, 18, 10, 40, 16, 20, 12, 30, 14, 16, 16, 16, 12, 16, 20, 20, 8, 9, 10, 10,
                               13, 30, 9)):
        ws.set_column(k, k, width)
    ws.freeze_panes(bottom + 1, 2)
    wb.close()
    return {"rows": len(rows), "blank_rows": 2, "blank_rows_after_stt": [b + 1 for b in blank_after],
            "header_rows": [top + 1, bottom + 1], "first_data_row": bottom + 2, "total_row": row + 1}


CSV_HEADERS = ("Số hồ sơ", "Mã TTHC", "Tên thủ tục hành chính", "Tên lĩnh vực", "Đơn vị tiếp nhận", "Người nộp",
               "Số CCCD", "Số điện thoại", "Email", "Hình thức nộp", "Ngày nộp hồ sơ", "Ngày nhận hồ sơ",
               "Hạn xử lý", "Ngày hoàn thành", "Ngày trả", "Trạng thái hồ sơ", "Người xử lý", "Đơn vị xử lý",
               "Hồ sơ có thành phần số hóa", "Có kết quả điện tử", "Lệ phí", "Thanh toán trực tuyến",
               "Mức độ hài lòng", "Lý do trễ hạn", "Đã gửi thư xin lỗi")


def write_2025(path: Path, cases: list[Case]) -> dict:
    rows = [c for c in cases if c.file == "2025" or (c.overlap and c.received.year == 2025)]
    rows.sort(key=lambda c: (c.received or c.submitted, c.case_id), reverse=True)   # newest first
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(CSV_HEADERS)
    multiline = 0
    for c in rows:
        if c.overlap:   # as the old system showed it on 31/12/2025: still being handled
            status, finished, returned, e_res, rating, reason, apology = 4, None, None, "0", "", "", ""
        else:
            status, finished, returned = c.status, shown_finish(c), c.returned
            e_res = "1" if c.e_result else "0"
            rating = c.rating or ""
            reason = c.late_reason or ""
            apology = "" if c.apology is None else ("Đã" if c.apology else "Chưa")
        if reason and multiline < 2 and c.proc.sector == "Đất đai":
            reason, multiline = reason + ";\nđã báo cáo lãnh đạo UBND xã", multiline + 1
        received, fin = dmy_hms(c.received), dmy_hms(finished)
        due = dmy_hms(c.due_2025 if c.overlap else shown_due(c))
        for q in c.quirks:
            if q.startswith("impossible_date:"):
                column = q.split(":", 1)[1]
                bad = f"31/02/2025 {c.received:%H:%M:%S}"
                if column == "Ngày nhận hồ sơ":
                    received = bad
                elif column == "Hạn xử lý":
                    due = bad
                else:
                    fin = bad
        writer.writerow([
            "" if "empty_id" in c.quirks else c.case_id, c.proc.code, c.proc.name, c.proc.sector, UNIT,
            c.person.name, c.person.id_number, c.person.phone, c.person.email or "", CHANNEL_B[c.channel],
            dmy_hms(c.submitted), received, due, fin, dmy_hms(returned), STATUS_B[status],
            c.handler or "", c.department or "", "1" if c.digitised else "0", e_res, c.fee,
            ("Có" if c.paid_online else "Không") if c.fee > 0 else "", rating, reason, apology,
        ])
    path.write_bytes(buf.getvalue().encode("utf-8-sig"))
    return {"rows": len(rows), "multiline_fields": multiline}


def write_2026(path: Path, cases: list[Case]) -> dict:
    rows = [c for c in cases if c.file == "2026"]
    lines = []
    empty_style = 0
    for c in rows:
        obj: dict = {}
        if "empty_id" in c.quirks:
            obj["MaHoSo"] = "" if empty_style == 0 else None
            empty_style += 1
        else:
            obj["MaHoSo"] = c.case_id
        sector_code = SECTORS[c.proc.sector][0]
        obj.update({"MaTTHC": c.proc.code, "TenTTHC": c.proc.name, "MaLinhVuc": sector_code,
                    "TenLinhVuc": c.proc.sector, "KenhThucHien": CHANNEL_DVC[c.channel],
                    "ChuHoSo": c.person.name, "SoGiayToChuHoSo": c.person.id_number,
                    "SoDienThoai": c.person.phone})
        if c.person.email:
            obj["Email"] = c.person.email
        obj["NgayNopHoSo"] = dvc(c.submitted)
        if c.received is not None:
            obj["NgayTiepNhan"] = dvc(c.received)
            due = shown_due(c)
            if due is not None:
                obj["NgayHenTra"] = dvc(due)
            elif "no_due_unknown_procedure" in c.quirks:
                obj["NgayHenTra"] = None
        fin = shown_finish(c)
        if fin is not None:
            obj["NgayKetThucXuLy"] = dvc(fin)
        if c.status in (9, 10):
            obj["NgayTra"] = dvc(c.returned)
        obj["TrangThaiHoSo"] = c.status
        obj["DonViTiepNhan"] = UNIT
        if c.department:
            obj["DonViXuLy"] = c.department
        if c.handler:
            obj["CanBoXuLy"] = c.handler
        obj["HoSoCoThanhPhanSoHoa"] = 1 if any(d[1] for d in c.docs) else 0
        obj["DuocThanhToanTrucTuyen"] = (2 if c.channel == "online" else 1) if c.paid_online else 0
        if c.fee > 0:
            obj["DanhSachLePhi"] = [{"TenPhiLePhi": c.proc.fee_name or "Lệ phí", "Gia": c.fee}]
        if c.status in (9, 10):
            obj["DanhSachGiayToKetQua"] = (
                [{"TenGiayTo": c.proc.result,
                  "DuongDanTepTinKetQua": f"/kq/{c.case_id[-11:]}.pdf"}] if c.e_result else [])
        elif c.status in (7, 8):
            obj["DanhSachGiayToKetQua"] = []
        obj["TaiLieuNop"] = [{"TenTepDinhKem": name, "DuocSoHoa": s, "DuocTaiSuDung": t, "DuocLayTuKhoDMQG": k}
                             for name, s, t, k in c.docs]
        lines.append(json.dumps(obj, ensure_ascii=False, separators=(",", ":")))
    path.write_bytes(("\n".join(lines) + "\n").encode("utf-8"))
    return {"rows": len(rows)}


def write_ratings(path: Path, cases: list[Case]) -> dict:
    rated = [c for c in cases if c.file == "2026" and c.rating and "empty_id" not in c.quirks]
    rated.sort(key=lambda c: (c.rated_at, c.case_id))
    lines = ["Mã hồ sơ\tMức độ hài lòng\tNgày đánh giá"]
    lines += [f"{c.case_id}\t{c.rating}\t{dmy(c.rated_at)}" for c in rated]
    path.write_bytes(b"\xff\xfe" + ("\r\n".join(lines) + "\r\n").encode("utf-16-le"))
    return {"rows": len(rated)}


PAKN_SECTORS = (("Đất đai", 30), ("Xây dựng", 14), ("Môi trường", 16), ("Hộ tịch", 8), ("Chứng thực", 4),
                ("Bảo trợ xã hội", 9), ("Giao thông vận tải", 12), ("Văn hóa", 4), ("Nông nghiệp", 3))
PAKN_TEXT = {
    "Đất đai": ("Phản ánh việc chậm cấp Giấy chứng nhận quyền sử dụng đất tại thôn {h}",
                "Kiến nghị xem xét ranh giới thửa đất giáp ranh tại thôn {h}",
                "Phản ánh việc san lấp đất nông nghiệp trái phép tại thôn {h}"),
    "Xây dựng": ("Phản ánh công trình xây dựng lấn chiếm hành lang đường tại thôn {h}",
                 "Phản ánh việc xây dựng nhà ở không phép tại thôn {h}"),
    "Môi trường": ("Phản ánh rác thải tập kết gây ô nhiễm tại thôn {h}",
                   "Phản ánh tiếng ồn, khói bụi từ cơ sở sản xuất tại thôn {h}",
                   "Phản ánh nước thải chăn nuôi chảy ra kênh tưới tiêu thôn {h}"),
    "Hộ tịch": ("Kiến nghị hướng dẫn thủ tục đăng ký khai sinh trực tuyến",
                "Phản ánh sai sót thông tin trên trích lục hộ tịch"),
    "Chứng thực": ("Phản ánh thời gian chờ chứng thực bản sao tại quầy kéo dài",),
    "Bảo trợ xã hội": ("Kiến nghị xem xét trợ cấp xã hội cho hộ gia đình tại thôn {h}",
                       "Phản ánh việc chậm chi trả trợ cấp hàng tháng"),
    "Giao thông vận tải": ("Kiến nghị sửa chữa đường liên thôn {h} bị xuống cấp",
                           "Phản ánh đèn chiếu sáng công cộng tại thôn {h} không hoạt động"),
    "Văn hóa": ("Phản ánh hoạt động karaoke gây ồn sau 22 giờ tại thôn {h}",),
    "Nông nghiệp": ("Kiến nghị hỗ trợ giống cây trồng sau bão tại thôn {h}",),
}


def write_pakn(path: Path, cal: WorkCalendar, seed: int) -> dict:
    rng = random.Random(seed + 2)
    items = []
    d = FIRST_DAY
    while d <= LAST_DAY:
        if cal.is_working(d):
            for _ in range(poisson(rng, 0.45)):
                minute = rng.randint(7 * 60 + 20, 16 * 60 + 50)
                items.append(datetime.combine(d, time(minute // 60, minute % 60)))
        d += timedelta(days=1)
    wb = new_workbook(path, PAKN_CREATED, "Danh sách phản ánh, kiến nghị")
    ws = wb.add_worksheet("PAKN")
    title = wb.add_format({"bold": True, "align": "center"})
    head = wb.add_format({"bold": True, "align": "center", "valign": "vcenter", "text_wrap": True, "border": 1})
    cell = wb.add_format({"border": 1})
    day_fmt = wb.add_format({"border": 1, "num_format": "dd/mm/yyyy"})
    headers = ("STT", "Mã PAKN", "Đơn vị tiếp nhận", "Lĩnh vực", "Người phản ánh", "Nội dung", "Ngày tiếp nhận",
               "Hạn xử lý", "Ngày trả lời", "Đánh giá")
    ws.merge_range(0, 0, 0, len(headers) - 1, "DANH SÁCH PHẢN ÁNH, KIẾN NGHỊ CỦA NGƯỜI DÂN, DOANH NGHIỆP", title)
    ws.merge_range(1, 0, 1, len(headers) - 1, "Từ ngày 01/01/2024 đến ngày 15/11/2026", title)
    for k, h in enumerate(headers):
        ws.write_string(3, k, h, head)
    counts = {"rows": 0, "answered": 0, "answered_on_time": 0, "answered_late": 0, "pending": 0,
              "pending_overdue": 0}
    per_year: dict[int, int] = {}
    for i, received in enumerate(items):
        sector = rng.choices([s for s, _ in PAKN_SECTORS], [w for _, w in PAKN_SECTORS])[0]
        per_year[received.year] = per_year.get(received.year, 0) + 1
        fid = f"PAKN-{received.year}-{per_year[received.year]:03d}"
        due = cal.add_working_days(received, 10)
        r = rng.random()
        if r < 0.04:
            answered = cal.add_working_days(received, 10 + rng.randint(1, 8))
        else:
            answered = cal.add_working_days(received, rng.randint(1, 10))
        answered_dt = datetime.combine(answered, time(rng.randint(8, 16), rng.randint(0, 59)))
        if answered_dt > EXPORT_2026:
            answered_dt = None
        rating = ""
        if answered_dt is not None and rng.random() < 0.55:
            rating = rng.choices(("Rất hài lòng", "Hài lòng", "Không hài lòng"), (45, 48, 7))[0]
        text = rng.choice(PAKN_TEXT[sector]).format(h=rng.choice(HAMLETS))
        row = 4 + i
        ws.write_number(row, 0, i + 1, cell)
        ws.write_string(row, 1, fid, cell)
        ws.write_string(row, 2, UNIT, cell)
        ws.write_string(row, 3, sector, cell)
        ws.write_string(row, 4, make_person(rng).name, cell)
        ws.write_string(row, 5, text, cell)
        ws.write_datetime(row, 6, received, day_fmt)
        ws.write_datetime(row, 7, datetime.combine(due, time(0, 0)), day_fmt)
        if answered_dt is None:
            ws.write_blank(row, 8, None, cell)
        else:
            ws.write_datetime(row, 8, answered_dt, day_fmt)
        if rating:
            ws.write_string(row, 9, rating, cell)
        else:
            ws.write_blank(row, 9, None, cell)
        counts["rows"] += 1
        if answered_dt is None:
            counts["pending"] += 1
            counts["pending_overdue"] += due < EXPORT_2026.date()
        else:
            counts["answered"] += 1
            late = answered_dt.date() > due
            counts["answered_late"] += late
            counts["answered_on_time"] += not late
    for k, width in enumerate((6, 15, 18, 20, 22, 60, 14, 14, 14, 14)):
        ws.set_column(k, k, width)
    wb.close()
    return counts


# --------------------------------------------------------------------------------------------
# Entry points
# --------------------------------------------------------------------------------------------
def summarise(cases: list[Case]) -> dict:
    out: dict = {}
    for file in ("2024", "2025", "2026"):
        rows = [c for c in cases if c.file == file]
        received = [c for c in rows if c.received is not None]
        status: dict[int, int] = {}
        for c in rows:
            status[c.status] = status.get(c.status, 0) + 1
        late_by_sector: dict[str, list[int]] = {}
        for c in rows:
            if c.outcome == "done" and c.finished is not None:
                v = late_by_sector.setdefault(c.proc.sector, [0, 0])
                v[0] += c.is_late
                v[1] += 1
        out[file] = {
            "cases": len(rows), "received": len(received),
            "status": dict(sorted(status.items())),
            "online_share": round(sum(c.channel == "online" for c in received) / len(received), 4),
            "postal_share": round(sum(c.channel == "postal" for c in received) / len(received), 4),
            "unknown_procedure_cases": sum(not c.proc.in_catalogue for c in rows),
            "pending_overdue_2_4": sum(1 for c in rows if c.status in (2, 4) and c.due is not None
                                       and c.due.date() < EXPORT_2026.date()) if file == "2026" else 0,
            "pending_past_due_5_6": sum(1 for c in rows if c.status in (5, 6) and c.due is not None
                                        and c.due.date() < EXPORT_2026.date()) if file == "2026" else 0,
            "late_by_sector": {k: f"{v[0]}/{v[1]}" for k, v in sorted(late_by_sector.items())},
        }
    out["overlap_cases"] = sum(c.overlap for c in cases)
    out["overlap_reappointed"] = sum(c.reappointed for c in cases)
    return out


def generate(out_dir: Path | str, seed: int = SEED) -> dict:
    """Write every sample file into out_dir; return a summary with counts and injected quirks."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    cal = WorkCalendar.default()
    cases, rng = simulate(cal)
    quirks = inject_quirks(cases, seed)
    summary: dict = {"cases": summarise(cases), "quirks": quirks, "files": {}}
    layout_rng = random.Random(seed + 3)
    summary["files"]["bo_tthc.xlsx"] = {"procedures": write_catalogue(out_dir / "bo_tthc.xlsx"),
                                        "left_out": [p.code for p in PROCEDURES if not p.in_catalogue]}
    summary["files"]["ho_so_2024_motcua.xlsx"] = write_2024(out_dir / "ho_so_2024_motcua.xlsx", cases, layout_rng)
    summary["files"]["ho_so_2025_vendorB.csv"] = write_2025(out_dir / "ho_so_2025_vendorB.csv", cases)
    summary["files"]["dvcqg_2026.jsonl"] = write_2026(out_dir / "dvcqg_2026.jsonl", cases)
    summary["files"]["danh_gia_hai_long.txt"] = write_ratings(out_dir / "danh_gia_hai_long.txt", cases)
    summary["files"]["pakn.xlsx"] = write_pakn(out_dir / "pakn.xlsx", cal, seed)
    summary["overlap_case_ids"] = sorted(c.case_id for c in cases if c.overlap)
    return summary


def main(argv: list[str]) -> int:
    out = Path(argv[1]) if len(argv) > 1 else Path(__file__).resolve().parent
    summary = generate(out)
    brief = {k: v for k, v in summary.items() if k != "overlap_case_ids"}
    print(json.dumps(brief, ensure_ascii=False, indent=1))
    for name in FILES:
        print(f"{name}: {(out / name).stat().st_size:,} bytes")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
