-- title: Ngày nghỉ lễ, ngày làm bù năm 2026
select day as ngay, kind as loai, name as ten, source as nguon
from holidays
where year(day) = 2026
order by day
