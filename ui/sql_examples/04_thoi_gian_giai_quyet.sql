-- title: Thời gian giải quyết bình quân theo thủ tục (ngày làm việc)
select procedure_code as ma_tthc,
       any_value(procedure_name) as thu_tuc,
       count(*) as so_ho_so,
       any_value(statutory_days) as thoi_han_quy_dinh,
       round(avg(working_days_taken), 1) as ngay_lam_viec_binh_quan,
       round(avg(time_saving_pct), 1) as giam_thoi_gian_pct
from case_facts
where finish_date >= date '2026-01-01' and statutory_days > 0
group by procedure_code
order by so_ho_so desc
limit 50
