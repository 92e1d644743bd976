-- grain: one row per case pending at $end whose due date is $end or one of the next $days working days;
--        soonest first. The "sắp đến hạn" list of the giao ban.
-- params: $end DATE (the day the list is drawn up for); $days INTEGER (horizon in working days);
--         $unit VARCHAR (NULL = all units); $sector VARCHAR (NULL = all sectors, NFC-compared).
-- rule: DOMAIN.md "House rules for the case metrics": "pending at end of P: received on or before end, not
--       finished by end" (case_period_facts), with a due date (from the file, the ETL or the statutory time)
--       on or after $end and wd_between($end, due date) <= $days (working days in ($end, due date]).
--       Cases waiting for the applicant (status 5, 6) are listed with waits_applicant = true: the clock
--       runs again when the applicant returns.
with
scope as (
    select *
    from period_cases($end, $end)
    where ($unit is null or unit = $unit)
      and ($sector is null or sector = nfc_normalize($sector))
      and pending_at_end
      and due_date >= $end
),

final as (
    select
        case_id, unit, sector, procedure_code, procedure_name, handler, department, channel, status,
        waits_applicant, received_at, due_date, due_origin,
        wd_between($end, due_date) as working_days_left
    from scope
    where wd_between($end, due_date) <= $days
    order by due_date, case_id
)

select * from final
