-- Working-day macros, stored in the warehouse; docs/calendar.md explains them.
-- They mirror core/calendar.py (WorkCalendar.base_day, add_working_days, working_days_between)
-- and read only table work_calendar, so they work on read-only connections.
-- wd_index counts working days up to and including the day, hence for any day d the working
-- day with index wd_index(d) + 1 is the next working day after d. Outside the calendar's years
-- the macros return NULL.
-- Arguments are cast inside the macros so that bigint day counts, dates and '17:00' strings work.

-- wd_base(ts timestamp, close_time time) -> date: the day the count starts from. The received
-- date if it is a working day and ts is at or before closing time, else the next working day.
create or replace macro wd_base(ts, close_time) as (
    select w.day
    from work_calendar c
    join work_calendar w
      on w.is_working
     and w.wd_index = c.wd_index
           + case when c.is_working and cast(cast(ts as timestamp) as time) <= cast(close_time as time) then 0 else 1 end
    where c.day = cast(cast(ts as timestamp) as date)
);

-- wd_add(ts timestamp, n integer, close_time time) -> date: the due date, n working days after
-- the base day (n = 0 gives the base day).
create or replace macro wd_add(ts, n, close_time) as (
    select w.day
    from work_calendar c
    join work_calendar w
      on w.is_working
     and w.wd_index = c.wd_index + cast(n as integer)
           + case when c.is_working and cast(cast(ts as timestamp) as time) <= cast(close_time as time) then 0 else 1 end
    where c.day = cast(cast(ts as timestamp) as date)
);

-- wd_between(a date, b date) -> integer: working days in (a, b], negative when b < a.
-- Days late of a finished case: wd_between(due date, finished date), late when > 0.
create or replace macro wd_between(a, b) as (
    (select wd_index from work_calendar where day = cast(b as date))
    - (select wd_index from work_calendar where day = cast(a as date))
);
