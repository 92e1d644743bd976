-- grain: one row per receiving unit (cases.unit) of the warehouse, for the sidebar's unit filter.
-- params: none
-- rule: units as the exports name them (docs/schema.md, cases.unit); NULL units are left out (they
--       count under "tất cả đơn vị" only). cases = rows of the unit, for ordering: biggest first.
with
units as (
    select unit, count(*) as cases
    from cases
    where unit is not null and trim(unit) <> ''
    group by unit
),

final as (
    select unit, cases
    from units
    order by cases desc, unit
)

select * from final
