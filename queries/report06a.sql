-- grain: Biểu II.06a "Tình hình, kết quả giải quyết TTHC tại Trung tâm Phục vụ hành chính công": one row
--        per sector (lĩnh vực) with any figure in the period [$start, $end], numbered 1.. in Vietnamese
--        alphabetical order, cases without a sector last as 'Chưa xác định lĩnh vực'; then the total row
--        (tt NULL, sector 'Tổng cộng').
-- params: $start DATE, $end DATE (calendar dates, inclusive); $unit VARCHAR (NULL = all units).
-- rule: DOMAIN.md "The standard weekly/periodic table (Biểu II.06a)" with the definitions of
--       "House rules for the case metrics" (queries/views.sql, case_period_facts). Columns:
--   (1)  tt                      TT
--   (2)  sector                  Lĩnh vực
--   (3)  received_total          Tiếp nhận - Tổng số                         = (4) + (5) + (6)
--   (4)  received_online         Tiếp nhận - Trực tuyến                      received in P, channel online
--   (5)  received_direct_postal  Tiếp nhận - Trực tiếp và dịch vụ bưu chính  received in P, any other channel
--                                (direct, postal, or not recorded: the column is "not online")
--   (6)  carried_over            Tiếp nhận - Từ kỳ trước chuyển qua          received before $start and not
--                                finished before $start
--   (7)  resolved_total          Đã giải quyết - Tổng số                     finish date in P = (8) + (9) + (10)
--   (8)  resolved_early          Đã giải quyết - Trước hạn
--   (9)  resolved_on_time        Đã giải quyết - Đúng hạn (withdrawn, and no due date, count here)
--   (10) resolved_late           Đã giải quyết - Quá hạn
--   (11) pending_total           Đang giải quyết - Tổng số                   received by $end, not finished
--                                by $end = (12) + (13)
--   (12) pending_in_time         Đang giải quyết - Trong hạn (waiting for the applicant counts here)
--   (13) pending_overdue         Đang giải quyết - Quá hạn                   due date before $end
--   Convention: (3) = (4) + (5) + (6) holds exactly by construction; (7) and (11) are exactly kpis.sql's
--   resolved and pending and (4) + (5) its received. Every case counted in (3) is resolved in P or
--   pending at $end, so (3) = (7) + (11), unless a case left the pipeline otherwise: finished with no
--   finish time, or finish date before its received date (both counted by data_quality.sql), or a
--   case without received date finished in P (in (7), never in (3)).
with
scope as (
    select *
    from period_cases($start, $end)
    where ($unit is null or unit = $unit)
),

by_sector as (
    select
        sector,
        count(*) filter (where received_in_period and channel = 'online') as received_online,
        count(*) filter (where received_in_period and channel is distinct from 'online') as received_direct_postal,
        count(*) filter (where carried_over) as carried_over,
        count(*) filter (where resolved_in_period and timeliness = 'early') as resolved_early,
        count(*) filter (where resolved_in_period and timeliness = 'on_time') as resolved_on_time,
        count(*) filter (where resolved_in_period and timeliness = 'late') as resolved_late,
        count(*) filter (where pending_in_time) as pending_in_time,
        count(*) filter (where pending_overdue) as pending_overdue
    from scope
    group by sector
),

sector_rows as (
    select
        cast(row_number() over (order by sector is null, sector_key(sector), sector) as integer) as tt,
        coalesce(sector, 'Chưa xác định lĩnh vực') as sector,
        received_online + received_direct_postal + carried_over as received_total,
        received_online,
        received_direct_postal,
        carried_over,
        resolved_early + resolved_on_time + resolved_late as resolved_total,
        resolved_early,
        resolved_on_time,
        resolved_late,
        pending_in_time + pending_overdue as pending_total,
        pending_in_time,
        pending_overdue
    from by_sector
),

total_row as (
    select
        cast(null as integer) as tt,
        'Tổng cộng' as sector,
        cast(coalesce(sum(received_total), 0) as bigint) as received_total,
        cast(coalesce(sum(received_online), 0) as bigint) as received_online,
        cast(coalesce(sum(received_direct_postal), 0) as bigint) as received_direct_postal,
        cast(coalesce(sum(carried_over), 0) as bigint) as carried_over,
        cast(coalesce(sum(resolved_total), 0) as bigint) as resolved_total,
        cast(coalesce(sum(resolved_early), 0) as bigint) as resolved_early,
        cast(coalesce(sum(resolved_on_time), 0) as bigint) as resolved_on_time,
        cast(coalesce(sum(resolved_late), 0) as bigint) as resolved_late,
        cast(coalesce(sum(pending_total), 0) as bigint) as pending_total,
        cast(coalesce(sum(pending_in_time), 0) as bigint) as pending_in_time,
        cast(coalesce(sum(pending_overdue), 0) as bigint) as pending_overdue
    from sector_rows
),

final as (
    select * from sector_rows
    union all
    select * from total_row
    order by tt nulls last
)

select * from final
