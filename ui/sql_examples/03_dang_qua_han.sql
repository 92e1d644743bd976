-- title: Hồ sơ đang quá hạn vào một ngày (hàm case_period_facts)
select case_id, sector, procedure_name, handler, department, received_at, due_date, days_overdue
from case_period_facts(date '2026-11-01', date '2026-11-13')
where pending_overdue
order by days_overdue desc
