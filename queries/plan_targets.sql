-- grain: one row per target row (chỉ tiêu) of plan $plan_id, or of every plan when NULL, in registry order
--        (row_no = the row's position in table targets, as targets_applicable.sql numbers it).
-- params: $plan_id (varchar or NULL)
-- rule: the rows as loaded from etl/reference/targets.csv (and the centre's data/targets_centre.csv, see
--       etl/targets_admin.py): every column of table targets. The trend charts draw each measurable row as
--       a target line over its effective_from..effective_to (a phased target is a step); the Chỉ tiêu
--       page lists and edits them.
with
rows as (
    select
        rowid as row_no,
        plan_id, plan_name, unit, metric, comparator, value, effective_from, effective_to,
        sector_scope, measurable, target_text, citation
    from targets
    where ($plan_id is null or plan_id = $plan_id)
),

final as (
    select *
    from rows
    order by plan_id, row_no
)

select * from final
