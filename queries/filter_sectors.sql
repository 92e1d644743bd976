-- grain: one row per sector (lĩnh vực) with cases in unit $unit (every unit when NULL), for the sidebar's
--        sector filter; ordered as a Vietnamese reader sorts (Đ with D).
-- params: $unit (varchar or NULL)
-- rule: the sector as the metrics compare it: queries/views.sql case_facts.sector =
--       nullif(nfc_normalize(trim(cases.sector)), ''), which kpis.sql matches against nfc_normalize($sector).
--       Read from table cases with the same expression (the view is not needed for a name list).
with
names as (
    select nullif(nfc_normalize(trim(sector)), '') as sector, count(*) as cases
    from cases
    where ($unit is null or unit = $unit)
    group by 1
),

final as (
    select sector, cases
    from names
    where sector is not null
    order by sector_key(sector), sector
)

select * from final
