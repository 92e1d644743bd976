-- grain: one row per sector (lĩnh vực; NULL = cases without a sector) with a case received, carried over,
--        resolved or pending in the period [$start, $end], or PAKN due in it; ordered by sector name as a
--        Vietnamese reader sorts it (Đ with D), the NULL sector last.
-- params: $start DATE, $end DATE (inclusive); $unit VARCHAR (NULL = all units);
--         $threshold_pct DOUBLE (time-saving threshold in percent).
-- rule: DOMAIN.md "House rules for the case metrics": the figures and formulas of kpis.sql (same column
--       names and conventions; see its header and docs/metrics.md), grouped by the case's sector, PAKN
--       by the feedback's sector. The columns of a sector sum to kpis.sql's counts for the same unit.
with
final as (
    -- the formulas live once, in the kpi_table macro of queries/views.sql
    select * exclude (bucket, bucket_start, bucket_end, period_start, period_end)
    from kpi_table($start, $end, $unit, null, $threshold_pct, 'all', true)
)

select * from final
