-- grain: one row per month × sector × rating (1 Không hài lòng, 2 Hài lòng, 3 Rất hài lòng) of the ratings
--        of cases resolved in [$start, $end], for unit $unit and sector $sector (NULL = all).
-- params: $start DATE, $end DATE (inclusive); $unit VARCHAR (NULL = all units); $sector VARCHAR
--         (NULL = all sectors, NFC-compared as kpis.sql does).
-- rule: DOMAIN.md "satisfaction": ratings count by the rated case's finish date (month = month of the
--       finish date); the ratings table's list takes precedence over cases.rating (queries/views.sql
--       case_ratings); unrated cases are left out. Summed over months and sectors the satisfied share is
--       kpis.sql's satisfaction_rate for the same filters.
with
scope as (
    select case_id, sector, finish_date
    from period_cases($start, $end)
    where resolved_in_period
      and ($unit is null or unit = $unit)
      and ($sector is null or sector = nfc_normalize($sector))
),

rated as (
    select
        cast(date_trunc('month', s.finish_date) as date) as month,
        coalesce(s.sector, 'Chưa xác định lĩnh vực') as sector,
        r.rating
    from scope s
    join case_ratings r on r.case_id = s.case_id
),

final as (
    select month, sector, rating, count(*) as ratings
    from rated
    group by month, sector, rating
    order by month, sector_key(sector), sector, rating
)

select * from final
