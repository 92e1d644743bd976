-- title: Hồ sơ giải quyết quá hạn theo cán bộ xử lý, năm 2026
select handler as can_bo,
       department as phong_ban,
       count(*) as da_giai_quyet,
       count(*) filter (where timeliness = 'late') as qua_han,
       round(100.0 * count(*) filter (where timeliness <> 'late') / count(*), 1) as ty_le_dung_han
from case_facts
where finish_date between date '2026-01-01' and date '2026-12-31'
group by all
order by qua_han desc, da_giai_quyet desc
