"""Vietnamese names of the metrics, columns and statuses the pages show.

Metric ids are those of queries.metrics.kpis / docs/targets.md; a key with the suffix
``_land_group`` is the same metric for the đất đai / xây dựng / đầu tư group (targets.metric_key).
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Metric:
    key: str            # kpis() key
    label: str          # short Vietnamese name
    help: str           # one line: what it counts
    metric: str         # target metric id (targets.metric)
    scope: str | None = None   # target sector_scope


METRICS: dict[str, Metric] = {m.key: m for m in [
    Metric("on_time_rate", "Tỷ lệ giải quyết đúng hạn",
           "(trước hạn + đúng hạn) / đã giải quyết trong kỳ", "on_time_rate"),
    Metric("progress_rate", "Tỷ lệ đã và đang xử lý đúng hạn (cách chấm 766)",
           "(trước hạn + đúng hạn + đang trong hạn) / (đã giải quyết + đang giải quyết)", "progress_rate"),
    Metric("online_share", "Tỷ lệ hồ sơ trực tuyến",
           "hồ sơ tiếp nhận trực tuyến / hồ sơ tiếp nhận trong kỳ", "online_share"),
    Metric("full_online_case_share", "Tỷ lệ hồ sơ trực tuyến toàn trình",
           "hồ sơ trực tuyến / hồ sơ tiếp nhận, trong các TTHC đủ điều kiện toàn trình", "full_online_case_share"),
    Metric("digitised_share", "Tỷ lệ số hóa hồ sơ",
           "hồ sơ có thành phần được số hóa / hồ sơ tiếp nhận", "digitised_share"),
    Metric("e_result_share", "Tỷ lệ cấp kết quả điện tử",
           "hồ sơ có kết quả điện tử / hồ sơ đã giải quyết có kết quả", "e_result_share"),
    Metric("reuse_share", "Tỷ lệ khai thác, sử dụng lại dữ liệu số hóa",
           "hồ sơ sử dụng lại dữ liệu đã số hóa / hồ sơ tiếp nhận", "reuse_share"),
    Metric("online_payment_share", "Tỷ lệ giao dịch thanh toán trực tuyến",
           "hồ sơ có phí đã thanh toán trực tuyến / hồ sơ có phí", "online_payment_share"),
    Metric("fee_procedure_online_payment_share", "Tỷ lệ TTHC có phí được thanh toán trực tuyến",
           "TTHC có phí có ít nhất một giao dịch trực tuyến / TTHC có phí", "fee_procedure_online_payment_share"),
    Metric("satisfaction_rate", "Mức độ hài lòng",
           "(Rất hài lòng + Hài lòng) / tổng số đánh giá, theo ngày kết thúc hồ sơ", "satisfaction_rate"),
    Metric("satisfaction_rate_land_group", "Mức độ hài lòng: đất đai, xây dựng, đầu tư",
           "như trên, chỉ hồ sơ lĩnh vực đất đai, xây dựng, đầu tư", "satisfaction_rate",
           "dat_dai_xay_dung_dau_tu"),
    Metric("time_saving_mean", "Giảm thời gian giải quyết so với quy định (bình quân)",
           "bình quân (1 − ngày làm việc thực tế / ngày theo quy định)", "time_saving_mean"),
    Metric("time_saving_share", "Tỷ lệ hồ sơ giảm thời gian đạt ngưỡng",
           "hồ sơ giảm thời gian ≥ ngưỡng của kế hoạch / hồ sơ có thời hạn quy định", "time_saving_share"),
    Metric("pakn_on_time_rate", "Tỷ lệ PAKN xử lý đúng hạn",
           "PAKN xử lý xong trước hạn / PAKN đến hạn trong kỳ", "pakn_on_time_rate"),
]}

# The overview's cards, in reading order.
HEADLINE = ["on_time_rate", "progress_rate", "online_share", "digitised_share", "e_result_share",
            "reuse_share", "online_payment_share", "fee_procedure_online_payment_share",
            "satisfaction_rate", "satisfaction_rate_land_group", "time_saving_mean", "pakn_on_time_rate"]
# Counts shown above the cards.
COUNTS = {
    "received": "Tiếp nhận",
    "resolved": "Đã giải quyết",
    "resolved_late": "Giải quyết quá hạn",
    "pending": "Đang giải quyết",
    "pending_overdue": "Đang quá hạn",
}
DIGITAL = ["online_share", "full_online_case_share", "digitised_share", "e_result_share", "reuse_share",
           "online_payment_share", "fee_procedure_online_payment_share"]
# Xu hướng's metrics in the themes of the other pages (one tab each, drawn only when open).
TREND_GROUPS = {
    "Giải quyết hồ sơ": ["on_time_rate", "progress_rate", "time_saving_mean", "time_saving_share"],
    "Chuyển đổi số": DIGITAL,
    "Hài lòng, phản ánh kiến nghị": ["satisfaction_rate", "satisfaction_rate_land_group", "pakn_on_time_rate"],
}
TREND = [key for keys in TREND_GROUPS.values() for key in keys]

METRIC_ID_LABELS = {m.metric: m.label for m in METRICS.values() if m.scope is None}
METRIC_ID_LABELS["full_online_procedure_share"] = "Tỷ lệ TTHC đủ điều kiện được cung cấp trực tuyến toàn trình"
SCOPE_LABELS = {None: "Tất cả lĩnh vực", "dat_dai_xay_dung_dau_tu": "Đất đai, xây dựng, đầu tư"}


def metric_label(metric: str | None, scope: str | None = None) -> str:
    if not metric:
        return "Chỉ tiêu không đo được từ dữ liệu hồ sơ"
    for m in METRICS.values():
        if m.metric == metric and m.scope == scope:
            return m.label
    label = METRIC_ID_LABELS.get(metric, metric)
    return label + (f" ({SCOPE_LABELS.get(scope, scope)})" if scope else "")


def key_for(metric: str, scope: str | None) -> str:
    """The kpis() key of a target's metric and scope."""
    return metric + ("_land_group" if scope == "dat_dai_xay_dung_dau_tu" else "")


STATUS_LABELS = {
    "met": "Đạt",
    "not_met": "Chưa đạt",
    "no_data": "Không có dữ liệu",
    "not_measurable": "Chưa đo được",
    "not_in_effect": "Chưa/không áp dụng trong kỳ",
    "no_target": "Kế hoạch không đặt chỉ tiêu",
}
STATUS_COLOURS = {"met": "green", "not_met": "red", "no_data": "gray", "not_measurable": "gray",
                  "not_in_effect": "gray", "no_target": "blue"}
HEX = {"met": "#1a7f37", "not_met": "#cf222e", "none": "#8c959f", "target": "#0550ae", "value": "#0969da",
       "projection": "#8250df"}

CHANNELS = {"online": "Trực tuyến", "direct": "Trực tiếp", "postal": "Bưu chính công ích", None: "Không rõ"}
RATINGS = {1: "Không hài lòng", 2: "Hài lòng", 3: "Rất hài lòng"}
CASE_STATUS = {1: "Mới đăng ký", 2: "Được tiếp nhận", 3: "Không được tiếp nhận", 4: "Đang xử lý",
               5: "Yêu cầu bổ sung giấy tờ", 6: "Yêu cầu thực hiện nghĩa vụ tài chính",
               7: "Công dân yêu cầu rút hồ sơ", 8: "Dừng xử lý", 9: "Đã xử lý xong", 10: "Đã trả kết quả"}
LATE_KIND = {"resolved_late": "Đã giải quyết quá hạn", "pending_overdue": "Đang quá hạn"}
DUE_ORIGIN = {"file": "Từ tệp", "statutory": "Tính theo thời hạn quy định", "derived": "Tính khi truy vấn",
              None: "Không có"}

# Column headers of the case lists (late cases, due soon), in display order.
CASE_LIST_COLUMNS = {
    "kind": "Loại",
    "case_id": "Mã hồ sơ",
    "sector": "Lĩnh vực",
    "procedure_name": "Thủ tục",
    "handler": "Cán bộ xử lý",
    "department": "Phòng ban xử lý",
    "channel": "Kênh",
    "status": "Trạng thái",
    "received_at": "Ngày tiếp nhận",
    "due_date": "Hạn trả",
    "finish_date": "Ngày kết thúc",
    "days_late": "Số ngày làm việc trễ",
    "working_days_left": "Còn (ngày làm việc)",
    "waits_applicant": "Chờ công dân bổ sung",
    "late_reason": "Lý do trễ hạn",
    "apology_sent": "Đã gửi thư xin lỗi",
    "unit": "Đơn vị",
    "procedure_code": "Mã TTHC",
    "due_origin": "Nguồn hạn trả",
}
