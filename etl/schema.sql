-- Warehouse schema. docs/schema.md describes every table and column; a test keeps them in step.
-- Unknown values stay NULL: no column has a made-up default.

create table if not exists cases (
    case_id          varchar not null,   -- Mã hồ sơ, unique
    unit             varchar,            -- receiving unit (Đơn vị tiếp nhận)
    procedure_code   varchar,
    procedure_name   varchar,
    sector_code      varchar,
    sector           varchar,            -- Lĩnh vực
    channel          varchar,            -- 'direct' | 'online' | 'postal' (DVCQG KenhThucHien 1 | 2 | 3)
    status           tinyint,            -- DVCQG TrangThaiHoSo 1..10, see table statuses
    submitted_at     timestamp,
    received_at      timestamp,
    due_at           timestamp,
    finished_at      timestamp,
    returned_at      timestamp,
    handler          varchar,
    department       varchar,
    statutory_days   integer,
    fee_amount       decimal(18, 2),
    paid_online      boolean,
    digitised        boolean,
    e_result         boolean,
    data_reused      boolean,
    rating           tinyint,            -- 1 Không hài lòng, 2 Hài lòng, 3 Rất hài lòng
    late_reason      varchar,
    apology_sent     boolean,
    due_source       varchar,            -- 'file' | 'statutory' | NULL when no due date is known
    applicant_key    varchar,            -- salted SHA-256 of the ID number, NULL without a salt
    source_file      varchar,
    first_loaded_at  timestamp,
    last_loaded_at   timestamp
);

create table if not exists statuses (
    status       tinyint primary key,
    name_vi      varchar not null,
    is_received  boolean not null,       -- false for 1 (mới đăng ký) and 3 (không được tiếp nhận)
    is_finished  boolean not null,       -- 7, 8, 9, 10
    waits_applicant boolean not null     -- 5, 6: pending in time whatever the due date
);

create table if not exists procedures (
    procedure_code        varchar not null,
    procedure_name        varchar,
    sector_code           varchar,
    sector                varchar,
    statutory_days        integer,
    fee_amount            decimal(18, 2),
    full_online_eligible  boolean,
    source_file           varchar,
    loaded_at             timestamp
);

create table if not exists ratings (
    case_id      varchar not null,
    rating       tinyint not null,       -- 1 Không hài lòng, 2 Hài lòng, 3 Rất hài lòng
    rated_at     timestamp,
    source_file  varchar,
    loaded_at    timestamp
);

create table if not exists feedback (
    feedback_id  varchar not null,
    unit         varchar,
    sector       varchar,
    received_at  timestamp,
    due_at       timestamp,
    resolved_at  timestamp,
    rating       tinyint,                -- the applicant's rating of the handling, as for cases
    source_file  varchar,
    loaded_at    timestamp
);

create table if not exists holidays (
    day     date not null,
    kind    varchar not null,            -- 'holiday' (day off) | 'workday' (make-up working day on a weekend)
    name    varchar not null,
    source  varchar not null             -- 'rule' (Labour Code 2019, art. 112) | 'announced' | 'centre'
);

create table if not exists work_calendar (
    day         date not null,
    is_working  boolean not null,
    wd_index    integer not null         -- working days from the calendar start up to and including day
);

create table if not exists targets (
    plan_id         varchar not null,
    plan_name       varchar not null,
    unit            varchar,
    metric          varchar,             -- a metric id from queries/metrics.md; NULL when not measurable
    comparator      varchar,             -- '>=' | '>' | '<=' | '<'
    value           double,
    effective_from  date,
    effective_to    date,
    sector_scope    varchar,             -- NULL for all sectors, 'dat_dai_xay_dung_dau_tu' for that group
    measurable      boolean not null,
    target_text     varchar not null,
    citation        varchar not null
);

create table if not exists ingestions (
    ingestion_id    integer not null,
    file_name       varchar not null,
    sha256          varchar not null,
    format          varchar not null,    -- 'xlsx' | 'csv' | 'json' | 'jsonl'
    kind            varchar,             -- 'cases' | 'ratings' | 'feedback' | 'procedures'
    rows_read       bigint not null,
    rows_inserted   bigint not null,
    rows_updated    bigint not null,
    rows_unchanged  bigint not null,
    rows_rejected   bigint not null,
    started_at      timestamp not null,
    finished_at     timestamp not null,
    status          varchar not null,    -- 'ok'
    message         varchar
);

create table if not exists rejects (
    ingestion_id  integer not null,
    file_name     varchar not null,
    row_number    bigint not null,       -- row in the file as a spreadsheet shows it (1 = first line)
    raw_values    varchar not null,      -- JSON object of the row's recognised non-personal cells
    reason        varchar not null       -- in Vietnamese, for the clerk
);

create table if not exists meta (
    key    varchar not null,
    value  varchar
);
