-- grain: one row per bucket of $grain ('week' | 'month' | 'quarter') meeting [$start, $end] and sector
--        (lĩnh vực; NULL = cases without a sector) with a case received, carried over, resolved or
--        pending in the bucket's period, or PAKN due in it; in bucket order, then sector as a Vietnamese
--        reader sorts it, the NULL sector last. Buckets where no sector has figures have no rows.
-- params: $start DATE, $end DATE (inclusive); $grain VARCHAR; $unit VARCHAR (NULL = all units);
--         $threshold_pct DOUBLE (time-saving threshold in percent).
-- rule: DOMAIN.md "House rules for the case metrics": the figures and formulas of kpis.sql (same column
--       names and conventions; see its header and docs/metrics.md) per bucket and sector, in one pass
--       (the Xu hướng heat map); a row equals kpis_by_sector.sql on (period_start, period_end).
with
final as (
    -- the formulas live once, in the kpi_table macro of queries/views.sql
    select *
    from kpi_table($start, $end, $unit, null, $threshold_pct, $grain, true)
)

select * from final
