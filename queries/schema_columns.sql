-- grain: one row per column of every table and view of the warehouse's main schema, in table order
--        then column order; for the schema browser of the SQL page.
-- params: none
-- rule: DuckDB's information_schema: table_type 'BASE TABLE' is a table (described in docs/schema.md),
--       'VIEW' a view defined by queries/views.sql. Temporary and internal objects (names starting
--       with an underscore) are left out.
with
objects as (
    select table_name, table_type
    from information_schema.tables
    where table_schema = 'main' and table_catalog = current_database()
      and not starts_with(table_name, '_')   -- staging leftovers of a load (_raw1, _stg1, ...)
),

cols as (
    select table_name, column_name, data_type, ordinal_position, is_nullable
    from information_schema.columns
    where table_schema = 'main' and table_catalog = current_database()
),

final as (
    select
        o.table_name,
        case when o.table_type = 'VIEW' then 'view' else 'table' end as table_kind,
        c.column_name,
        c.data_type,
        c.ordinal_position,
        c.is_nullable = 'YES' as nullable
    from objects o
    join cols c on c.table_name = o.table_name
    order by case when o.table_type = 'VIEW' then 1 else 0 end, o.table_name, c.ordinal_position
)

select * from final
