-- grain: one row: the headline figures of the period [$start, $end] for the unit and sector chosen.
-- params: $start DATE, $end DATE (calendar dates, inclusive); $unit VARCHAR (NULL = all units);
--         $sector VARCHAR (NULL = all sectors; compared after Unicode NFC normalisation);
--         $threshold_pct DOUBLE (time-saving threshold in percent, e.g. 20 for seed 001, 30 for seed 003).
-- rule: DOMAIN.md "House rules for the case metrics", every bullet; the per-case parts (finish time,
--       due date, early / on time / late, time saving, land group, ratings precedence) live in
--       queries/views.sql (case_facts, case_period_facts, case_ratings, feedback_facts).
--   received = received in P; resolved = finished in P (withdrawn on time, stopped by its dates);
--   pending = received by $end and not finished by $end, overdue when due before $end and not waiting
--   for the applicant (status 5, 6).
--   on_time_rate = (early + on time) / resolved; progress_rate = (early + on time + pending in time) /
--   (resolved + pending); online_share = received online / received;
--   full_online_case_share = received online / received, among cases of procedures the catalogue marks
--   full-online (toàn trình) eligible;
--   digitised_share, reuse_share = received with the flag true / received with the flag known;
--   e_result_share = resolved with a result (not withdrawn or stopped) and an electronic result / those
--   with the e-result flag known;
--   online_payment_share = received with a fee (case fee, else catalogue fee, > 0) paid online / those
--   with the payment flag known;
--   fee_procedure_online_payment_share = procedures with at least one fee-bearing case received in P
--   paid online / procedures with at least one fee-bearing case received in P (payment flag known);
--   satisfaction_rate = ratings 2 (Hài lòng) + 3 (Rất hài lòng) / all ratings, of cases resolved in P;
--   satisfaction_rate_land_group: the same for sectors đất đai / xây dựng / đầu tư;
--   time_saving_mean = mean per resolved case with a statutory time of (1 - working days taken /
--   statutory days) x 100; time_saving_share = those at or above $threshold_pct / those cases;
--   pakn_on_time_rate = PAKN due in P resolved by its due date / PAKN due in P.
--   Conventions: rates are percent 0-100 as DOUBLE, NULL when the denominator is 0, which includes
--   "the input column is NULL for every case in scope" (a flag no loaded file carried).
with
scope as materialized (
    select *
    from case_period_facts($start, $end)
    where ($unit is null or unit = $unit)
      and ($sector is null or sector = nfc_normalize($sector))
),

case_counts as (
    select
        count(*) filter (where received_in_period) as received,
        count(*) filter (where received_in_period and channel = 'online') as received_online,
        count(*) filter (where received_in_period and channel = 'direct') as received_direct,
        count(*) filter (where received_in_period and channel = 'postal') as received_postal,
        count(*) filter (where received_in_period and channel is null) as received_channel_unknown,
        count(*) filter (where carried_over) as carried_over,
        count(*) filter (where resolved_in_period) as resolved,
        count(*) filter (where resolved_in_period and timeliness = 'early') as resolved_early,
        count(*) filter (where resolved_in_period and timeliness = 'on_time') as resolved_on_time,
        count(*) filter (where resolved_in_period and timeliness = 'late') as resolved_late,
        count(*) filter (where resolved_in_period and status = 7) as resolved_withdrawn,
        count(*) filter (where resolved_in_period and status = 8) as resolved_stopped,
        count(*) filter (where pending_at_end) as pending,
        count(*) filter (where pending_in_time) as pending_in_time,
        count(*) filter (where pending_overdue) as pending_overdue,
        count(*) filter (where received_in_period and full_online_eligible) as full_online_eligible_received,
        count(*) filter (where received_in_period and full_online_eligible and channel = 'online')
            as full_online_received_online,
        count(*) filter (where received_in_period and digitised is not null) as digitised_known,
        count(*) filter (where received_in_period and digitised) as digitised,
        count(*) filter (where resolved_in_period and produced_result and e_result is not null) as e_result_known,
        count(*) filter (where resolved_in_period and produced_result and e_result) as e_result,
        count(*) filter (where received_in_period and data_reused is not null) as reuse_known,
        count(*) filter (where received_in_period and data_reused) as reused,
        count(*) filter (where received_in_period and fee_bearing and paid_online is not null)
            as fee_cases_payment_known,
        count(*) filter (where received_in_period and fee_bearing and paid_online) as fee_cases_paid_online,
        count(*) filter (where resolved_in_period and time_saving_pct is not null) as time_saving_cases,
        count(*) filter (where resolved_in_period and time_saving_pct >= $threshold_pct)
            as time_saving_cases_at_threshold,
        avg(time_saving_pct) filter (where resolved_in_period) as time_saving_mean
    from scope
),

fee_procedures as (
    select
        count(*) as fee_procedures,
        count(*) filter (where any_paid_online) as fee_procedures_paid_online
    from (
        select procedure_key, bool_or(paid_online) as any_paid_online
        from scope
        where received_in_period and fee_bearing and paid_online is not null and procedure_key is not null
        group by procedure_key
    )
),

rating_counts as (
    select
        count(*) as ratings,
        count(*) filter (where r.satisfied) as ratings_satisfied,
        count(*) filter (where s.is_land_group) as ratings_land_group,
        count(*) filter (where s.is_land_group and r.satisfied) as ratings_land_group_satisfied
    from scope s
    join case_ratings r on r.case_id = s.case_id
    where s.resolved_in_period
),

pakn as (
    select
        count(*) as pakn_due,
        count(*) filter (where resolved_on_time) as pakn_on_time
    from feedback_facts
    where due_date between $start and $end
      and ($unit is null or unit = $unit)
      and ($sector is null or sector = nfc_normalize($sector))
),

final as (
    select
        c.received,
        c.resolved,
        c.resolved_early,
        c.resolved_on_time,
        c.resolved_late,
        c.pending,
        c.pending_in_time,
        c.pending_overdue,
        rate_pct(c.resolved_early + c.resolved_on_time, c.resolved) as on_time_rate,
        rate_pct(c.resolved_early + c.resolved_on_time + c.pending_in_time, c.resolved + c.pending) as progress_rate,
        rate_pct(c.received_online, c.received) as online_share,
        rate_pct(c.full_online_received_online, c.full_online_eligible_received) as full_online_case_share,
        rate_pct(c.digitised, c.digitised_known) as digitised_share,
        rate_pct(c.e_result, c.e_result_known) as e_result_share,
        rate_pct(c.reused, c.reuse_known) as reuse_share,
        rate_pct(c.fee_cases_paid_online, c.fee_cases_payment_known) as online_payment_share,
        rate_pct(f.fee_procedures_paid_online, f.fee_procedures) as fee_procedure_online_payment_share,
        rate_pct(r.ratings_satisfied, r.ratings) as satisfaction_rate,
        rate_pct(r.ratings_land_group_satisfied, r.ratings_land_group) as satisfaction_rate_land_group,
        c.time_saving_mean,
        rate_pct(c.time_saving_cases_at_threshold, c.time_saving_cases) as time_saving_share,
        rate_pct(p.pakn_on_time, p.pakn_due) as pakn_on_time_rate,
        -- the counts behind the rates
        c.received_online,
        c.received_direct,
        c.received_postal,
        c.received_channel_unknown,
        c.carried_over,
        c.resolved_withdrawn,
        c.resolved_stopped,
        c.full_online_eligible_received,
        c.full_online_received_online,
        c.digitised_known,
        c.digitised,
        c.e_result_known,
        c.e_result,
        c.reuse_known,
        c.reused,
        c.fee_cases_payment_known,
        c.fee_cases_paid_online,
        f.fee_procedures,
        f.fee_procedures_paid_online,
        r.ratings,
        r.ratings_satisfied,
        r.ratings_land_group,
        r.ratings_land_group_satisfied,
        c.time_saving_cases,
        c.time_saving_cases_at_threshold,
        cast($threshold_pct as double) as time_saving_threshold_pct,
        p.pakn_due,
        p.pakn_on_time
    from case_counts c
    cross join fee_procedures f
    cross join rating_counts r
    cross join pakn p
)

select * from final
