-- grain: case_facts_view (materialised as table case_facts by etl.warehouse.refresh_facts after every
--        load, so metric queries read stored columns instead of recomputing working days): one row per received case (status 1 and 3 left out); case_period_facts(p_start, p_end):
--        the same rows with the period flags of [p_start, p_end]; case_ratings: one row per rating of a case;
--        feedback_facts: one row per PAKN item.
-- params: none. Executed by etl.warehouse.create_schema after etl/macros.sql (wd_add, wd_base, wd_between),
--         so the views and macros are stored in every warehouse file and work on read-only connections.
-- rule: DOMAIN.md "House rules for the case metrics", per case, written once here and read by every
--       queries/*.sql metric:
--   * "Cases never received (status 1, 3) are excluded everywhere": case_facts has no such rows. An unknown
--     or missing status counts as received (and is reported by data_quality).
--   * "A case's finish time is NgayKetThucXuLy (finished), else NgayTra (returned), else the time it was
--     stopped or withdrawn": finish_at = coalesce(finished_at, returned_at). The warehouse has no separate
--     stop/withdrawal time, so a stopped/withdrawn case carries its time in finished_at (as NgayKetThucXuLy
--     does in the DVCQG format). A finished case without any time (finish_time_unknown) is finished before
--     every period: neither resolved in nor pending at the end of any period; data_quality counts it.
--   * "A case is finished when its status is 7, 8, 9 or 10 or it has a finish or return time": is_finished.
--   * "A case with no due date and a known statutory time gets due = received + statutory working days":
--     the ETL writes that due date into cases.due_at (due_source 'statutory', etl/merge.py
--     derive_due_dates, re-run after every load); due_date = date of due_at, NULL when unknown.
--     due_origin: 'file' | 'statutory' | NULL.
--   * early / on time / late by calendar dates of finish and due; withdrawn (7) is on time; no due date is
--     on time (flagged by data_quality). days_late = wd_between(due_date, finish_date) working days.
--   * time saving = 1 - working days taken / statutory working days, in percent, per finished case with a
--     statutory time > 0 (the case's own, else the catalogue's); working days taken =
--     wd_between(wd_base(received_at, closing time), finish_date), at least 0: the count a statutory due
--     date is built with, so finishing on that due day takes exactly the statutory days. The closing time
--     is the meta row 'office_close' when the build wrote one, else 17:00 (setting office_close's default).
--   * is_land_group: sector name (case-, accent- and Unicode-form-insensitive, đ = d) contains the words
--     "dat dai", "xay dung" or "dau tu" (the seeds' đất đai / xây dựng / đầu tư satisfaction target).
--   * satisfaction input: the ratings table's list for a case takes precedence over cases.rating.
--   * PAKN on time: resolved on or before the calendar date of its due date.

-- rate_pct(numerator, denominator): percent as DOUBLE, NULL when the denominator is 0 or NULL
-- ("a metric whose input is absent shows không có dữ liệu, never 0 %").
create or replace macro rate_pct(num, den) as
    case when den > 0 then 100.0::double * num / den end;

-- normalised sector key: NFC, lower case, no accents, đ -> d, single spaces. Used for the land group
-- match and for ordering sectors the way a Vietnamese reader expects (Đ next to D).
create or replace macro sector_key(name) as
    trim(regexp_replace(lower(strip_accents(replace(replace(nfc_normalize(name), 'Đ', 'd'), 'đ', 'd'))),
                        '\s+', ' ', 'g'));

create or replace view case_facts_view as
with
office as (
    select coalesce(max(try_cast(value as time)), time '17:00') as close_time
    from meta
    where key = 'office_close'
),

catalogue as (
    -- one row per procedure code; a code listed twice takes its most recently loaded row
    select procedure_code, statutory_days, fee_amount, full_online_eligible
    from procedures
    qualify row_number() over (partition by procedure_code order by loaded_at desc nulls last) = 1
),

received_cases as (
    select
        c.*,
        s.status is not null as status_known,
        coalesce(s.is_finished, false) as status_finished,
        coalesce(s.waits_applicant, false) as waits_applicant
    from cases c
    left join statuses s on s.status = c.status
    where coalesce(s.is_received, true)
),

enriched as (
    select
        r.case_id,
        r.unit,
        nullif(nfc_normalize(trim(r.sector)), '') as sector,
        r.sector_code,
        r.procedure_code,
        r.procedure_name,
        coalesce(r.procedure_code, r.procedure_name) as procedure_key,
        k.procedure_code is not null as in_catalogue,
        k.full_online_eligible,
        r.channel,
        r.status,
        r.status_known,
        r.status_finished,
        r.waits_applicant,
        r.handler,
        r.department,
        r.late_reason,
        r.apology_sent,
        r.submitted_at,
        r.received_at,
        cast(r.received_at as date) as received_date,
        r.due_at,
        r.due_source,
        r.finished_at,
        r.returned_at,
        coalesce(r.finished_at, r.returned_at) as finish_at,
        cast(coalesce(r.finished_at, r.returned_at) as date) as finish_date,
        r.status_finished or coalesce(r.finished_at, r.returned_at) is not null as is_finished,
        coalesce(r.statutory_days, k.statutory_days) as statutory_days,
        coalesce(r.fee_amount, k.fee_amount) as fee_amount,
        r.paid_online,
        r.digitised,
        r.e_result,
        r.data_reused,
        o.close_time
    from received_cases r
    left join catalogue k on k.procedure_code = r.procedure_code
    cross join office o
),

with_due as (
    select
        e.*,
        cast(e.due_at as date) as due_date,
        case when e.due_at is not null then coalesce(e.due_source, 'file') end as due_origin,
        wd_base(e.received_at, e.close_time) as base_day
    from enriched e
),

classified as (
    select
        d.*,
        greatest(0, wd_between(d.base_day, d.finish_date)) as working_days_taken,
        d.is_finished and d.finish_date is null as finish_time_unknown,
        case
            when d.finish_date is null then null
            when d.status = 7 then 'on_time'            -- withdrawn: resolved on time
            when d.due_date is null then 'on_time'      -- no due date, no statutory time: on time, flagged
            when d.finish_date < d.due_date then 'early'
            when d.finish_date = d.due_date then 'on_time'
            else 'late'
        end as timeliness,
        -- a result was produced: finished, not withdrawn (7) or stopped (8)
        d.is_finished and coalesce(d.status not in (7, 8), true) as produced_result,
        d.fee_amount > 0 as fee_bearing,
        sector_key(d.sector) as sector_key,
        coalesce(regexp_matches(sector_key(d.sector), '\b(dat dai|xay dung|dau tu)\b'), false) as is_land_group
    from with_due d
),

final as (
    select
        * exclude (close_time, base_day),
        case
            when statutory_days > 0 and working_days_taken is not null
                then 100.0::double * (statutory_days - working_days_taken) / statutory_days  -- exact at 20 %, 30 %
        end as time_saving_pct,
        case when timeliness = 'late' then wd_between(due_date, finish_date) end as days_late
    from classified
)

select * from final;

-- Period flags of every case for the period [p_start, p_end] (calendar dates, inclusive).
--   received_in_period: received date in P.
--   carried_over: received before P and not finished before P (II.06a column 6, từ kỳ trước chuyển qua).
--   resolved_in_period: finish date in P.
--   pending_at_end: received on or before p_end and not finished by p_end.
--   pending_overdue: pending, due date before p_end, not waiting for the applicant (status 5, 6).
--   pending_in_time: pending and not overdue (includes waiting for the applicant and no due date).
--   days_overdue: working days from the due date to p_end, for pending_overdue cases.
create or replace macro case_period_facts(p_start, p_end) as table
with
flags as (
    select
        cf.*,
        coalesce(cf.received_date between p_start and p_end, false) as received_in_period,
        coalesce(cf.received_date < p_start, false)
            and not (cf.is_finished and coalesce(cf.finish_date < p_start, true)) as carried_over,
        coalesce(cf.finish_date between p_start and p_end, false) as resolved_in_period,
        coalesce(cf.received_date <= p_end, false)
            and not (cf.is_finished and coalesce(cf.finish_date <= p_end, true)) as pending_at_end
    from case_facts cf
),

overdue as (
    select
        f.*,
        f.pending_at_end and not f.waits_applicant and coalesce(f.due_date < p_end, false) as pending_overdue
    from flags f
),

final as (
    select
        o.*,
        o.pending_at_end and not o.pending_overdue as pending_in_time,
        case when o.pending_overdue then wd_between(o.due_date, p_end) end as days_overdue
    from overdue o
)

select * from final;

-- Ratings per case: the ratings table's list when it has rows for the case, else cases.rating.
-- satisfied = Rất hài lòng (3) or Hài lòng (2).
create or replace view case_ratings as
with
listed as (
    select case_id, rating
    from ratings
),

fallback as (
    select c.case_id, c.rating
    from cases c
    where c.rating is not null
      and not exists (select 1 from ratings r where r.case_id = c.case_id)
),

final as (
    select case_id, rating, rating >= 2 as satisfied
    from (select * from listed union all select * from fallback)
)

select * from final;

-- PAKN (feedback) items with calendar dates and the on-time flag.
create or replace view feedback_facts as
with
final as (
    select
        feedback_id,
        unit,
        nullif(nfc_normalize(trim(sector)), '') as sector,
        cast(received_at as date) as received_date,
        cast(due_at as date) as due_date,
        cast(resolved_at as date) as resolved_date,
        coalesce(cast(resolved_at as date) <= cast(due_at as date), false) as resolved_on_time,
        rating
    from feedback
)

select * from final;
