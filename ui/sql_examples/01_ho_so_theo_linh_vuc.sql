-- title: Số hồ sơ tiếp nhận theo lĩnh vực và kênh, năm 2026
select sector as linh_vuc,
       count(*) filter (where channel = 'online') as truc_tuyen,
       count(*) filter (where channel = 'direct') as truc_tiep,
       count(*) filter (where channel = 'postal') as buu_chinh,
       count(*) as tong
from case_facts
where received_date between date '2026-01-01' and date '2026-12-31'
group by sector
order by tong desc
