-- title: Đánh giá hài lòng theo lĩnh vực (bảng case_ratings)
select f.sector as linh_vuc,
       count(*) filter (where r.rating = 3) as rat_hai_long,
       count(*) filter (where r.rating = 2) as hai_long,
       count(*) filter (where r.rating = 1) as khong_hai_long,
       round(100.0 * count(*) filter (where r.satisfied) / count(*), 1) as ty_le_hai_long
from case_ratings r
join case_facts f using (case_id)
group by f.sector
order by linh_vuc
