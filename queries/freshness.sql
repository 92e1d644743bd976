-- grain: one row: how fresh the warehouse is, for the line "Dữ liệu đến ngày …, nạp lúc …" of every page.
-- params: none
-- rule: data_end = the latest calendar date of any reception, finish or return time in table cases (the
--       same definition as targets_data_end.sql, over all units); last_load_at = when the latest file
--       load finished (ingestions.finished_at); data_version = meta 'data_version' (incremented by every
--       load); cases = rows of table cases. Every value is NULL (cases 0) on an empty warehouse.
with
case_dates as (
    select
        cast(greatest(max(received_at), max(finished_at), max(returned_at)) as date) as data_end,
        count(*) as cases
    from cases
),

loads as (
    select max(finished_at) as last_load_at, count(*) as file_loads
    from ingestions
),

version as (
    select max(value) as data_version
    from meta
    where key = 'data_version'
),

final as (
    select c.data_end, l.last_load_at, v.data_version, c.cases, l.file_loads
    from case_dates c
    cross join loads l
    cross join version v
)

select * from final
