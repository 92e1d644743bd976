-- grain: one row: the headline figures of the period [$start, $end] for the unit and sector chosen.
-- params: $start DATE, $end DATE (calendar dates, inclusive); $unit VARCHAR (NULL = all units);
--         $sector VARCHAR (NULL = all sectors; compared after Unicode NFC normalisation);
--         $threshold_pct DOUBLE (time-saving threshold in percent, e.g. 20 for seed 001, 30 for seed 003).
-- rule: DOMAIN.md "House rules for the case metrics", every bullet; the per-case parts (finish time,
--       due date, early / on time / late, time saving, land group, ratings precedence) live in
--       queries/views.sql (case_facts, case_period_facts, case_ratings, feedback_facts).
--   received = received in P; resolved = finished in P (withdrawn on time, stopped by its dates);
--   pending = received by $end and not finished by $end, overdue when due before $end and not waiting
--   for the applicant (status 5, 6).
--   on_time_rate = (early + on time) / resolved; progress_rate = (early + on time + pending in time) /
--   (resolved + pending); online_share = received online / received;
--   full_online_case_share = received online / received, among cases of procedures the catalogue marks
--   full-online (toàn trình) eligible;
--   digitised_share, reuse_share = received with the flag true / received with the flag known;
--   e_result_share = resolved with a result (not withdrawn or stopped) and an electronic result / those
--   with the e-result flag known;
--   online_payment_share = received with a fee (case fee, else catalogue fee, > 0) paid online / those
--   with the payment flag known;
--   fee_procedure_online_payment_share = procedures with at least one fee-bearing case received in P
--   paid online / procedures with at least one fee-bearing case received in P (payment flag known);
--   satisfaction_rate = ratings 2 (Hài lòng) + 3 (Rất hài lòng) / all ratings, of cases resolved in P;
--   satisfaction_rate_land_group: the same for sectors đất đai / xây dựng / đầu tư;
--   time_saving_mean = mean per resolved case with a statutory time of (1 - working days taken /
--   statutory days) x 100; time_saving_share = those at or above $threshold_pct / those cases;
--   pakn_on_time_rate = PAKN due in P resolved by its due date / PAKN due in P.
--   Conventions: rates are percent 0-100 as DOUBLE, NULL when the denominator is 0, which includes
--   "the input column is NULL for every case in scope" (a flag no loaded file carried).
with
final as (
    -- the formulas live once, in queries/views.sql (kpi_figures_of, under kpi_table); for a period of
    -- whole months queries.loader runs kpi_month_table here, which returns the same row
    select * exclude (sector, bucket, bucket_start, bucket_end, period_start, period_end)
    from kpi_table($start, $end, $unit, $sector, $threshold_pct, 'all', false)
)

select * from final
