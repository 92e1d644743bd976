-- grain: one row per late case of the period [$start, $end]: each case resolved late in the period
--        (kind 'resolved_late') and each case pending and overdue at $end (kind 'pending_overdue');
--        most working days late first. The list the giao ban goes through, with handler and cause.
-- params: $start DATE, $end DATE (inclusive); $unit VARCHAR (NULL = all units);
--         $sector VARCHAR (NULL = all sectors, NFC-compared).
-- rule: DOMAIN.md "House rules for the case metrics": early / on time / late (finish date after due date;
--       withdrawn cases are never late) and "pending at end of P ... overdue if its due date is before end"
--       (waiting for the applicant, status 5 and 6, is never overdue). Same cases as kpis.sql's
--       resolved_late + pending_overdue.
--   days_late: working days (wd_between: working days in (due date, day]) from the due date to the finish
--   date, or to $end for a pending case. A case late only over a weekend shows 0 working days.
--   due_origin says where the due date came from: 'file' or 'statutory' (computed by the ETL).
with
scope as (
    select *
    from period_cases($start, $end)
    where ($unit is null or unit = $unit)
      and ($sector is null or sector = nfc_normalize($sector))
),

resolved_late as (
    select
        'resolved_late' as kind,
        case_id, unit, sector, procedure_code, procedure_name, handler, department, channel, status,
        received_at, due_date, due_origin, finish_date,
        days_late,
        late_reason, apology_sent
    from scope
    where resolved_in_period and timeliness = 'late'
),

pending_overdue as (
    select
        'pending_overdue' as kind,
        case_id, unit, sector, procedure_code, procedure_name, handler, department, channel, status,
        received_at, due_date, due_origin, cast(null as date) as finish_date,
        days_overdue as days_late,
        late_reason, apology_sent
    from scope
    where pending_overdue
),

final as (
    select * from resolved_late
    union all
    select * from pending_overdue
    order by days_late desc nulls last, due_date, case_id
)

select * from final
