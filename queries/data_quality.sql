-- grain: one row per data-quality check, in a fixed order: check_id, description and treatment (how the
--        metrics treat the cases, in Vietnamese, for the clerk), cases = how many cases (PAKN items, rating
--        rows) the check finds; NULL when the check cannot be made (e.g. no procedure catalogue loaded).
-- params: $start DATE, $end DATE (inclusive); $unit VARCHAR (NULL = all units);
--         $sector VARCHAR (NULL = all sectors, NFC-compared).
-- rule: DOMAIN.md "House rules for the case metrics": "with neither [due date nor statutory time] it counts as
--       on time and is flagged in the data-quality report", "Cases never received (status 1, 3) are excluded
--       everywhere", and every other convention queries/views.sql takes for incomplete data.
--   Scope of the case checks: the cases the period's figures touch (received in P, carried over, resolved in
--   P, pending at $end) plus unfinished cases without a received date; not_received counts status 1/3 cases
--   submitted or received in P. ratings_unknown_case looks at the whole warehouse.
with
scope as (
    select *
    from case_period_facts($start, $end)
    where ($unit is null or unit = $unit)
      and ($sector is null or sector = nfc_normalize($sector))
      and (received_in_period or carried_over or resolved_in_period or pending_at_end
           or (received_date is null and not is_finished))
),

catalogue as (
    select
        count(*) as procedures,
        count(sector) as procedures_with_sector
    from procedures
),

not_received as (
    select count(*) as cases
    from cases c
    join statuses s on s.status = c.status
    where not s.is_received
      and cast(coalesce(c.received_at, c.submitted_at) as date) between $start and $end
      and ($unit is null or c.unit = $unit)
      and ($sector is null or nfc_normalize(trim(c.sector)) = nfc_normalize($sector))
),

case_checks as (
    select
        count(*) filter (where status is null) as no_status,
        count(*) filter (where status is not null and not status_known) as unknown_status,
        count(*) filter (where received_date is null) as no_received_date,
        count(*) filter (where due_origin = 'statutory') as due_statutory_at_load,
        count(*) filter (where due_date is null and statutory_days is not null) as no_due_date_statutory_known,
        count(*) filter (where due_date is null and statutory_days is null) as no_due_date_no_statutory,
        count(*) filter (where sector is null) as no_sector,
        count(*) filter (where sector is not null
                         and sector not in (select nfc_normalize(trim(sector)) from procedures
                                            where sector is not null)) as sector_not_in_catalogue,
        count(*) filter (where procedure_key is null) as no_procedure,
        count(*) filter (where procedure_key is not null and not in_catalogue) as procedure_not_in_catalogue,
        count(*) filter (where received_in_period and channel is null) as no_channel,
        count(*) filter (where finish_time_unknown) as finished_without_time,
        count(*) filter (where finish_at is not null and status_known and not status_finished)
            as finish_time_open_status,
        count(*) filter (where finish_date < received_date) as finish_before_received,
        count(*) filter (where due_date < received_date) as due_before_received,
        count(*) filter (where ((resolved_in_period and timeliness = 'late') or pending_overdue)
                         and nullif(trim(late_reason), '') is null) as late_without_reason,
        count(*) filter (where ((resolved_in_period and timeliness = 'late') or pending_overdue)
                         and apology_sent is not true) as late_without_apology
    from scope
),

feedback_checks as (
    select count(*) filter (where due_date is null) as feedback_no_due
    from feedback_facts
    where received_date between $start and $end
      and ($unit is null or unit = $unit)
      and ($sector is null or sector = nfc_normalize($sector))
),

rating_checks as (
    select count(*) as ratings_unknown_case
    from ratings r
    where not exists (select 1 from cases c where c.case_id = r.case_id)
),

counts as (
    select
        n.cases as not_received,
        c.no_status,
        c.unknown_status,
        c.no_received_date,
        c.due_statutory_at_load,
        c.no_due_date_statutory_known,
        c.no_due_date_no_statutory,
        c.no_sector,
        case when k.procedures_with_sector > 0 then c.sector_not_in_catalogue end as sector_not_in_catalogue,
        c.no_procedure,
        case when k.procedures > 0 then c.procedure_not_in_catalogue end as procedure_not_in_catalogue,
        c.no_channel,
        c.finished_without_time,
        c.finish_time_open_status,
        c.finish_before_received,
        c.due_before_received,
        c.late_without_reason,
        c.late_without_apology,
        f.feedback_no_due,
        r.ratings_unknown_case
    from not_received n
    cross join case_checks c
    cross join catalogue k
    cross join feedback_checks f
    cross join rating_checks r
),

long as (
    select *
    from counts
    unpivot include nulls (cases for check_id in (columns(*)))
),

described as (
    select * from (values
        (1, 'not_received', 'Hồ sơ mới đăng ký hoặc không được tiếp nhận (trạng thái 1, 3) nộp/nhận trong kỳ',
            'Không tính vào bất kỳ chỉ số nào'),
        (2, 'no_status', 'Hồ sơ không có trạng thái',
            'Tính là đã tiếp nhận; đã giải quyết nếu có ngày kết thúc hoặc ngày trả'),
        (3, 'unknown_status', 'Hồ sơ có mã trạng thái ngoài 1-10',
            'Tính là đã tiếp nhận; đã giải quyết nếu có ngày kết thúc hoặc ngày trả'),
        (4, 'no_received_date', 'Hồ sơ không có ngày tiếp nhận',
            'Không tính vào tiếp nhận, từ kỳ trước chuyển qua và đang giải quyết'),
        (5, 'due_statutory_at_load', 'Hồ sơ không có ngày hẹn trả; hạn tính khi nạp = ngày tiếp nhận + thời hạn theo quy định (ngày làm việc)',
            'Dùng như ngày hẹn trả'),
        (6, 'no_due_date_statutory_known', 'Hồ sơ không có ngày hẹn trả, có thời hạn theo quy định nhưng không tính được hạn (thiếu ngày tiếp nhận hoặc ngoài lịch ngày làm việc)',
            'Tính là đúng hạn (đã giải quyết) hoặc trong hạn (đang giải quyết)'),
        (7, 'no_due_date_no_statutory', 'Hồ sơ không có ngày hẹn trả và không có thời hạn theo quy định',
            'Tính là đúng hạn (đã giải quyết) hoặc trong hạn (đang giải quyết)'),
        (8, 'no_sector', 'Hồ sơ không có lĩnh vực',
            'Xếp vào dòng "Chưa xác định lĩnh vực" của Biểu II.06a'),
        (9, 'sector_not_in_catalogue', 'Lĩnh vực không có trong danh mục thủ tục',
            'Vẫn tính theo tên lĩnh vực của hồ sơ'),
        (10, 'no_procedure', 'Hồ sơ không có mã và tên thủ tục',
            'Không có thời hạn, phí theo danh mục; không tính vào tỷ lệ TTHC có thanh toán trực tuyến'),
        (11, 'procedure_not_in_catalogue', 'Mã thủ tục không có trong danh mục thủ tục',
            'Không có thời hạn, phí, toàn trình theo danh mục'),
        (12, 'no_channel', 'Hồ sơ tiếp nhận trong kỳ không có kênh tiếp nhận',
            'Không tính là trực tuyến; Biểu II.06a xếp vào cột (5)'),
        (13, 'finished_without_time', 'Hồ sơ tiếp nhận trong kỳ đã kết thúc (trạng thái 7-10) nhưng không có ngày kết thúc, ngày trả',
            'Không tính là đã giải quyết hay đang giải quyết trong kỳ nào: (3) lớn hơn (7) + (11)'),
        (14, 'finish_time_open_status', 'Hồ sơ có ngày kết thúc nhưng trạng thái là chưa kết thúc',
            'Tính là đã giải quyết theo ngày kết thúc'),
        (15, 'finish_before_received', 'Ngày kết thúc trước ngày tiếp nhận',
            'Tính theo ngày ghi trong dữ liệu; có thể làm (3) khác (7) + (11)'),
        (16, 'due_before_received', 'Ngày hẹn trả trước ngày tiếp nhận',
            'Tính theo ngày ghi trong dữ liệu'),
        (17, 'late_without_reason', 'Hồ sơ trễ hạn (đã giải quyết quá hạn hoặc đang quá hạn) chưa ghi lý do',
            'Cần bổ sung lý do trễ hạn'),
        (18, 'late_without_apology', 'Hồ sơ trễ hạn chưa ghi nhận đã gửi thư xin lỗi',
            'Cần gửi thư xin lỗi hoặc cập nhật dữ liệu'),
        (19, 'feedback_no_due', 'Phản ánh, kiến nghị nhận trong kỳ không có hạn xử lý',
            'Không tính vào tỷ lệ PAKN đúng hạn'),
        (20, 'ratings_unknown_case', 'Đánh giá của mã hồ sơ không có trong dữ liệu (toàn bộ kho)',
            'Không tính vào mức độ hài lòng')
    ) v(ord, check_id, description, treatment)
),

final as (
    select d.check_id, d.description, d.treatment, cast(l.cases as bigint) as cases
    from described d
    join long l on l.check_id = d.check_id
    order by d.ord
)

select * from final
