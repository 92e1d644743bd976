-- title: Lý do loại dòng khi nạp tệp
select file_name, reason, count(*) as so_dong, min(row_number) as dong_dau_tien
from rejects
group by file_name, reason
order by so_dong desc
