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
final as (
    -- the formulas live once, in the kpi_table macro of queries/views.sql
    select * exclude (sector)
    from kpi_table($start, $end, $unit, $sector, $threshold_pct, $grain, false)
)

select * from final
