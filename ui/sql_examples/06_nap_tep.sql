-- title: Lịch sử nạp tệp và số dòng bị loại
select ingestion_id, file_name, format, kind, rows_read, rows_inserted, rows_updated,
       rows_unchanged, rows_rejected, finished_at
from ingestions
order by ingestion_id desc
