-- grain: one row per plan (kế hoạch) in table targets, for the sidebar's plan choice.
-- params: none
-- rule: a plan is a plan_id of table targets (docs/targets.md); its name and commune are those of its
--       rows (the same on every row); first_from / last_to span its targets' effective dates;
--       measurable = how many of its rows the case data can measure.
with
plans as (
    select
        plan_id,
        min(plan_name) as plan_name,
        min(unit) as unit,
        min(effective_from) as first_from,
        max(effective_to) as last_to,
        count(*) as targets,
        count(*) filter (where measurable and metric is not null) as measurable
    from targets
    group by plan_id
),

final as (
    select *
    from plans
    order by plan_id
)

select * from final
