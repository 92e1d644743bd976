-- grain: one row: the last date the loaded case data covers (for unit $unit, or all units when NULL)
-- params: $unit (varchar or NULL)
-- rule: the latest calendar date of any reception, finish or return time in table cases, whatever
--       the case's status: how far the loaded exports reach, not a metric. NULL when there is no
--       case. Read from the base table, not case_facts, which costs a full working-day evaluation.
--       The targets report of a year in progress runs from 1 January to this date or today,
--       whichever is earlier (docs/index766.md "The targets command").
with unit_cases as (
    select received_at, finished_at, returned_at
    from cases
    where ($unit is null or unit = $unit)
),
final as (
    select cast(greatest(max(received_at), max(finished_at), max(returned_at)) as date) as data_end
    from unit_cases
)
select * from final
