-- grain: one row per bucket of [$start, $end]: every calendar month the period touches when
--        $grain = 'month' (bucket_start = the month's first day), else one row for the whole
--        period (bucket_start = $start); period_start, period_end = the bucket clipped to the
--        period. Rows for all units, or unit $unit when not NULL.
-- params: $start (date), $end (date), $unit (varchar or NULL), $grain ('month' | 'period')
-- rule: the 766 figures the metrics module does not compute (docs/index766.md):
--   * tthc_satisfaction_766 = cases resolved in the bucket that are not rated "Không hài lòng"
--     (no rating of the case is 1: case_facts.ratings_dissatisfied_n, from case_ratings), not late
--     (timeliness <> 'late'): case_events.resolved_766_good, summed by kpi_table / cases resolved
--     in the bucket x 100. "Without complaint" (DOMAIN.md) cannot be applied: PAKN rows carry no
--     case id, so the figure is an upper bound of the portal's; docs/index766.md says so.
--   * pakn_satisfaction_rate = PAKN resolved in the bucket rated Hài lòng / Rất hài lòng (rating >= 2)
--     / PAKN resolved in the bucket with a rating x 100 (as case satisfaction, DOMAIN.md).
--   * feedback_due_rows / feedback_rated_rows: PAKN rows with a due date / with a rating in the
--     whole warehouse, any unit. Zero means that input was never loaded ("không có dữ liệu");
--     otherwise an empty bucket means the unit had no PAKN to score (766: full marks).
--   Rates are NULL when their denominator is 0 (rate_pct, queries/views.sql).
with buckets as (
    select
        cast(g as date) as bucket_start,
        greatest(cast(g as date), cast($start as date)) as period_start,
        least(cast(g + interval 1 month - interval 1 day as date), cast($end as date)) as period_end
    from generate_series(date_trunc('month', cast($start as date)), cast($end as date), interval 1 month) t(g)
    where $grain = 'month'
    union all
    select cast($start as date), cast($start as date), cast($end as date)
    where $grain <> 'month'
),
tthc as (
    -- resolved in the bucket (kpi_table: the cube's whole months, case_events' other days) and of
    -- those not late and not rated Không hài lòng (case_events.resolved_766_good); the threshold
    -- argument is unused by these two counts
    select
        bucket_start,
        resolved as tthc_cases,
        resolved_766_good as tthc_good
    from kpi_table(cast($start as date), cast($end as date), $unit, null, 0,
                   case when $grain = 'month' then 'month' else 'all' end, false)
),
pakn as (
    select
        case when $grain = 'month' then cast(date_trunc('month', resolved_date) as date)
             else cast($start as date) end as bucket_start,
        count(rating) as pakn_rated,
        count(*) filter (where rating >= 2) as pakn_satisfied
    from feedback_facts
    where resolved_date between cast($start as date) and cast($end as date)
      and ($unit is null or unit = $unit)
    group by 1
),
loaded as (
    select count(due_date) as feedback_due_rows, count(rating) as feedback_rated_rows
    from feedback_facts
),
final as (
    select
        b.bucket_start,
        b.period_start,
        b.period_end,
        coalesce(t.tthc_cases, 0) as tthc_cases,
        coalesce(t.tthc_good, 0) as tthc_good,
        rate_pct(t.tthc_good, t.tthc_cases) as tthc_satisfaction_766,
        coalesce(k.pakn_rated, 0) as pakn_rated,
        coalesce(k.pakn_satisfied, 0) as pakn_satisfied,
        rate_pct(k.pakn_satisfied, k.pakn_rated) as pakn_satisfaction_rate,
        l.feedback_due_rows,
        l.feedback_rated_rows
    from buckets b
    left join tthc t on t.bucket_start = b.bucket_start
    left join pakn k on k.bucket_start = b.bucket_start
    cross join loaded l
)
select * from final
