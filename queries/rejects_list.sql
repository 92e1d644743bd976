-- grain: one row per rejected data row (table rejects), of one load or of every load.
-- params: $ingestion_id (integer, or NULL = every load); $min_ingestion_id (integer, or NULL = no lower
--         bound: the rows of the loads numbered from it on, i.e. of one upload of several files)
-- rule: as etl/load.py writes them: the file, the row number as a spreadsheet shows it, the reason in
--       Vietnamese and the row's recognised non-personal cells (raw_values, JSON). Ordered by load, file, row.
with
picked as (
    select r.ingestion_id, r.file_name, r.row_number, r.reason, r.raw_values
    from rejects r
    where ($ingestion_id is null or r.ingestion_id = $ingestion_id)
      and ($min_ingestion_id is null or r.ingestion_id >= $min_ingestion_id)
),

final as (
    select p.*, i.finished_at as loaded_at
    from picked p
    left join ingestions i on i.ingestion_id = p.ingestion_id
    order by p.ingestion_id desc, p.file_name, p.row_number
)

select * from final
