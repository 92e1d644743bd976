-- grain: case_facts_view (materialised as table case_facts by etl.warehouse.refresh_facts after every
--        load, so metric queries read stored columns instead of recomputing working days): one row
--        per received case (status 1 and 3 left out); case_period_facts(p_start, p_end): the same rows
--        with the period flags of [p_start, p_end]; case_events: one row per dated event of a case
--        (receipt, finish, became overdue); case_month_cube_view / time_saving_month_cube_view (tables
--        case_month_cube, time_saving_month_cube): case_events summed per month, unit, sector and
--        procedure / time-saving value; case_ratings: one row per rating of a case; feedback_facts:
--        one row per PAKN item; kpi_table(...): the metric figures per bucket (and sector).
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

-- Ratings per case: the ratings table's list when it has rows for the case, else cases.rating.
-- satisfied = Rất hài lòng (3) or Hài lòng (2). case_ratings_of(p_cases) takes the cases
-- from table p_cases (columns of table cases), so a load that recomputes a few cases' facts reads
-- only their ratings: view case_ratings is case_ratings_of('cases').
create or replace macro case_ratings_of(p_cases) as table
with
listed as (
    select case_id, rating
    from ratings
    where case_id in (select case_id from query_table(p_cases))
),

fallback as (
    select c.case_id, c.rating
    from query_table(p_cases) c
    where c.rating is not null
      and not exists (select 1 from ratings r where r.case_id = c.case_id)
),

final as (
    select case_id, rating, rating >= 2 as satisfied
    from (select * from listed union all select * from fallback)
)

select * from final;

create or replace view case_ratings as
select * from case_ratings_of('cases');

-- The period flags of DOMAIN.md's house rules, for a case and a period [s, e] (calendar dates,
-- inclusive), defined once here and used by case_period_facts (one period) and kpi_table (many
-- buckets in one pass). NULL dates count as "not in / not before" (coalesce ... false).
--   received_in: received date in P.          resolved_in: finish date in P.
--   carried_over_into: received before P and not finished before P (II.06a column 6).
--   pending_at: received on or before e and not finished by e.
--   overdue_at: pending, due date before e, not waiting for the applicant (status 5, 6).
create or replace macro received_in(m_received, s, e) as
    coalesce(m_received between s and e, false);
create or replace macro resolved_in(m_finish, s, e) as
    coalesce(m_finish between s and e, false);
create or replace macro carried_over_into(m_received, m_finished, m_finish, s) as
    coalesce(m_received < s, false) and not (m_finished and coalesce(m_finish < s, true));
create or replace macro pending_at(m_received, m_finished, m_finish, e) as
    coalesce(m_received <= e, false) and not (m_finished and coalesce(m_finish <= e, true));
create or replace macro overdue_at(m_pending, m_waits, m_due, e) as
    m_pending and not m_waits and coalesce(m_due < e, false);

-- The same flags as spans of days, for counting a state on a day as a sum of dated changes
-- (case_events_of): pending_at is true on [received, finish) for a finished case and from the
-- receipt on for an open one; overdue_at from overdue_from (the later of the receipt and the day
-- after the due date) to the same end, for a case not waiting for the applicant.
--   ever_pending: that span is not empty.     overdue_from: its first overdue day, NULL if none.
create or replace macro ever_pending(m_received, m_finished, m_finish) as
    case
        when m_received is null then false
        when not m_finished then true
        else coalesce(m_finish > m_received, false)
    end;
create or replace macro overdue_from(m_received, m_finished, m_finish, m_waits, m_due) as
    case
        when ever_pending(m_received, m_finished, m_finish) and not m_waits and m_due is not null
             and (not m_finished or greatest(m_received, cast(m_due + interval 1 day as date)) < m_finish)
            then greatest(m_received, cast(m_due + interval 1 day as date))
    end;

-- case_facts_of(p_cases): the per-case rules for the rows of table p_cases, which has the columns of
-- table cases: 'cases' for all of them (view case_facts_view), or a temp table holding the cases a
-- load changed, so the load recomputes only those (etl.warehouse.refresh_facts).
create or replace macro case_facts_of(p_cases) as table
with
office as (
    select coalesce(max(try_cast(value as time)), time '17:00') as close_time
    from meta
    where key = 'office_close'
),

case_rating_counts as (
    -- per case, from case_ratings (the one definition of which ratings count), so metric queries
    -- sum three stored integers instead of joining the rating rows
    select
        case_id,
        count(*) as ratings_n,
        count(*) filter (where satisfied) as ratings_satisfied_n,
        count(*) filter (where rating = 1) as ratings_dissatisfied_n,
        count(*) filter (where rating = 3) as ratings_very_satisfied_n
    from case_ratings_of(p_cases)
    group by case_id
),

catalogue as (
    -- one row per procedure code; a code listed twice takes its most recently loaded row
    select procedure_code, statutory_days, fee_amount, full_online_eligible
    from procedures
    qualify row_number() over (partition by procedure_code order by loaded_at desc nulls last) = 1
),

sectors as (
    -- per distinct sector text, not per case: NFC, accent folding and the land-group regex cost
    -- seconds per million cases row by row, milliseconds on the few distinct names
    select
        raw_sector,
        sector,
        sector_key(sector) as sector_key,
        coalesce(regexp_matches(sector_key(sector), '\b(dat dai|xay dung|dau tu)\b'), false) as is_land_group
    from (
        select raw_sector, nullif(nfc_normalize(trim(raw_sector)), '') as sector
        from (select distinct sector as raw_sector from query_table(p_cases))
    )
),

received_cases as (
    select
        c.*,
        s.status is not null as status_known,
        coalesce(s.is_finished, false) as status_finished,
        coalesce(s.waits_applicant, false) as waits_applicant
    from query_table(p_cases) c
    left join statuses s on s.status = c.status
    where coalesce(s.is_received, true)
),

enriched as (
    select
        r.case_id,
        r.unit,
        sx.sector,
        sx.sector_key,
        sx.is_land_group,
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
    left join sectors sx on sx.raw_sector is not distinct from r.sector
    cross join office o
),

with_due as (
    select
        e.*,
        cast(e.due_at as date) as due_date,
        case when e.due_at is not null then coalesce(e.due_source, 'file') end as due_origin,
        -- wd_base and wd_between of etl/macros.sql written as joins on work_calendar: the macros'
        -- correlated lookups cost ~1 s per 100k cases here. wd_between(a, b) = wd_index(b) -
        -- wd_index(a), and the base day is the working day whose index is the receipt day's, plus
        -- one when it is not a working day or the case came after closing time.
        rc.wd_index + case when rc.is_working and cast(e.received_at as time) <= e.close_time then 0 else 1 end
            as base_index,
        fc.wd_index as finish_index,
        dc.wd_index as due_index
    from enriched e
    left join work_calendar rc on rc.day = e.received_date
    left join work_calendar fc on fc.day = e.finish_date
    left join work_calendar dc on dc.day = cast(e.due_at as date)
),

classified as (
    select
        d.*,
        greatest(0, d.finish_index - d.base_index) as working_days_taken,
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
        d.fee_amount > 0 as fee_bearing
    from with_due d
),

final as (
    select
        classified.* exclude (close_time, base_index, finish_index, due_index),
        case
            when statutory_days > 0 and working_days_taken is not null
                then 100.0::double * (statutory_days - working_days_taken) / statutory_days  -- exact at 20 %, 30 %
        end as time_saving_pct,
        case when timeliness = 'late' then finish_index - due_index end as days_late,
        -- [active_from, active_to] meets every period in which any period flag of the case is true
        -- (received, carried over, resolved or pending in it), so period queries join buckets on
        -- this interval instead of testing every case against every bucket. A case finished at an
        -- unknown time is active on its receipt day only; an unfinished case stays active.
        least(received_date, finish_date) as active_from,
        case when is_finished then greatest(received_date, finish_date) else date '9999-12-31' end as active_to,
        ever_pending(received_date, is_finished, finish_date) as ever_pending,
        overdue_from(received_date, is_finished, finish_date, waits_applicant, due_date) as overdue_from,
        coalesce(rc.ratings_n, 0) as ratings_n,
        coalesce(rc.ratings_satisfied_n, 0) as ratings_satisfied_n,
        coalesce(rc.ratings_dissatisfied_n, 0) as ratings_dissatisfied_n,
        coalesce(rc.ratings_very_satisfied_n, 0) as ratings_very_satisfied_n
    from classified
    left join case_rating_counts rc using (case_id)
)

select * from final;

create or replace view case_facts_view as
select * from case_facts_of('cases');

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
        received_in(cf.received_date, p_start, p_end) as received_in_period,
        carried_over_into(cf.received_date, cf.is_finished, cf.finish_date, p_start) as carried_over,
        resolved_in(cf.finish_date, p_start, p_end) as resolved_in_period,
        pending_at(cf.received_date, cf.is_finished, cf.finish_date, p_end) as pending_at_end
    from case_facts cf
),

overdue as (
    select
        f.*,
        overdue_at(f.pending_at_end, f.waits_applicant, f.due_date, p_end) as pending_overdue
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

-- period_cases(p_start, p_end): the rows of case_period_facts with a flag in the period (received,
-- carried over, resolved or pending at its end): what report06a, the case lists and the rating and
-- 766 figures count. The active-interval test is implied by the flags; it is here because case_facts
-- is stored in active_from order, so the scan skips the row groups after the period.
create or replace macro period_cases(p_start, p_end) as table
select *
from case_period_facts(p_start, p_end)
where active_from <= p_end
  and active_to >= p_start
  and (received_in_period or carried_over or resolved_in_period or pending_at_end);

-- case_events_of(p_facts) (view case_events over table case_facts): the dated events of each case,
-- one row each, with the contribution the case makes on that day to every count of kpi_table:
--   * its receipt (received_date): the "received in P" counts, and +1 pending;
--   * its finish (finish_date): the "resolved in P" counts, -1 pending and -1 overdue when it was;
--   * the day it became overdue (overdue_from), +1 overdue.
-- A period's received- or resolved-side count is the sum over the rows dated in the period; the
-- number of cases pending (overdue) on a day is the sum of pending_delta (overdue_delta) over the
-- rows dated on or before it. So the rows summed per month give the monthly cube (case_month_cube)
-- and, for the days of a period outside whole months, are summed directly (kpi_table).
-- The conditions are DOMAIN.md's house rules as the period-flag macros state them (ever_pending and
-- overdue_from, stored in case_facts, are the spans of pending_at and overdue_at);
-- tests/test_kpi_cube.py checks the sums against those macros case by case.
create or replace macro case_events_of(p_facts) as table
with
received_side as (
    select
        case_id,
        unit,
        sector,
        procedure_key,
        received_date as event_date,
        1 as received,
        cast(coalesce(channel = 'online', false) as integer) as received_online,
        cast(coalesce(channel = 'direct', false) as integer) as received_direct,
        cast(coalesce(channel = 'postal', false) as integer) as received_postal,
        cast(channel is null as integer) as received_channel_unknown,
        cast(coalesce(full_online_eligible, false) as integer) as full_online_eligible_received,
        cast(coalesce(full_online_eligible and channel = 'online', false) as integer) as full_online_received_online,
        cast(digitised is not null as integer) as digitised_known,
        cast(coalesce(digitised, false) as integer) as digitised,
        cast(data_reused is not null as integer) as reuse_known,
        cast(coalesce(data_reused, false) as integer) as reused,
        cast(coalesce(fee_bearing and paid_online is not null, false) as integer) as fee_cases_payment_known,
        cast(coalesce(fee_bearing and paid_online, false) as integer) as fee_cases_paid_online,
        0 as resolved,
        0 as resolved_early,
        0 as resolved_on_time,
        0 as resolved_late,
        0 as resolved_withdrawn,
        0 as resolved_stopped,
        0 as e_result_known,
        0 as e_result,
        0 as ratings,
        0 as ratings_satisfied,
        0 as ratings_land_group,
        0 as ratings_land_group_satisfied,
        0 as ratings_dissatisfied,
        0 as ratings_very_satisfied,
        0 as resolved_766_good,
        0 as time_saving_cases,
        cast(null as double) as time_saving_pct,
        cast(ever_pending as integer) as pending_delta,
        0 as overdue_delta
    from query_table(p_facts)
    where received_date is not null
),

resolved_side as (
    select
        case_id,
        unit,
        sector,
        procedure_key,
        finish_date as event_date,
        0 as received,
        0 as received_online,
        0 as received_direct,
        0 as received_postal,
        0 as received_channel_unknown,
        0 as full_online_eligible_received,
        0 as full_online_received_online,
        0 as digitised_known,
        0 as digitised,
        0 as reuse_known,
        0 as reused,
        0 as fee_cases_payment_known,
        0 as fee_cases_paid_online,
        1 as resolved,
        cast(coalesce(timeliness = 'early', false) as integer) as resolved_early,
        cast(coalesce(timeliness = 'on_time', false) as integer) as resolved_on_time,
        cast(coalesce(timeliness = 'late', false) as integer) as resolved_late,
        cast(coalesce(status = 7, false) as integer) as resolved_withdrawn,
        cast(coalesce(status = 8, false) as integer) as resolved_stopped,
        cast(coalesce(produced_result and e_result is not null, false) as integer) as e_result_known,
        cast(coalesce(produced_result and e_result, false) as integer) as e_result,
        ratings_n as ratings,
        ratings_satisfied_n as ratings_satisfied,
        case when is_land_group then ratings_n else 0 end as ratings_land_group,
        case when is_land_group then ratings_satisfied_n else 0 end as ratings_land_group_satisfied,
        ratings_dissatisfied_n as ratings_dissatisfied,
        ratings_very_satisfied_n as ratings_very_satisfied,
        -- 766 TTHC satisfaction: resolved not late and not rated Không hài lòng (docs/index766.md)
        cast(coalesce(timeliness <> 'late' and ratings_dissatisfied_n = 0, false) as integer) as resolved_766_good,
        cast(time_saving_pct is not null as integer) as time_saving_cases,
        time_saving_pct as time_saving_pct,
        -cast(ever_pending as integer) as pending_delta,
        -cast(overdue_from is not null as integer) as overdue_delta
    from query_table(p_facts)
    where finish_date is not null
),

overdue_side as (
    select
        case_id,
        unit,
        sector,
        procedure_key,
        overdue_from as event_date,
        0 as received,
        0 as received_online,
        0 as received_direct,
        0 as received_postal,
        0 as received_channel_unknown,
        0 as full_online_eligible_received,
        0 as full_online_received_online,
        0 as digitised_known,
        0 as digitised,
        0 as reuse_known,
        0 as reused,
        0 as fee_cases_payment_known,
        0 as fee_cases_paid_online,
        0 as resolved,
        0 as resolved_early,
        0 as resolved_on_time,
        0 as resolved_late,
        0 as resolved_withdrawn,
        0 as resolved_stopped,
        0 as e_result_known,
        0 as e_result,
        0 as ratings,
        0 as ratings_satisfied,
        0 as ratings_land_group,
        0 as ratings_land_group_satisfied,
        0 as ratings_dissatisfied,
        0 as ratings_very_satisfied,
        0 as resolved_766_good,
        0 as time_saving_cases,
        cast(null as double) as time_saving_pct,
        0 as pending_delta,
        1 as overdue_delta
    from query_table(p_facts)
    where overdue_from is not null
),

final as (
    select * from received_side
    union all
    select * from resolved_side
    union all
    select * from overdue_side
)

select * from final;

create or replace view case_events as
select * from case_events_of('case_facts');

-- case_month_cube_of(p_facts) (view case_month_cube_view over case_facts): case_events summed per
-- calendar month of the event, unit, sector and procedure (materialised as table case_month_cube
-- with case_facts, etl.warehouse.refresh_facts):
-- about 14x fewer rows than cases, so a period's whole months cost a scan of the cube instead of the
-- cases. The procedure stays in the key for fee_procedures (a count of distinct procedures).
-- Every column is an exact sum (integers; time_saving_sum in DECIMAL(38,10), the percentages to 1e-10),
-- so a load keeps the table in step by adding the changed cases' new rows and subtracting their old
-- ones (etl.warehouse refresh_facts); events counts a row's events, and a row whose count drops to
-- 0 is deleted, as a rebuild would not have it.
create or replace macro case_month_cube_of(p_facts) as table
with
final as (
    select
        cast(date_trunc('month', event_date) as date) as month,
        unit,
        sector,
        procedure_key,
        count(*) as events,
        cast(sum(received) as bigint) as received,
        cast(sum(received_online) as bigint) as received_online,
        cast(sum(received_direct) as bigint) as received_direct,
        cast(sum(received_postal) as bigint) as received_postal,
        cast(sum(received_channel_unknown) as bigint) as received_channel_unknown,
        cast(sum(full_online_eligible_received) as bigint) as full_online_eligible_received,
        cast(sum(full_online_received_online) as bigint) as full_online_received_online,
        cast(sum(digitised_known) as bigint) as digitised_known,
        cast(sum(digitised) as bigint) as digitised,
        cast(sum(reuse_known) as bigint) as reuse_known,
        cast(sum(reused) as bigint) as reused,
        cast(sum(fee_cases_payment_known) as bigint) as fee_cases_payment_known,
        cast(sum(fee_cases_paid_online) as bigint) as fee_cases_paid_online,
        cast(sum(resolved) as bigint) as resolved,
        cast(sum(resolved_early) as bigint) as resolved_early,
        cast(sum(resolved_on_time) as bigint) as resolved_on_time,
        cast(sum(resolved_late) as bigint) as resolved_late,
        cast(sum(resolved_withdrawn) as bigint) as resolved_withdrawn,
        cast(sum(resolved_stopped) as bigint) as resolved_stopped,
        cast(sum(e_result_known) as bigint) as e_result_known,
        cast(sum(e_result) as bigint) as e_result,
        cast(sum(ratings) as bigint) as ratings,
        cast(sum(ratings_satisfied) as bigint) as ratings_satisfied,
        cast(sum(ratings_land_group) as bigint) as ratings_land_group,
        cast(sum(ratings_land_group_satisfied) as bigint) as ratings_land_group_satisfied,
        cast(sum(ratings_dissatisfied) as bigint) as ratings_dissatisfied,
        cast(sum(ratings_very_satisfied) as bigint) as ratings_very_satisfied,
        cast(sum(resolved_766_good) as bigint) as resolved_766_good,
        cast(sum(time_saving_cases) as bigint) as time_saving_cases,
        coalesce(sum(cast(time_saving_pct as decimal(38, 10))), 0) as time_saving_sum,
        cast(sum(pending_delta) as bigint) as pending_delta,
        cast(sum(overdue_delta) as bigint) as overdue_delta
    from case_events_of(p_facts)
    group by all
)

select * from final;

create or replace view case_month_cube_view as
select * from case_month_cube_of('case_facts');

-- time_saving_month_cube_of(p_facts) (view time_saving_month_cube_view): finished cases with a time
-- saving, counted per month, unit, sector and time-saving value (materialised as table
-- time_saving_month_cube): the share at a threshold is the
-- sum over the values at or above it, for any threshold a plan sets (the values are few: 153 at 5M).
-- Kept in step by a load like case_month_cube; cases is both the figure and the row's count.
create or replace macro time_saving_month_cube_of(p_facts) as table
with
final as (
    select
        cast(date_trunc('month', event_date) as date) as month,
        unit,
        sector,
        time_saving_pct,
        count(*) as cases
    from case_events_of(p_facts)
    where time_saving_pct is not null
    group by all
)

select * from final;

create or replace view time_saving_month_cube_view as
select * from time_saving_month_cube_of('case_facts');

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

-- kpi_figures_of(p_counts): the rows kpi_table and kpi_month_table return, from table p_counts (one
-- row per sector group and bucket: the labels, the counts and time_saving_mean, time_saving_threshold_pct).
-- The formulas of DOMAIN.md's house rules (rates, shares) live here once; the two macros only count.
-- Unordered: kpi_table orders its rows; kpi_month_table's one row needs no ORDER BY (2 ms of planning).
create or replace macro kpi_figures_of(p_counts) as table
    select
        sector,
        bucket,
        bucket_start,
        bucket_end,
        period_start,
        period_end,
        received,
        resolved,
        resolved_early,
        resolved_on_time,
        resolved_late,
        pending,
        pending_in_time,
        pending_overdue,
        rate_pct(resolved_early + resolved_on_time, resolved) as on_time_rate,
        rate_pct(resolved_early + resolved_on_time + pending_in_time, resolved + pending) as progress_rate,
        rate_pct(received_online, received) as online_share,
        rate_pct(full_online_received_online, full_online_eligible_received) as full_online_case_share,
        rate_pct(digitised, digitised_known) as digitised_share,
        rate_pct(e_result, e_result_known) as e_result_share,
        rate_pct(reused, reuse_known) as reuse_share,
        rate_pct(fee_cases_paid_online, fee_cases_payment_known) as online_payment_share,
        rate_pct(fee_procedures_paid_online, fee_procedures) as fee_procedure_online_payment_share,
        rate_pct(ratings_satisfied, ratings) as satisfaction_rate,
        rate_pct(ratings_land_group_satisfied, ratings_land_group) as satisfaction_rate_land_group,
        time_saving_mean,
        rate_pct(time_saving_cases_at_threshold, time_saving_cases) as time_saving_share,
        rate_pct(pakn_on_time, pakn_due) as pakn_on_time_rate,
        received_online,
        received_direct,
        received_postal,
        received_channel_unknown,
        carried_over,
        resolved_withdrawn,
        resolved_stopped,
        full_online_eligible_received,
        full_online_received_online,
        digitised_known,
        digitised,
        e_result_known,
        e_result,
        reuse_known,
        reused,
        fee_cases_payment_known,
        fee_cases_paid_online,
        fee_procedures,
        fee_procedures_paid_online,
        ratings,
        ratings_satisfied,
        ratings_land_group,
        ratings_land_group_satisfied,
        ratings_dissatisfied,
        ratings_very_satisfied,
        resolved_766_good,
        time_saving_cases,
        time_saving_cases_at_threshold,
        time_saving_threshold_pct,
        pakn_due,
        pakn_on_time
    from query_table(p_counts);

-- kpi_table: the figures of DOMAIN.md "House rules for the case metrics", defined once for
-- queries/kpis.sql (one row), kpis_by_period.sql (a row per week / month / quarter),
-- kpis_by_sector.sql and kpis_by_sector_period.sql (a row per sector), and the counts
-- ratings_distribution.sql and index766_figures.sql take from it. Received- and resolved-side counts
-- come from case_month_cube for a bucket's whole months and from case_events for its other days;
-- states (carried over, pending, overdue) from the cube's monthly changes on a month end; on other
-- days by week also from the events' daily changes, else from case_facts with the period-flag
-- macros. Arguments: p_start, p_end (dates, inclusive), p_unit,
-- p_sector (NULL = all), p_threshold_pct (time-saving threshold), p_grain ('week' | 'month' |
-- 'quarter' | 'all' = one bucket, the whole period), p_by_sector (a row per sector per bucket).
-- Formulas and conventions: queries/kpis.sql's header and docs/metrics.md.
create or replace macro kpi_table(p_start, p_end, p_unit, p_sector, p_threshold_pct, p_grain, p_by_sector) as table
with
grain as (
    select
        case p_grain
            when 'week' then interval 7 day
            when 'month' then interval 1 month
            when 'quarter' then interval 3 month
            when 'all' then interval 1 day
            else error('grain must be week, month, quarter or all')
        end as step
),

buckets as (
    select
        cast(t.b as date) as bucket_start,
        cast(t.b + g.step - interval 1 day as date) as bucket_end
    from grain g, lateral generate_series(date_trunc(case when p_grain = 'all' then 'year' else p_grain end,
                                                         cast(p_start as date)),
                                              case when p_grain = 'all' then cast(p_start as date) - 1
                                                   else cast(p_end as date) end, g.step) t(b)
    where p_grain <> 'all'
    union all
    select cast(p_start as date), cast(p_end as date)
    where p_grain = 'all'
),

periods as (
    select
        case p_grain
            when 'week' then isoyear(bucket_start) || '-W' || lpad(cast(week(bucket_start) as varchar), 2, '0')
            when 'month' then year(bucket_start) || '-' || lpad(cast(month(bucket_start) as varchar), 2, '0')
            when 'quarter' then year(bucket_start) || '-Q' || quarter(bucket_start)
            else 'all'
        end as bucket,
        bucket_start,
        bucket_end,
        greatest(bucket_start, cast(p_start as date)) as period_start,
        least(bucket_end, cast(p_end as date)) as period_end
    from buckets
),

whole_months as (
    -- the calendar months lying wholly inside a bucket's period: their received- and resolved-side
    -- figures are the monthly cube's rows (a week never holds a whole month)
    select p.bucket, cast(m.m as date) as month
    from periods p, lateral generate_series(date_trunc('month', p.period_start), p.period_end, interval 1 month) m(m)
    where cast(m.m as date) >= p.period_start
      and last_day(cast(m.m as date)) <= p.period_end
),

spans as (
    select p.bucket, p.bucket_start, p.period_start, p.period_end,
           min(w.month) as first_month, max(w.month) as last_month
    from periods p
    left join whole_months w on w.bucket = p.bucket
    group by p.bucket, p.bucket_start, p.period_start, p.period_end
),

edges as (
    -- the days of a bucket's period outside its whole months (all of it when it holds none): their
    -- figures are summed from the events themselves. Joined to the events on the bucket's start
    -- (event_bucket), an equality, then on the dates: a join on the dates alone is a nested loop
    -- (3.5M events x 47 weeks: 0.27 s of a by-week year at 5M).
    select bucket, bucket_start, period_start as edge_start,
           coalesce(cast(first_month - interval 1 day as date), period_end) as edge_end
    from spans
    where first_month is null or period_start < first_month
    union all
    select bucket, bucket_start, cast(last_day(last_month) + interval 1 day as date) as edge_start,
           period_end as edge_end
    from spans
    where last_day(last_month) < period_end
),

day_events as (
    -- the events read one by one rather than from the cube: those of the days outside whole months
    -- (edges), and for a week grain those of the days of a state day's month up to it (state_rows).
    -- Buckets of a month or quarter start on the 1st, so only the months of the period's first and
    -- last day can hold such days, and only when that day does not start (end) its month; a week
    -- grain reads the whole period, from the 1st of its first month (a period starting on the 16th
    -- carries over what is pending on the 15th). One reference to case_events: each costs planning
    -- time on every query.
    select
        *,
        -- the start of the bucket the event's day falls in (periods.bucket_start)
        case when p_grain = 'all' then cast(p_start as date)
             else cast(date_trunc(case when p_grain = 'all' then 'day' else p_grain end, ev.event_date) as date)
        end as event_bucket
    from case_events ev
    where ev.event_date between case when p_grain = 'week' then cast(date_trunc('month', cast(p_start as date)) as date)
                                     else cast(p_start as date) end
                            and cast(p_end as date)
      and (p_grain = 'week'
           or (day(cast(p_start as date)) <> 1
               and ev.event_date <= cast(last_day(cast(p_start as date)) as date))
           or (cast(p_end as date) <> cast(last_day(cast(p_end as date)) as date)
               and ev.event_date >= cast(date_trunc('month', cast(p_end as date)) as date)))
      and (p_unit is null or ev.unit = p_unit)
      and (p_sector is null or ev.sector = nfc_normalize(p_sector))
),

event_rows as (
    -- received in P / resolved in P figures: whole months from case_month_cube, the other days from
    -- case_events; both are sums of the same per-case contributions (case_events)
    select
        w.bucket,
        case when p_by_sector then c.sector end as grp_sector,
        c.procedure_key,
        c.received,
        c.received_online,
        c.received_direct,
        c.received_postal,
        c.received_channel_unknown,
        c.full_online_eligible_received,
        c.full_online_received_online,
        c.digitised_known,
        c.digitised,
        c.reuse_known,
        c.reused,
        c.fee_cases_payment_known,
        c.fee_cases_paid_online,
        c.resolved,
        c.resolved_early,
        c.resolved_on_time,
        c.resolved_late,
        c.resolved_withdrawn,
        c.resolved_stopped,
        c.e_result_known,
        c.e_result,
        c.ratings,
        c.ratings_satisfied,
        c.ratings_land_group,
        c.ratings_land_group_satisfied,
        c.ratings_dissatisfied,
        c.ratings_very_satisfied,
        c.resolved_766_good,
        c.time_saving_cases,
        c.time_saving_sum
    from whole_months w
    join case_month_cube c on c.month = w.month
    where (p_unit is null or c.unit = p_unit)
      and (p_sector is null or c.sector = nfc_normalize(p_sector))
    union all
    select
        e.bucket,
        case when p_by_sector then ev.sector end as grp_sector,
        ev.procedure_key,
        ev.received,
        ev.received_online,
        ev.received_direct,
        ev.received_postal,
        ev.received_channel_unknown,
        ev.full_online_eligible_received,
        ev.full_online_received_online,
        ev.digitised_known,
        ev.digitised,
        ev.reuse_known,
        ev.reused,
        ev.fee_cases_payment_known,
        ev.fee_cases_paid_online,
        ev.resolved,
        ev.resolved_early,
        ev.resolved_on_time,
        ev.resolved_late,
        ev.resolved_withdrawn,
        ev.resolved_stopped,
        ev.e_result_known,
        ev.e_result,
        ev.ratings,
        ev.ratings_satisfied,
        ev.ratings_land_group,
        ev.ratings_land_group_satisfied,
        ev.ratings_dissatisfied,
        ev.ratings_very_satisfied,
        ev.resolved_766_good,
        ev.time_saving_cases,
        cast(ev.time_saving_pct as decimal(38, 10)) as time_saving_sum
    from edges e
    join day_events ev on ev.event_bucket = e.bucket_start and ev.event_date between e.edge_start and e.edge_end
),

case_counts as (
    select
        bucket,
        grp_sector,
        cast(sum(received) as bigint) as received,
        cast(sum(received_online) as bigint) as received_online,
        cast(sum(received_direct) as bigint) as received_direct,
        cast(sum(received_postal) as bigint) as received_postal,
        cast(sum(received_channel_unknown) as bigint) as received_channel_unknown,
        cast(sum(full_online_eligible_received) as bigint) as full_online_eligible_received,
        cast(sum(full_online_received_online) as bigint) as full_online_received_online,
        cast(sum(digitised_known) as bigint) as digitised_known,
        cast(sum(digitised) as bigint) as digitised,
        cast(sum(reuse_known) as bigint) as reuse_known,
        cast(sum(reused) as bigint) as reused,
        cast(sum(fee_cases_payment_known) as bigint) as fee_cases_payment_known,
        cast(sum(fee_cases_paid_online) as bigint) as fee_cases_paid_online,
        cast(sum(resolved) as bigint) as resolved,
        cast(sum(resolved_early) as bigint) as resolved_early,
        cast(sum(resolved_on_time) as bigint) as resolved_on_time,
        cast(sum(resolved_late) as bigint) as resolved_late,
        cast(sum(resolved_withdrawn) as bigint) as resolved_withdrawn,
        cast(sum(resolved_stopped) as bigint) as resolved_stopped,
        cast(sum(e_result_known) as bigint) as e_result_known,
        cast(sum(e_result) as bigint) as e_result,
        cast(sum(ratings) as bigint) as ratings,
        cast(sum(ratings_satisfied) as bigint) as ratings_satisfied,
        cast(sum(ratings_land_group) as bigint) as ratings_land_group,
        cast(sum(ratings_land_group_satisfied) as bigint) as ratings_land_group_satisfied,
        cast(sum(ratings_dissatisfied) as bigint) as ratings_dissatisfied,
        cast(sum(ratings_very_satisfied) as bigint) as ratings_very_satisfied,
        cast(sum(resolved_766_good) as bigint) as resolved_766_good,
        cast(sum(time_saving_cases) as bigint) as time_saving_cases,
        cast(sum(time_saving_sum) as double) / nullif(sum(time_saving_cases), 0) as time_saving_mean
    from event_rows
    group by bucket, grp_sector
),

procedure_counts as (
    -- per bucket and sector group, the procedures with fee cases in P: a procedure counts once when
    -- any of its fee cases has the flag known / paid online
    select
        bucket,
        grp_sector,
        count(*) filter (where payment_known > 0) as fee_procedures,
        count(*) filter (where paid_online > 0) as fee_procedures_paid_online
    from (
        select bucket, grp_sector, procedure_key, sum(fee_cases_payment_known) as payment_known,
               sum(fee_cases_paid_online) as paid_online
        from event_rows
        where procedure_key is not null
        group by bucket, grp_sector, procedure_key
    )
    group by bucket, grp_sector
),

threshold_counts as (
    -- resolved in P with a time saving at or above the threshold: whole months from
    -- time_saving_month_cube (counts per value), the other days from case_events
    select bucket, grp_sector, cast(sum(cases) as bigint) as time_saving_cases_at_threshold
    from (
        select w.bucket, case when p_by_sector then t.sector end as grp_sector, t.cases
        from whole_months w
        join time_saving_month_cube t on t.month = w.month
        where t.time_saving_pct >= p_threshold_pct
          and (p_unit is null or t.unit = p_unit)
          and (p_sector is null or t.sector = nfc_normalize(p_sector))
        union all
        select e.bucket, case when p_by_sector then ev.sector end as grp_sector, 1 as cases
        from edges e
        join day_events ev on ev.event_bucket = e.bucket_start and ev.event_date between e.edge_start and e.edge_end
        where ev.time_saving_pct >= p_threshold_pct
    ) t
    group by bucket, grp_sector
),

state_days as (
    -- the days whose state a bucket reports: carried over into it = pending on the day before it
    -- starts (carried_over_into(s) is pending_at(s - 1)); pending and overdue on its last day
    select bucket, cast(period_start - interval 1 day as date) as day, true as carried from periods
    union all
    select bucket, period_end as day, false as carried from periods
),

state_months as (
    -- the change of the pending and overdue counts over each month, per sector group
    select
        c.month,
        case when p_by_sector then c.sector end as grp_sector,
        sum(c.pending_delta) as pending_delta,
        sum(c.overdue_delta) as overdue_delta
    from case_month_cube c
    where c.month <= cast(p_end as date)
      and (p_unit is null or c.unit = p_unit)
      and (p_sector is null or c.sector = nfc_normalize(p_sector))
    group by all
),

day_deltas as (
    -- the change of the pending and overdue counts on each day read from the events, per sector group
    select
        ev.event_date as day,
        case when p_by_sector then ev.sector end as grp_sector,
        sum(ev.pending_delta) as pending_delta,
        sum(ev.overdue_delta) as overdue_delta
    from day_events ev
    group by all
),

state_rows as (
    -- carried over into a period = pending on the day before it. On a month end, a count is the sum
    -- of the changes up to it: the cube's months. On another day: by week (two such days a week),
    -- the same sum, the cube's months before the day's month plus its days up to the day from the
    -- events; otherwise (at most two such days) the cases pending on it counted one by one with
    -- the period-flag macros, from those whose active interval holds it, which reads fewer rows
    -- than a month of events (kpis for a week at 5M: 40 against 59 ms)
    select d.bucket, d.carried, m.grp_sector, m.pending_delta, m.overdue_delta
    from state_days d
    join state_months m on last_day(m.month) <= d.day
    where d.day = last_day(d.day) or p_grain = 'week'
    union all
    select d.bucket, d.carried, x.grp_sector, x.pending_delta, x.overdue_delta
    from state_days d
    join day_deltas x on x.day between cast(date_trunc('month', d.day) as date) and d.day
    where d.day < last_day(d.day) and p_grain = 'week'
    union all
    select
        d.bucket,
        d.carried,
        case when p_by_sector then f.sector end as grp_sector,
        1 as pending_delta,
        cast(overdue_at(true, f.waits_applicant, f.due_date, d.day) as integer) as overdue_delta
    from state_days d
    join case_facts f on f.active_from <= d.day and f.active_to > d.day
    where d.day < last_day(d.day) and p_grain <> 'week'
      and pending_at(f.received_date, f.is_finished, f.finish_date, d.day)
      and f.active_from <= cast(p_end as date)
      and f.active_to >= cast(p_start as date)
      and (p_unit is null or f.unit = p_unit)
      and (p_sector is null or f.sector = nfc_normalize(p_sector))
),

state_counts as (
    select
        bucket,
        grp_sector,
        cast(coalesce(sum(pending_delta) filter (where carried), 0) as bigint) as carried_over,
        cast(coalesce(sum(pending_delta) filter (where not carried), 0) as bigint) as pending,
        cast(coalesce(sum(pending_delta - overdue_delta) filter (where not carried), 0) as bigint) as pending_in_time,
        cast(coalesce(sum(overdue_delta) filter (where not carried), 0) as bigint) as pending_overdue
    from state_rows
    group by bucket, grp_sector
    -- a sector group is listed when it has a case in the bucket, not for a history summing to 0
    having sum(pending_delta) filter (where carried) <> 0 or sum(pending_delta) filter (where not carried) <> 0
),

pakn as (
    select
        p.bucket,
        case when p_by_sector then fb.sector end as grp_sector,
        count(*) as pakn_due,
        count(*) filter (where fb.resolved_on_time) as pakn_on_time
    from periods p
    join feedback_facts fb on fb.due_date between p.period_start and p.period_end
    where (p_unit is null or fb.unit = p_unit)
      and (p_sector is null or fb.sector = nfc_normalize(p_sector))
    group by all
),

groups as (
    -- by period: every bucket, with or without cases; by sector: the sectors that have figures
    select p.*, cast(null as varchar) as grp_sector
    from periods p
    where not p_by_sector
    union all
    select p.*, g.grp_sector
    from periods p
    join (select bucket, grp_sector from case_counts union select bucket, grp_sector from state_counts
          union select bucket, grp_sector from pakn) g
      on g.bucket = p.bucket
    where p_by_sector
),

joined as (
    select
        p.grp_sector as sector,
        p.bucket,
        p.bucket_start,
        p.bucket_end,
        p.period_start,
        p.period_end,
        coalesce(c.received, 0) as received,
        coalesce(c.received_online, 0) as received_online,
        coalesce(c.received_direct, 0) as received_direct,
        coalesce(c.received_postal, 0) as received_postal,
        coalesce(c.received_channel_unknown, 0) as received_channel_unknown,
        coalesce(s.carried_over, 0) as carried_over,
        coalesce(c.resolved, 0) as resolved,
        coalesce(c.resolved_early, 0) as resolved_early,
        coalesce(c.resolved_on_time, 0) as resolved_on_time,
        coalesce(c.resolved_late, 0) as resolved_late,
        coalesce(c.resolved_withdrawn, 0) as resolved_withdrawn,
        coalesce(c.resolved_stopped, 0) as resolved_stopped,
        coalesce(s.pending, 0) as pending,
        coalesce(s.pending_in_time, 0) as pending_in_time,
        coalesce(s.pending_overdue, 0) as pending_overdue,
        coalesce(c.full_online_eligible_received, 0) as full_online_eligible_received,
        coalesce(c.full_online_received_online, 0) as full_online_received_online,
        coalesce(c.digitised_known, 0) as digitised_known,
        coalesce(c.digitised, 0) as digitised,
        coalesce(c.e_result_known, 0) as e_result_known,
        coalesce(c.e_result, 0) as e_result,
        coalesce(c.reuse_known, 0) as reuse_known,
        coalesce(c.reused, 0) as reused,
        coalesce(c.fee_cases_payment_known, 0) as fee_cases_payment_known,
        coalesce(c.fee_cases_paid_online, 0) as fee_cases_paid_online,
        coalesce(f.fee_procedures, 0) as fee_procedures,
        coalesce(f.fee_procedures_paid_online, 0) as fee_procedures_paid_online,
        coalesce(c.ratings, 0) as ratings,
        coalesce(c.ratings_satisfied, 0) as ratings_satisfied,
        coalesce(c.ratings_land_group, 0) as ratings_land_group,
        coalesce(c.ratings_land_group_satisfied, 0) as ratings_land_group_satisfied,
        coalesce(c.ratings_dissatisfied, 0) as ratings_dissatisfied,
        coalesce(c.ratings_very_satisfied, 0) as ratings_very_satisfied,
        coalesce(c.resolved_766_good, 0) as resolved_766_good,
        coalesce(c.time_saving_cases, 0) as time_saving_cases,
        coalesce(t.time_saving_cases_at_threshold, 0) as time_saving_cases_at_threshold,
        c.time_saving_mean,
        coalesce(k.pakn_due, 0) as pakn_due,
        coalesce(k.pakn_on_time, 0) as pakn_on_time,
        cast(p_threshold_pct as double) as time_saving_threshold_pct
    from groups p
    left join case_counts c on c.bucket = p.bucket and c.grp_sector is not distinct from p.grp_sector
    left join procedure_counts f on f.bucket = p.bucket and f.grp_sector is not distinct from p.grp_sector
    left join state_counts s on s.bucket = p.bucket and s.grp_sector is not distinct from p.grp_sector
    left join threshold_counts t on t.bucket = p.bucket and t.grp_sector is not distinct from p.grp_sector
    left join pakn k on k.bucket = p.bucket and k.grp_sector is not distinct from p.grp_sector
),

final as (
    select *
    from kpi_figures_of('joined')
    order by bucket_start, sector is null, sector_key(sector), sector
)

select * from final;

-- kpi_month_table: kpi_table's one row for a period of whole calendar months (p_start the 1st of a
-- month, p_end the last day of one; p_grain 'all', not by sector), counted from the monthly cubes
-- alone: the received- and resolved-side counts are the sums of their months' cube rows, the states
-- the sums of the cube's monthly changes up to the day (carried over: before p_start). Same arguments
-- and rows as kpi_table, whose formulas it shares (kpi_figures_of); it differs in planning, about half
-- of kpi_table's (docs/performance.md, round 5): queries.loader runs it in place of kpi_table for such a
-- period, and tests/test_kpi_month_route.py checks that the two return the same rows. Any other
-- period is an error.
create or replace macro kpi_month_table(p_start, p_end, p_unit, p_sector, p_threshold_pct, p_grain, p_by_sector) as table
with
cube as not materialized (
    -- read where used: materialising its rows for three readers costs more than it saves
    select *
    from case_month_cube c
    where c.month <= cast(p_end as date)
      and (p_unit is null or c.unit = p_unit)
      and (p_sector is null or c.sector = nfc_normalize(p_sector))
),

case_counts as (
    -- one sum per count, no FILTER clause (30 filtered sums cost about 9 ms more to plan); 0, not
    -- NULL, when no cube row matches, as in kpi_table
    select
        cast(coalesce(sum(c.received), 0) as bigint) as received,
        cast(coalesce(sum(c.received_online), 0) as bigint) as received_online,
        cast(coalesce(sum(c.received_direct), 0) as bigint) as received_direct,
        cast(coalesce(sum(c.received_postal), 0) as bigint) as received_postal,
        cast(coalesce(sum(c.received_channel_unknown), 0) as bigint) as received_channel_unknown,
        cast(coalesce(sum(c.full_online_eligible_received), 0) as bigint) as full_online_eligible_received,
        cast(coalesce(sum(c.full_online_received_online), 0) as bigint) as full_online_received_online,
        cast(coalesce(sum(c.digitised_known), 0) as bigint) as digitised_known,
        cast(coalesce(sum(c.digitised), 0) as bigint) as digitised,
        cast(coalesce(sum(c.reuse_known), 0) as bigint) as reuse_known,
        cast(coalesce(sum(c.reused), 0) as bigint) as reused,
        cast(coalesce(sum(c.fee_cases_payment_known), 0) as bigint) as fee_cases_payment_known,
        cast(coalesce(sum(c.fee_cases_paid_online), 0) as bigint) as fee_cases_paid_online,
        cast(coalesce(sum(c.resolved), 0) as bigint) as resolved,
        cast(coalesce(sum(c.resolved_early), 0) as bigint) as resolved_early,
        cast(coalesce(sum(c.resolved_on_time), 0) as bigint) as resolved_on_time,
        cast(coalesce(sum(c.resolved_late), 0) as bigint) as resolved_late,
        cast(coalesce(sum(c.resolved_withdrawn), 0) as bigint) as resolved_withdrawn,
        cast(coalesce(sum(c.resolved_stopped), 0) as bigint) as resolved_stopped,
        cast(coalesce(sum(c.e_result_known), 0) as bigint) as e_result_known,
        cast(coalesce(sum(c.e_result), 0) as bigint) as e_result,
        cast(coalesce(sum(c.ratings), 0) as bigint) as ratings,
        cast(coalesce(sum(c.ratings_satisfied), 0) as bigint) as ratings_satisfied,
        cast(coalesce(sum(c.ratings_land_group), 0) as bigint) as ratings_land_group,
        cast(coalesce(sum(c.ratings_land_group_satisfied), 0) as bigint) as ratings_land_group_satisfied,
        cast(coalesce(sum(c.ratings_dissatisfied), 0) as bigint) as ratings_dissatisfied,
        cast(coalesce(sum(c.ratings_very_satisfied), 0) as bigint) as ratings_very_satisfied,
        cast(coalesce(sum(c.resolved_766_good), 0) as bigint) as resolved_766_good,
        cast(coalesce(sum(c.time_saving_cases), 0) as bigint) as time_saving_cases,
        cast(sum(c.time_saving_sum) as double) / nullif(sum(c.time_saving_cases), 0) as time_saving_mean
    from cube c
    where c.month >= cast(p_start as date)
),

procedure_counts as (
    -- a procedure counts once when any of its fee cases in P has the flag known / paid online
    select
        count(*) filter (where payment_known > 0) as fee_procedures,
        count(*) filter (where paid_online > 0) as fee_procedures_paid_online
    from (
        select procedure_key, sum(fee_cases_payment_known) as payment_known,
               sum(fee_cases_paid_online) as paid_online
        from cube
        where month >= cast(p_start as date) and procedure_key is not null
        group by procedure_key
    )
),

state_counts as (
    -- carried over = pending on the day before p_start (a month end): the changes of the months before
    select
        cast(coalesce(sum(pending_delta) filter (where month < cast(p_start as date)), 0) as bigint) as carried_over,
        cast(coalesce(sum(pending_delta), 0) as bigint) as pending,
        cast(coalesce(sum(overdue_delta), 0) as bigint) as pending_overdue
    from cube
),

threshold_counts as (
    select cast(coalesce(sum(t.cases), 0) as bigint) as time_saving_cases_at_threshold
    from time_saving_month_cube t
    where t.month between cast(p_start as date) and cast(p_end as date)
      and t.time_saving_pct >= p_threshold_pct
      and (p_unit is null or t.unit = p_unit)
      and (p_sector is null or t.sector = nfc_normalize(p_sector))
),

pakn as (
    select count(*) as pakn_due, count(*) filter (where fb.resolved_on_time) as pakn_on_time
    from feedback_facts fb
    where fb.due_date between cast(p_start as date) and cast(p_end as date)
      and (p_unit is null or fb.unit = p_unit)
      and (p_sector is null or fb.sector = nfc_normalize(p_sector))
),

counts as (
    select
        cast(null as varchar) as sector,
        'all' as bucket,
        cast(p_start as date) as bucket_start,
        cast(p_end as date) as bucket_end,
        cast(p_start as date) as period_start,
        cast(p_end as date) as period_end,
        c.*,
        s.carried_over,
        s.pending,
        s.pending - s.pending_overdue as pending_in_time,
        s.pending_overdue,
        p.fee_procedures,
        p.fee_procedures_paid_online,
        t.time_saving_cases_at_threshold,
        k.pakn_due,
        k.pakn_on_time,
        cast(p_threshold_pct as double) as time_saving_threshold_pct
    from case_counts c, state_counts s, procedure_counts p, threshold_counts t, pakn k
    where case when p_grain = 'all' and not p_by_sector
                    and day(cast(p_start as date)) = 1
                    and cast(p_end as date) = last_day(cast(p_end as date))
               then true
               else error('kpi_month_table: one period of whole months (grain all, not by sector) only')
          end
),

final as (
    select * from kpi_figures_of('counts')
)

select * from final;
