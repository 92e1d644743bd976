-- grain: one row per month × sector × rating (1 Không hài lòng, 2 Hài lòng, 3 Rất hài lòng) of the ratings
--        of cases resolved in [$start, $end], for unit $unit and sector $sector (NULL = all).
-- params: $start DATE, $end DATE (inclusive); $unit VARCHAR (NULL = all units); $sector VARCHAR
--         (NULL = all sectors, NFC-compared as kpis.sql does).
-- rule: DOMAIN.md "satisfaction": ratings count by the rated case's finish date (month = month of the
--       finish date); the ratings table's list takes precedence over cases.rating (queries/views.sql
--       case_ratings); unrated cases are left out. Summed over months and sectors the satisfied share is
--       kpis.sql's satisfaction_rate for the same filters.
with
months as (
    -- per month and sector, the ratings of the cases resolved in it, by value (kpi_table: the
    -- cube's whole months, case_events' other days; case_facts counts each case's ratings from
    -- case_ratings by value, 1..3 being the only values a load accepts); the threshold argument is
    -- unused by these counts
    select bucket_start as month, sector, ratings_dissatisfied, ratings_satisfied, ratings_very_satisfied
    from kpi_table($start, $end, $unit, $sector, 0, 'month', true)
),

by_value as (
    select month, sector, cast(1 as tinyint) as rating, ratings_dissatisfied as ratings from months
    union all
    select month, sector, cast(2 as tinyint), ratings_satisfied - ratings_very_satisfied from months
    union all
    select month, sector, cast(3 as tinyint), ratings_very_satisfied from months
),

final as (
    select month, coalesce(sector, 'Chưa xác định lĩnh vực') as sector, rating, ratings
    from by_value
    where ratings > 0
    order by month, sector_key(coalesce(sector, 'Chưa xác định lĩnh vực')), sector, rating
)

select * from final
