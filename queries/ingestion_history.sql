-- grain: one row per file load (table ingestions), newest first.
-- params: none
-- rule: the per-file accounting as etl/load.py stores it: rows_read = rows_inserted + rows_updated +
--       rows_unchanged + rows_rejected (docs/schema.md, "ingestions"); seconds = finished_at - started_at.
with
loads as (
    select
        ingestion_id,
        file_name,
        format,
        kind,
        rows_read,
        rows_inserted,
        rows_updated,
        rows_unchanged,
        rows_rejected,
        started_at,
        finished_at,
        status,
        message,
        sha256
    from ingestions
),

final as (
    select
        *,
        round(epoch(finished_at - started_at), 1) as seconds
    from loads
    order by ingestion_id desc
)

select * from final
