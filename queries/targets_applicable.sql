-- grain: one row per target row of plan $plan_id that is in effect on $on_date, plus, for each
--        target none of whose rows is in effect then, one row flagged in_effect = false (its
--        next phase if it has one, else its latest row).
-- params: $plan_id (varchar), $on_date (date: the period end the targets are evaluated for)
-- rule: a row is in effect when effective_from <= $on_date <= effective_to, a NULL bound being
--       open (docs/targets.md "Dates": seed 003's phased rows run from the phase's first day).
--       A target is the plan's metric + sector scope for measurable rows, and its text for the
--       others; several rows of one target in effect together (seed 001 states toàn trình at
--       80 % and at 100 %) are all returned. row_no is the row's position in the registry.
with plan_rows as (
    select
        rowid as row_no,
        plan_id, plan_name, unit, metric, comparator, value, effective_from, effective_to,
        sector_scope, measurable, target_text, citation,
        case when measurable and metric is not null
             then 'metric|' || metric || '|' || coalesce(sector_scope, '')
             else 'text|' || target_text end as target_key,
        coalesce(effective_from <= cast($on_date as date), true)
            and coalesce(effective_to >= cast($on_date as date), true) as in_effect
    from targets
    where plan_id = $plan_id
),
keys_in_effect as (
    select distinct target_key from plan_rows where in_effect
),
not_in_effect as (
    select
        p.*,
        row_number() over (
            partition by p.target_key
            order by
                case when p.effective_from > cast($on_date as date) then 0 else 1 end,
                case when p.effective_from > cast($on_date as date) then p.effective_from end asc,
                p.effective_to desc nulls first,
                p.row_no
        ) as pick
    from plan_rows p
    where p.target_key not in (select target_key from keys_in_effect)
),
final as (
    select row_no, plan_id, plan_name, unit, metric, comparator, value, effective_from,
           effective_to, sector_scope, measurable, target_text, citation, target_key, in_effect
    from plan_rows
    where in_effect
    union all
    select row_no, plan_id, plan_name, unit, metric, comparator, value, effective_from,
           effective_to, sector_scope, measurable, target_text, citation, target_key, in_effect
    from not_in_effect
    where pick = 1
)
select * from final
