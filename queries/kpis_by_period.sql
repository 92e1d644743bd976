-- grain: one row per calendar bucket of $grain ('week' Monday-Sunday, 'month', 'quarter') that meets
--        [$start, $end], in date order, including buckets without any case. Each bucket's figures are
--        those of its period = the bucket clipped to [$start, $end] (period_start, period_end): received
--        and resolved in that period, pending at its end.
-- params: $start DATE, $end DATE (inclusive); $grain VARCHAR ('week' | 'month' | 'quarter');
--         $unit VARCHAR (NULL = all units); $sector VARCHAR (NULL = all sectors, NFC-compared);
--         $threshold_pct DOUBLE (time-saving threshold in percent).
-- rule: DOMAIN.md "House rules for the case metrics": the figures and formulas of kpis.sql (same column
--       names and conventions; see its header and docs/metrics.md) for each bucket's period, so a bucket's
--       row equals kpis.sql run on (period_start, period_end). bucket = ISO week 'YYYY-Www', 'YYYY-MM' or
--       'YYYY-Qn'.
with
grain as (
    select
        case $grain
            when 'week' then interval 7 day
            when 'month' then interval 1 month
            when 'quarter' then interval 3 month
            else error('grain must be week, month or quarter')
        end as step
),

buckets as (
    select
        cast(t.b as date) as bucket_start,
        cast(t.b + g.step - interval 1 day as date) as bucket_end
    from grain g, lateral generate_series(date_trunc($grain, cast($start as date)), cast($end as date), g.step) t(b)
),

periods as (
    select
        case $grain
            when 'week' then isoyear(bucket_start) || '-W' || lpad(cast(week(bucket_start) as varchar), 2, '0')
            when 'month' then year(bucket_start) || '-' || lpad(cast(month(bucket_start) as varchar), 2, '0')
            else year(bucket_start) || '-Q' || quarter(bucket_start)
        end as bucket,
        bucket_start,
        bucket_end,
        greatest(bucket_start, cast($start as date)) as period_start,
        least(bucket_end, cast($end as date)) as period_end
    from buckets
),

scope as materialized (
    select p.bucket, f.*
    from periods p, lateral case_period_facts(p.period_start, p.period_end) f
    where ($unit is null or f.unit = $unit)
      and ($sector is null or f.sector = nfc_normalize($sector))
      and (f.received_in_period or f.carried_over or f.resolved_in_period or f.pending_at_end)
),

case_counts as (
    select
        bucket,
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
    group by bucket
),

fee_procedures as (
    select
        bucket,
        count(*) as fee_procedures,
        count(*) filter (where any_paid_online) as fee_procedures_paid_online
    from (
        select bucket, procedure_key, bool_or(paid_online) as any_paid_online
        from scope
        where received_in_period and fee_bearing and paid_online is not null and procedure_key is not null
        group by bucket, procedure_key
    )
    group by bucket
),

rating_counts as (
    select
        s.bucket,
        count(*) as ratings,
        count(*) filter (where r.satisfied) as ratings_satisfied,
        count(*) filter (where s.is_land_group) as ratings_land_group,
        count(*) filter (where s.is_land_group and r.satisfied) as ratings_land_group_satisfied
    from scope s
    join case_ratings r on r.case_id = s.case_id
    where s.resolved_in_period
    group by s.bucket
),

pakn as (
    select
        p.bucket,
        count(*) as pakn_due,
        count(*) filter (where fb.resolved_on_time) as pakn_on_time
    from periods p
    join feedback_facts fb on fb.due_date between p.period_start and p.period_end
    where ($unit is null or fb.unit = $unit)
      and ($sector is null or fb.sector = nfc_normalize($sector))
    group by p.bucket
),

joined as (
    select
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
        coalesce(c.carried_over, 0) as carried_over,
        coalesce(c.resolved, 0) as resolved,
        coalesce(c.resolved_early, 0) as resolved_early,
        coalesce(c.resolved_on_time, 0) as resolved_on_time,
        coalesce(c.resolved_late, 0) as resolved_late,
        coalesce(c.resolved_withdrawn, 0) as resolved_withdrawn,
        coalesce(c.resolved_stopped, 0) as resolved_stopped,
        coalesce(c.pending, 0) as pending,
        coalesce(c.pending_in_time, 0) as pending_in_time,
        coalesce(c.pending_overdue, 0) as pending_overdue,
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
        coalesce(r.ratings, 0) as ratings,
        coalesce(r.ratings_satisfied, 0) as ratings_satisfied,
        coalesce(r.ratings_land_group, 0) as ratings_land_group,
        coalesce(r.ratings_land_group_satisfied, 0) as ratings_land_group_satisfied,
        coalesce(c.time_saving_cases, 0) as time_saving_cases,
        coalesce(c.time_saving_cases_at_threshold, 0) as time_saving_cases_at_threshold,
        c.time_saving_mean,
        coalesce(k.pakn_due, 0) as pakn_due,
        coalesce(k.pakn_on_time, 0) as pakn_on_time
    from periods p
    left join case_counts c on c.bucket = p.bucket
    left join fee_procedures f on f.bucket = p.bucket
    left join rating_counts r on r.bucket = p.bucket
    left join pakn k on k.bucket = p.bucket
),

final as (
    select
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
        time_saving_cases,
        time_saving_cases_at_threshold,
        cast($threshold_pct as double) as time_saving_threshold_pct,
        pakn_due,
        pakn_on_time
    from joined
    order by bucket_start
)

select * from final
