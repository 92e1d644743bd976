"""Vectorised case generator for the benchmark, with the shapes of sample_data/generate.py.

sample_data/generate.py simulates one commune case by case in Python (about 20,000 cases in 5 s);
at 5M cases that would take over 20 minutes. This module draws the same distributions with numpy,
a million cases at a time, reusing the sample generator's tables and rules (procedures, sectors,
handlers, seasonal weights, Tết and merger effects, weekday volumes, channel/digitisation trends,
late probabilities, statuses, ratings) and the working-day calendar
(core.calendar.WorkCalendar.default(), vectorised over its rows) for due and finish dates.

A benchmark of N cases is a province-sized warehouse: N / 20,600 communes (the sample commune's
volume), each with its own unit name and case-id prefix, cases 2024-01-01 .. 2026-11-15, the
state as exported on 2026-11-15 23:59:59. Data is drawn once into a typed "master" Parquet file,
then written in the real export formats the ETL reads:

    csv    vendor B list (sample_data/ho_so_2025_vendorB.csv): UTF-8 BOM, comma, CRLF, RFC 4180
           quoting, newest first, dd/mm/yyyy HH:mm:ss dates, vendor B status words
    xlsx   vendor A list (sample_data/ho_so_2024_motcua.xlsx): 4 title rows, a blank row, a two-row
           merged header, Excel date-time receipt, text dates, x/blank flags, a Tổng cộng row;
           written with xlsxwriter constant_memory; at most XLSX_MAX_ROWS rows (one sheet; the
           ETL reads the first sheet that has a header, so more sheets would not be loaded)
    jsonl  DVCQG case sync (sample_data/dvcqg_2026.jsonl): key order, absent keys, nested arrays

plus the incremental "week" export: WEEK_ROWS rows in the vendor B CSV layout, WEEK_UPDATED of
them re-exports of the newest cases of the warehouse in a later state (pending -> finished,
not returned -> returned, a rating added), the rest new cases received 16-20/11/2026.

Quirks, at low rates as in real exports: blank case ids (rejected rows) and missing due dates
(derived from the catalogue by the ETL). Files are cached in the work directory, keyed by N,
format and GEN_VERSION.
"""
from __future__ import annotations

import importlib.util
import math
import sys
import time as _time
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from core.calendar import WorkCalendar  # noqa: E402

GEN_VERSION = "6"   # 6: unit 35 no longer shares the sample unit's case-id prefix          # bump when the generated data changes: invalidates cached files
SEED = 20_251_115
CHUNK = 500_000            # cases drawn and written at a time (bounded memory at 20M)
XLSX_MAX_ROWS = 1_000_000  # Excel: 1,048,576 rows per sheet, minus titles, header and total
CASES_PER_UNIT = 20_600    # the sample commune's cases over the period
WEEK_ROWS, WEEK_UPDATED = 3_000, 1_200
EMPTY_ID_RATE, NO_DUE_RATE = 1 / 5_000, 1 / 2_500


def _load_sample_generator():
    spec = importlib.util.spec_from_file_location("_sample_generate", ROOT / "sample_data" / "generate.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("_sample_generate", module)
    spec.loader.exec_module(module)
    return module


G = _load_sample_generator()
FIRST_DAY, LAST_DAY = G.FIRST_DAY, G.LAST_DAY
EXPORT = datetime.combine(LAST_DAY, datetime.max.time()).replace(microsecond=0)        # 2026-11-15 23:59:59
WEEK_DAYS = [LAST_DAY + timedelta(days=i) for i in range(1, 8)]                       # 16-22/11/2026
WEEK_EXPORT = datetime.combine(WEEK_DAYS[-1], datetime.max.time()).replace(microsecond=0)
EPOCH = date(1970, 1, 1)
DAY_S = 86_400


def epoch_day(d: date) -> int:
    return (d - EPOCH).days


def epoch_s(t: datetime) -> int:
    return epoch_day(t.date()) * DAY_S + t.hour * 3600 + t.minute * 60 + t.second


# ---------------------------------------------------------------------------------------------
# Reference tables from the sample generator
# ---------------------------------------------------------------------------------------------
PROCS = G.PROCEDURES
SECTOR_NAMES = list(G.SECTORS)
DEPTS = [G.VP, G.MC, G.KT, G.VHXH]
HANDLERS = sorted({h for _, _, hs in G.SECTORS.values() for h in hs} | set(G.COUNTER_HANDLERS))
LATE_REASONS = list(G.LATE_REASONS_LAND) + list(G.LATE_REASONS_OTHER)
N_LAND_REASONS = len(G.LATE_REASONS_LAND)

P_DAYS = np.array([p.days for p in PROCS], np.int32)
P_FEE = np.array([p.fee for p in PROCS], np.int64)
P_RULE = np.array([{"fixed": 0, "per_page": 1, "per_copy": 2}[p.fee_rule] for p in PROCS], np.int8)
P_SECTOR = np.array([SECTOR_NAMES.index(p.sector) for p in PROCS], np.int16)
P_ADJ = np.array([p.online_adj for p in PROCS])
P_NDOCS = np.array([len(p.docs) for p in PROCS], np.int8)
P_LAND = np.array([p.sector in ("Đất đai", "Xây dựng") for p in PROCS])
P_COUNTER = np.array([p.days == 0 and p.sector in ("Hộ tịch", "Chứng thực") for p in PROCS])
P_PAY6 = np.array([p.code in ("1.012755", "1.012756", "1.012758") for p in PROCS])
LATE_MEAN = np.where(P_LAND, 3.5, 1.0)
S_DEPT = np.array([DEPTS.index(G.SECTORS[s][1]) for s in SECTOR_NAMES], np.int8)
S_NH = np.array([len(G.SECTORS[s][2]) for s in SECTOR_NAMES], np.int8)
S_HANDLERS = np.array([[HANDLERS.index(G.SECTORS[s][2][min(k, len(G.SECTORS[s][2]) - 1)]) for k in range(3)]
                       for s in SECTOR_NAMES], np.int8)
COUNTER_IDX = np.array([HANDLERS.index(h) for h in G.COUNTER_HANDLERS], np.int8)
FAMILY_W = np.array([w for _, w in G.FAMILY])
PROVINCES, PROVINCE_W = ("036", "034", "033", "001", "030", "037"), np.array((70, 8, 8, 6, 4, 4), float)
UNIT_A = ("Bình", "An", "Tân", "Phú", "Hòa", "Yên", "Đồng", "Thượng", "Vĩnh", "Quảng", "Hưng", "Thanh",
          "Minh", "Nam", "Đông", "Trung")
UNIT_B = ("Minh", "Lộc", "Thái", "Bình", "Lập", "Phúc", "Tâm", "Hậu", "An", "Sơn", "Hà", "Thịnh", "Lợi",
          "Xuân", "Phong", "Long")


def unit_names(n: int) -> list[tuple[str, str]]:
    """(name, case-id prefix) of n communes; the first is the sample's xã Bình Minh."""
    out = [(G.UNIT, G.UNIT_CODE)]
    seen = {G.UNIT}
    k = 0
    while len(out) < n:
        a, b = UNIT_A[k % len(UNIT_A)], UNIT_B[(k // len(UNIT_A)) % len(UNIT_B)]
        name = f"UBND xã {a} {b}" + (f" {k // 256 + 1}" if k >= 256 else "")
        k += 1
        if name in seen:
            continue
        seen.add(name)
        i = len(out)
        out.append((name, f"000.{40 + i // 100:02d}.{i % 100:02d}.H26"))   # never the sample's 000.21.35
    return out


# ---------------------------------------------------------------------------------------------
# Working-day calendar, vectorised
# ---------------------------------------------------------------------------------------------
@dataclass
class Cal:
    day0: int                 # epoch day of the calendar's first day
    working: np.ndarray       # bool per calendar day
    index: np.ndarray         # wd_index per calendar day
    working_days: np.ndarray  # epoch day of the working day with wd_index k at position k - 1
    close_s: int              # office closing time, seconds after midnight

    @classmethod
    def default(cls) -> "Cal":
        cal = WorkCalendar.default()
        rows = cal.rows
        day0 = epoch_day(rows[0][0])
        working = np.array([r[1] for r in rows])
        index = np.array([r[2] for r in rows], np.int64)
        working_days = day0 + np.flatnonzero(working)
        close = cal.office_close
        return cls(day0, working, index, working_days, close.hour * 3600 + close.minute * 60 + close.second)

    def is_working(self, day: np.ndarray) -> np.ndarray:
        return self.working[day - self.day0]

    def add(self, ts: np.ndarray, n: np.ndarray) -> np.ndarray:
        """WorkCalendar.add_working_days on arrays: epoch seconds, day counts -> epoch days."""
        day = ts // DAY_S
        i = day - self.day0
        late = ~self.working[i] | (ts - day * DAY_S > self.close_s)
        return self.working_days[self.index[i] + late + n - 1]


# ---------------------------------------------------------------------------------------------
# Volume: cases per day and unit
# ---------------------------------------------------------------------------------------------
def day_weights(cal_py: WorkCalendar, days: list[date]) -> np.ndarray:
    sim = G.Simulator(cal_py)
    w = []
    for d in days:
        if cal_py.is_working(d):
            weekday = (1.30, 1.15, 1.0, 0.95, 0.80, 0.7, 0.7)[d.weekday()]
            month = (1.05, 0.95, 1.0, 0.95, 1.0, 1.05, 1.05, 1.1, 1.0, 0.95, 1.0, 1.1)[d.month - 1]
            w.append(sim.base_rate(d) * weekday * month * sim.tet_factor(d))
        elif d.weekday() == 5:
            w.append(0.12)
        else:
            w.append(0.0)
    return np.array(w)


def proc_weight_keys(cal_py: WorkCalendar, days: list[date]) -> tuple[np.ndarray, list[np.ndarray]]:
    """Per day, the id of its procedure-weight vector (season, merger, land rush), and the vectors."""
    sim = G.Simulator(cal_py)
    keys: dict[tuple, int] = {}
    vectors: list[np.ndarray] = []
    ids = []
    for d in days:
        land_rush = date(2025, 11, 15) <= d <= date(2025, 12, 31)
        key = (d.month, d >= G.MERGER_DAY, land_rush)
        if key not in keys:
            w = np.array(sim.proc_weights(d))
            keys[key] = len(vectors)
            vectors.append(w / w.sum())
        ids.append(keys[key])
    return np.array(ids, np.int16), vectors


@dataclass
class Plan:
    """Where each of the N cases falls: its day and unit, sorted, and its number within (unit, day)."""
    n: int
    days: list[date]
    day: np.ndarray    # epoch day
    unit: np.ndarray
    seq: np.ndarray
    units: list[tuple[str, str]]
    unit_p: np.ndarray


def plan(n: int, cal_py: WorkCalendar, seed: int = SEED) -> Plan:
    rng = np.random.default_rng([seed, 0])
    days = [FIRST_DAY + timedelta(days=i) for i in range((LAST_DAY - FIRST_DAY).days + 1)]
    w = day_weights(cal_py, days)
    counts = rng.multinomial(n, w / w.sum())
    day = np.repeat(np.arange(len(days), dtype=np.int32) + epoch_day(FIRST_DAY), counts)
    n_units = max(1, round(n / CASES_PER_UNIT))
    units = unit_names(n_units)
    unit_p = rng.lognormal(0.0, 0.4, n_units)
    unit_p /= unit_p.sum()
    unit = rng.choice(n_units, size=n, p=unit_p).astype(np.int32)
    order = np.lexsort((unit, day))
    day, unit = day[order], unit[order]
    seq = _seq(day, unit, n_units)
    return Plan(n, days, day, unit, seq, units, unit_p)


def _seq(day: np.ndarray, unit: np.ndarray, n_units: int) -> np.ndarray:
    key = day.astype(np.int64) * n_units + unit
    starts = np.r_[0, np.flatnonzero(np.diff(key)) + 1]
    first = np.repeat(starts, np.diff(np.r_[starts, len(key)]))
    return (np.arange(len(key)) - first + 1).astype(np.int32)


# ---------------------------------------------------------------------------------------------
# One chunk of cases
# ---------------------------------------------------------------------------------------------
def _office_time(rng, cal: Cal, day: np.ndarray, after: np.ndarray) -> np.ndarray:
    """Simulator.office_time: a moment of office hours on `day`, after `after` on the same day."""
    n = len(day)
    morning = rng.random(n) < 0.6
    minute = np.where(morning, rng.integers(7 * 60 + 15, 11 * 60 + 26, n), rng.integers(13 * 60 + 35, 16 * 60 + 56, n))
    general = day * DAY_S + minute * 60 + rng.integers(0, 60, n)
    same = after // DAY_S == day
    start = after + rng.integers(8, 151, n) * 60
    close = day * DAY_S + 17 * 3600
    tod = start - day * DAY_S
    lunch = (tod > 11 * 3600 + 30 * 60) & (tod < 13 * 3600 + 30 * 60)
    start = np.where(lunch, day * DAY_S + 13 * 3600 + 30 * 60 + rng.integers(0, 61, n) * 60, start)
    start = np.minimum(start, close)
    start = start - start % 60 + rng.integers(0, 60, n)
    overflow = after + rng.integers(8, 151, n) * 60 >= close
    start = np.where(overflow, after + rng.integers(3, 21, n) * 60 + rng.integers(0, 60, n), start)
    return np.where(same, start, general)


def make_cases(rng, cal: Cal, day: np.ndarray, unit: np.ndarray, seq: np.ndarray, key_of_day: np.ndarray,
               weight_vectors: list[np.ndarray], export_s: int) -> pa.Table:
    n = len(day)
    period = (epoch_day(LAST_DAY) - epoch_day(FIRST_DAY))
    f = np.clip((day - epoch_day(FIRST_DAY)) / period, 0.0, 1.0)
    year = (day.astype("datetime64[D]").astype("datetime64[Y]").astype(int) + 1970)

    # procedure by the day's seasonal weights
    proc = np.empty(n, np.int16)
    keys = key_of_day[np.clip(day - epoch_day(FIRST_DAY), 0, len(key_of_day) - 1)]
    for k in np.unique(keys):
        m = keys == k
        proc[m] = rng.choice(len(PROCS), size=int(m.sum()), p=weight_vectors[k])
    sector = P_SECTOR[proc]
    pdays = P_DAYS[proc]

    # channel
    p_online = np.clip(0.39 + 0.49 * f + P_ADJ[proc] + rng.uniform(-0.02, 0.02, n), 0.03, 0.97)
    r = rng.random(n)
    channel = np.where(r < p_online, 1, np.where(r < p_online + 0.03, 2, 0)).astype(np.int8)  # 0 direct 1 online 2 postal

    # receipt time (Simulator.receipt_time)
    working = cal.is_working(day)
    r = rng.random(n)
    minute = np.where(r < 0.006, rng.integers(17 * 60 + 2, 18 * 60 + 31, n),
                      np.where(r < 0.68, rng.triangular(7 * 60, 8 * 60 + 30, 11 * 60 + 29, n),
                               rng.triangular(13 * 60 + 30, 14 * 60 + 30, 16 * 60 + 59, n))).astype(np.int64)
    minute = np.where(working, minute, rng.integers(7 * 60 + 30, 11 * 60 + 16, n))
    received = day.astype(np.int64) * DAY_S + minute * 60 + rng.integers(0, 60, n)

    # submitted
    weekday = (day.astype(np.int64) + 3) % 7   # 1970-01-01 was a Thursday: Monday = 0
    back_online = (rng.uniform(0.3, 20.0, n) + np.where((weekday == 0) & (rng.random(n) < 0.5), 48, 0)) * 3600
    back_postal = rng.integers(1, 4, n) * DAY_S + rng.uniform(0, 6, n) * 3600
    back_direct = rng.integers(2, 26, n) * 60
    submitted = received - np.where(channel == 1, back_online, np.where(channel == 2, back_postal, back_direct)).astype(np.int64)

    # handler and department
    handler = S_HANDLERS[sector, (rng.random(n) * S_NH[sector]).astype(np.int64)].astype(np.int8)
    dept = S_DEPT[sector].copy()
    counter = P_COUNTER[proc] & (rng.random(n) < 0.3)
    handler[counter] = COUNTER_IDX[rng.integers(0, len(COUNTER_IDX), int(counter.sum()))]
    dept[counter] = DEPTS.index(G.MC)

    # fee
    pages = np.array((1, 1, 1, 2, 2, 3, 4, 6))[rng.integers(0, 8, n)]
    copies = np.array((1, 1, 2, 2, 3, 4, 5))[rng.integers(0, 7, n)]
    per_copy = np.array((1, 1, 1, 2, 2, 3))[rng.integers(0, 6, n)]
    base = P_FEE[proc]
    rule = P_RULE[proc]
    fee = np.where(rule == 1, copies * (base * np.minimum(pages, 2) + 1000 * np.maximum(pages - 2, 0)),
                   np.where(rule == 2, base * per_copy, base))
    p_pay = np.where(channel == 1, 0.50 + 0.48 * f, 0.08 + 0.62 * f)
    paid_online = (fee > 0) & (rng.random(n) < p_pay)
    digitised = rng.random(n) < np.clip(0.55 + 0.38 * f + np.where(channel == 1, 0.04, 0.0), 0, 0.99)
    reused = rng.random(n) < np.clip(0.45 + 0.40 * f, 0, 0.95)
    ndocs = np.where(rng.random(n) < 0.8, 1, 1 + (rng.random(n) * P_NDOCS[proc]).astype(np.int64)).astype(np.int8)
    from_store = reused & (rng.random(n) < 0.6)

    # due date
    due_day = cal.add(received, pdays)
    due_tod = np.where(working & (received - day.astype(np.int64) * DAY_S <= cal.close_s),
                       (received - day.astype(np.int64) * DAY_S) // 60 * 60, 17 * 3600)
    due = due_day.astype(np.int64) * DAY_S + due_tod

    # outcome
    r = rng.random(n)
    stop_p = np.where(P_LAND[proc], 0.015, 0.002)
    rejected = (channel == 1) & (year >= 2025) & (r < 0.008)
    withdrawn = ~rejected & (r < 0.012)
    stopped = ~rejected & ~withdrawn & (r < 0.012 + stop_p)
    done = ~(rejected | withdrawn | stopped)

    late_p = np.full(n, G.LATE_P_OTHER)
    for s_name, by_year in G.LATE_P.items():
        s = SECTOR_NAMES.index(s_name)
        for y, p in by_year.items():
            late_p[(sector == s) & (year == y)] = p
    r2 = rng.random(n)
    late = r2 < late_p
    extra = 1 + np.minimum((rng.exponential(1.0, n) * LATE_MEAN[proc]).astype(np.int64), 25)
    early_n = np.minimum(pdays - 1, (pdays * rng.beta(1.6, 2.6, n)).astype(np.int64))
    on_time = (pdays == 0) | (r2 < late_p + 0.18)
    finish_n = np.where(late, pdays + extra, np.where(on_time, pdays, early_n))
    finish_n = np.where(done, finish_n, (rng.random(n) * (pdays + 1)).astype(np.int64))   # 7/8: by the due date
    finish_day = cal.add(received, np.maximum(finish_n, 0))
    finished = _office_time(rng, cal, finish_day.astype(np.int64), received)

    pending = ~rejected & (finished > export_s)
    finished_known = ~rejected & ~pending
    status = np.full(n, 10, np.int8)
    status[withdrawn] = 7
    status[stopped] = 8
    status[rejected] = 3
    recent = (export_s // DAY_S - day) <= 3
    r3 = rng.random(n)
    pend_status = np.where(recent & (r3 < 0.35), 2, np.where(P_PAY6[proc] & (r3 < 0.35), 6,
                                                             np.where(r3 < 0.12, 5, 4))).astype(np.int8)
    status = np.where(pending, pend_status, status)

    # returns and results of finished cases
    produced = done & finished_known
    p_eres = np.clip(0.45 + 0.47 * f + np.where(channel == 1, 0.05, -0.03), 0, 0.99)
    e_result = produced & (rng.random(n) < p_eres)
    lag = np.array((0, 1, 2, 3, 5))[rng.choice(5, size=n, p=np.array((50, 25, 12, 8, 5)) / 100)]
    ret_day = np.where(lag > 0, cal.add(finished, lag), finished // DAY_S)
    returned = np.where((channel == 1) & e_result, finished + rng.integers(1, 91, n) * 60,
                        _office_time(rng, cal, ret_day.astype(np.int64), finished))
    never = (channel != 1) & (rng.random(n) < 0.012)
    not_returned = produced & ((returned > export_s) | never)
    status = np.where(produced, np.where(not_returned, 9, 10), status).astype(np.int8)
    has_returned = produced & ~not_returned

    is_late = produced & (finished // DAY_S > due // DAY_S)
    reason = np.where(is_late & (rng.random(n) < 0.93),
                      np.where(P_LAND[proc], rng.integers(0, N_LAND_REASONS, n),
                               N_LAND_REASONS + rng.integers(0, len(LATE_REASONS) - N_LAND_REASONS, n)), -1)
    overdue_pending = pending & np.isin(status, (4, 5, 6)) & (due < export_s) & (rng.random(n) < 0.4)
    reason = np.where(overdue_pending, np.where(P_LAND[proc], 0, N_LAND_REASONS), reason).astype(np.int8)
    apology = np.where(is_late, (rng.random(n) < 0.86).astype(np.int8), -1).astype(np.int8)

    share = np.select([year == 2024, year == 2025], [0.35, 0.50], 0.60)
    rated = produced & (rng.random(n) < share)
    p_bad = np.where(is_late, 0.35, np.clip(0.04 - 0.025 * f, 0.01, 0.05))
    p_very = 0.55 + 0.15 * f
    r4 = rng.random(n)
    rating = np.where(rated, np.where(r4 < p_bad, 1, np.where(r4 < p_bad + p_very, 3, 2)), 0).astype(np.int8)

    # quirks
    empty_id = rng.random(n) < EMPTY_ID_RATE
    no_due = produced & (pdays > 0) & (rng.random(n) < NO_DUE_RATE)

    # made-up applicant (personal columns: the ETL must drop them, but they cost parsing)
    female = rng.random(n) < 0.52
    born = rng.integers(1950, 2007, n)

    def ts(values, valid):
        return pa.array(values, pa.int64(), mask=~valid).cast(pa.timestamp("s"))

    return pa.table({
        "id_day": pa.array(day, pa.int32()),
        "unit_i": pa.array(unit, pa.int32()),
        "seq": pa.array(seq, pa.int32()),
        "proc_i": pa.array(proc, pa.int16()),
        "channel": pa.array(channel, pa.int8()),
        "submitted": ts(submitted, np.ones(n, bool)),
        "received": ts(received, ~rejected),
        "due": ts(due, ~rejected & ~no_due),
        "finished": ts(finished, finished_known),
        "returned": ts(returned, has_returned),
        "status": pa.array(status, pa.int8()),
        "handler_i": pa.array(handler, pa.int8(), mask=rejected | (status == 2)),
        "dept_i": pa.array(dept, pa.int8(), mask=rejected),
        "fee": pa.array(fee, pa.int64()),
        "paid_online": pa.array(paid_online),
        "digitised": pa.array(digitised),
        "reused": pa.array(reused),
        "from_store": pa.array(from_store),
        "ndocs": pa.array(ndocs, pa.int8()),
        "e_result": pa.array(e_result),
        "rating": pa.array(rating, pa.int8()),
        "reason_i": pa.array(reason, pa.int8()),
        "apology": pa.array(apology, pa.int8()),
        "empty_id": pa.array(empty_id),
        "fam_i": pa.array(rng.choice(len(FAMILY_W), size=n, p=FAMILY_W / FAMILY_W.sum()), pa.int8()),
        "female": pa.array(female),
        "mid_i": pa.array(rng.integers(0, 12, n), pa.int8()),
        "given_i": pa.array(rng.integers(0, 24, n), pa.int8()),
        "born": pa.array(born, pa.int16()),
        "prov_i": pa.array(rng.choice(len(PROVINCES), size=n, p=PROVINCE_W / PROVINCE_W.sum()), pa.int8()),
        "id6": pa.array(rng.integers(0, 1_000_000, n), pa.int32()),
        "phone_i": pa.array(rng.integers(0, len(G.PHONE_PREFIXES), n), pa.int8()),
        "phone7": pa.array(rng.integers(0, 10_000_000, n), pa.int32()),
        "email_n": pa.array(np.where(rng.random(n) < 0.18, rng.integers(1, 100, n), 0), pa.int8()),
        "hamlet_i": pa.array(rng.integers(0, len(G.HAMLETS), n), pa.int8()),
        "house_no": pa.array(np.where(rng.random(n) < 0.35, rng.integers(1, 181, n), 0), pa.int16()),
    })


# ---------------------------------------------------------------------------------------------
# Master Parquet and the week's cases
# ---------------------------------------------------------------------------------------------
def _say(msg: str) -> None:
    print(f"[bench.gen] {msg}", file=sys.stderr, flush=True)


def write_master(path: Path, n: int, seed: int = SEED) -> Plan:
    cal_py = WorkCalendar.default()
    cal = Cal.default()
    pl = plan(n, cal_py, seed)
    key_of_day, vectors = proc_weight_keys(cal_py, pl.days)
    tmp = path.with_suffix(".tmp")
    writer = None
    t0 = _time.monotonic()
    for c, a in enumerate(range(0, n, CHUNK)):
        b = min(n, a + CHUNK)
        rng = np.random.default_rng([seed, 1, c])
        table = make_cases(rng, cal, pl.day[a:b], pl.unit[a:b], pl.seq[a:b], key_of_day, vectors, epoch_s(EXPORT))
        table = table.append_column("rn", pa.array(np.arange(a, b), pa.int64()))
        if writer is None:
            writer = pq.ParquetWriter(tmp, table.schema, compression="zstd")
        writer.write_table(table, row_group_size=CHUNK)
        if n >= 1_000_000:
            _say(f"master {b:,}/{n:,} cases ({_time.monotonic() - t0:.0f} s)")
    writer.close()
    tmp.replace(path)
    return pl


def write_week_master(path: Path, master: Path, n: int, seed: int = SEED) -> None:
    """The week's cases: WEEK_UPDATED newest received cases of the master in a later state, and
    WEEK_ROWS - WEEK_UPDATED new cases received on the working days of 16-22/11/2026."""
    cal_py = WorkCalendar.default()
    cal = Cal.default()
    rng = np.random.default_rng([seed, 2])
    n_units = max(1, round(n / CASES_PER_UNIT))
    con = duckdb.connect()
    con.execute("set threads = 2")
    week_start = datetime.combine(WEEK_DAYS[0], datetime.min.time())
    updated = con.sql(
        f"""
        with newest as (
            select * from read_parquet($m)
            where status not in (3, 7, 8) and (finished is null or returned is null or rating = 0)
            order by rn desc limit {WEEK_UPDATED}
        ), moved as (
            select *,
                   $ws + to_days(cast(hash(rn) % 5 as integer))
                       + to_minutes(cast(450 + (hash(rn) >> 8) % 540 as integer)) as t_week
            from newest
        )
        select * replace (
            case when finished is null then greatest(t_week, received + interval 1 hour) else finished end
                as finished,
            case when returned is null then greatest(t_week, received + interval 1 hour) + interval 40 minute
                 else returned end as returned,
            cast(10 as tinyint) as status,
            case when finished is null then (hash(rn) % 10) < 8 else e_result end as e_result,
            coalesce(handler_i, cast(0 as tinyint)) as handler_i,
            cast(case when rating = 0 then 2 + hash(rn) % 2 else rating end as tinyint) as rating
        )
        from moved
        order by rn
        """, params={"m": str(master), "ws": week_start}).to_arrow_table().drop_columns(["t_week"])
    new_n = WEEK_ROWS - updated.num_rows   # fewer updates when the warehouse is tiny
    days = [d for d in WEEK_DAYS if cal_py.is_working(d)]
    w = np.array([(1.30, 1.15, 1.0, 0.95, 0.80)[d.weekday()] for d in days])
    counts = rng.multinomial(new_n, w / w.sum())
    day = np.repeat(np.array([epoch_day(d) for d in days], np.int32), counts)
    unit = rng.integers(0, n_units, new_n).astype(np.int32)
    order = np.lexsort((unit, day))
    day, unit = day[order], unit[order]
    seq = _seq(day, unit, n_units)
    key_of_day, vectors = proc_weight_keys(cal_py, [FIRST_DAY + timedelta(days=i) for i in
                                                    range(epoch_day(WEEK_DAYS[-1]) - epoch_day(FIRST_DAY) + 1)])
    new = make_cases(rng, cal, day, unit, seq, key_of_day, vectors, epoch_s(WEEK_EXPORT))
    new = new.append_column("rn", pa.array(np.arange(n, n + new_n), pa.int64()))

    table = pa.concat_tables([updated.cast(new.schema), new])
    pq.write_table(table, path, compression="zstd")


# ---------------------------------------------------------------------------------------------
# Formatting in SQL and the writers
# ---------------------------------------------------------------------------------------------
def _lit(values) -> str:
    return "[" + ", ".join("'" + str(v).replace("'", "''") + "'" for v in values) + "]"


def _setup_lookups(con, n: int) -> None:
    """Small lookup tables (procedures, units, names) next to the master rows."""
    units = unit_names(max(1, round(n / CASES_PER_UNIT)))
    con.execute("create or replace temp table u_units (unit_i integer, unit varchar, code varchar)")
    con.executemany("insert into u_units values (?, ?, ?)", [(i, a, b) for i, (a, b) in enumerate(units)])
    con.execute("create or replace temp table u_procs (proc_i smallint, code varchar, name varchar, sector varchar, "
                "sector_code varchar, fee_name varchar, result varchar, docs varchar[])")
    con.executemany("insert into u_procs values (?, ?, ?, ?, ?, ?, ?, ?)",
                    [(i, p.code, p.name, p.sector, G.SECTORS[p.sector][0], p.fee_name or "Lệ phí", p.result,
                      [G.file_name(d) for d in p.docs]) for i, p in enumerate(PROCS)])


def _base_sql(src: str) -> str:
    """Every cell as the exports write it, from the master rows in `src`."""
    fam = _lit([f for f, _ in G.FAMILY])
    fold = _lit([G.ascii_fold(f).lower() for f, _ in G.FAMILY])
    return f"""
        select m.*, p.code as p_code, p.name as p_name, p.sector as p_sector, p.sector_code as p_sector_code,
               p.fee_name as p_fee_name, p.result as p_result, p.docs as p_docs, u.unit as u_unit,
               case when m.empty_id then null
                    else u.code || '-' || strftime(cast(to_days(m.id_day) + date '1970-01-01' as date), '%y%m%d')
                         || '-' || lpad(cast(m.seq as varchar), cast(greatest(4, length(cast(m.seq as varchar))) as integer), '0')
               end as case_id,
               {fam}[m.fam_i + 1] || ' '
                 || case when m.female then {_lit(G.FEMALE_MID)}[m.mid_i + 1] else {_lit(G.MALE_MID)}[m.mid_i + 1] end
                 || ' '
                 || case when m.female then {_lit(G.FEMALE_GIVEN)}[m.given_i + 1]
                         else {_lit(G.MALE_GIVEN)}[m.given_i + 1] end as person,
               {_lit(PROVINCES)}[m.prov_i + 1] || cast((case when m.born < 2000 then 0 else 2 end)
                 + (case when m.female then 1 else 0 end) as varchar)
                 || lpad(cast(m.born % 100 as varchar), 2, '0') || lpad(cast(m.id6 as varchar), 6, '0') as id_number,
               {_lit(G.PHONE_PREFIXES)}[m.phone_i + 1] || lpad(cast(m.phone7 as varchar), 7, '0') as phone,
               case when m.email_n > 0 then
                   lower(strip_accents(replace(replace(case when m.female then {_lit(G.FEMALE_GIVEN)}[m.given_i + 1]
                         else {_lit(G.MALE_GIVEN)}[m.given_i + 1] end, 'Đ', 'D'), 'đ', 'd')))
                   || {fold}[m.fam_i + 1] || cast(m.email_n as varchar) || '@gmail.com' end as email,
               case when m.house_no > 0 then 'Số ' || cast(m.house_no as varchar) || ', thôn '
                         || {_lit(G.HAMLETS)}[m.hamlet_i + 1] || ', ' || replace(u.unit, 'UBND ', '')
                    else 'Thôn ' || {_lit(G.HAMLETS)}[m.hamlet_i + 1] || ', ' || replace(u.unit, 'UBND ', '') end
                   as address,
               {_lit(HANDLERS)}[m.handler_i + 1] as handler,
               {_lit(DEPTS)}[m.dept_i + 1] as dept,
               case when m.reason_i >= 0 then {_lit(LATE_REASONS)}[m.reason_i + 1] end as reason
        from {src} m
        join u_procs p on p.proc_i = m.proc_i
        join u_units u on u.unit_i = m.unit_i
    """


_CSV_Q = ("create or replace macro q(x) as case when x is null then '' "
          "when regexp_matches(x, '[\",\\r\\n]') then '\"' || replace(x, '\"', '\"\"') || '\"' else x end")


def _csv_line_sql(base: str) -> str:
    status_b = "map {" + ", ".join(f"{k}: '{v}'" for k, v in G.STATUS_B.items()) + "}"
    channel_b = _lit([G.CHANNEL_B[c] for c in ("direct", "online", "postal")])
    dt = "'%d/%m/%Y %H:%M:%S'"
    cells = [
        "q(case_id)", "q(p_code)", "q(p_name)", "q(p_sector)", "q(u_unit)", "q(person)", "id_number", "phone",
        "coalesce(email, '')", f"{channel_b}[channel + 1]", f"strftime(submitted, {dt})",
        f"coalesce(strftime(received, {dt}), '')", f"coalesce(strftime(due, {dt}), '')",
        f"coalesce(strftime(finished, {dt}), '')", f"coalesce(strftime(returned, {dt}), '')",
        f"{status_b}[status]", "coalesce(handler, '')", "coalesce(dept, '')",
        "case when digitised then '1' else '0' end", "case when e_result then '1' else '0' end",
        "cast(fee as varchar)", "case when fee > 0 then (case when paid_online then 'Có' else 'Không' end) else '' end",
        "case rating when 1 then 'Không hài lòng' when 2 then 'Hài lòng' when 3 then 'Rất hài lòng' else '' end",
        "q(reason)", "case apology when 1 then 'Đã' when 0 then 'Chưa' else '' end",
    ]
    return f"select concat_ws(',', {', '.join(cells)}) as line from ({base})"


def _jsonl_line_sql(base: str) -> str:
    dvc = "'%Y%m%d%H%M%S'"

    def opt(key: str, value: str, cond: str) -> str:
        return f"case when {cond} then ',\"{key}\":' || {value} else '' end"

    parts = [
        "'{\"MaHoSo\":' || case when case_id is null then (case when seq % 2 = 0 then '\"\"' else 'null' end) "
        "else to_json(case_id)::varchar end",
        "',\"MaTTHC\":' || to_json(p_code)::varchar", "',\"TenTTHC\":' || to_json(p_name)::varchar",
        "',\"MaLinhVuc\":' || to_json(p_sector_code)::varchar", "',\"TenLinhVuc\":' || to_json(p_sector)::varchar",
        "',\"KenhThucHien\":' || cast(channel + 1 as varchar)",
        "',\"ChuHoSo\":' || to_json(person)::varchar", "',\"SoGiayToChuHoSo\":\"' || id_number || '\"'",
        "',\"SoDienThoai\":\"' || phone || '\"'",
        opt("Email", "'\"' || email || '\"'", "email is not null"),
        f"',\"NgayNopHoSo\":\"' || strftime(submitted, {dvc}) || '\"'",
        opt("NgayTiepNhan", f"'\"' || strftime(received, {dvc}) || '\"'", "received is not null"),
        opt("NgayHenTra", f"coalesce('\"' || strftime(due, {dvc}) || '\"', 'null')", "received is not null"),
        opt("NgayKetThucXuLy", f"'\"' || strftime(finished, {dvc}) || '\"'", "finished is not null"),
        opt("NgayTra", f"coalesce('\"' || strftime(returned, {dvc}) || '\"', 'null')", "status in (9, 10)"),
        "',\"TrangThaiHoSo\":' || cast(status as varchar)",
        "',\"DonViTiepNhan\":' || to_json(u_unit)::varchar",
        opt("DonViXuLy", "to_json(dept)::varchar", "dept is not null"),
        opt("CanBoXuLy", "to_json(handler)::varchar", "handler is not null"),
        "',\"HoSoCoThanhPhanSoHoa\":' || case when digitised then '1' else '0' end",
        "',\"DuocThanhToanTrucTuyen\":' || case when paid_online then (case when channel = 1 then '2' else '1' end) "
        "else '0' end",
        opt("DanhSachLePhi", "'[{\"TenPhiLePhi\":' || to_json(p_fee_name)::varchar || ',\"Gia\":' "
            "|| cast(fee as varchar) || '}]'", "fee > 0"),
        opt("DanhSachGiayToKetQua", "case when e_result then '[{\"TenGiayTo\":' || to_json(p_result)::varchar "
            "|| ',\"DuongDanTepTinKetQua\":\"/kq/' || coalesce(right(case_id, 11), 'x') || '.pdf\"}]' else '[]' end",
            "status in (7, 8, 9, 10)"),
        "',\"TaiLieuNop\":[' || array_to_string(list_transform(range(least(ndocs, len(p_docs))), "
        "lambda i: '{\"TenTepDinhKem\":\"' || p_docs[i + 1] || '\",\"DuocSoHoa\":' "
        "|| case when digitised then '1' else '0' end || ',\"DuocTaiSuDung\":' "
        "|| case when reused and i = least(ndocs, len(p_docs)) - 1 then '1' else '0' end "
        "|| ',\"DuocLayTuKhoDMQG\":' || case when from_store and i = least(ndocs, len(p_docs)) - 1 "
        "then '1' else '0' end || '}'), ',') || ']}'",
    ]
    return f"select {' || '.join(parts)} as line from ({base})"


def _write_lines(con, sql: str, params: dict, fh, sep: bytes) -> int:
    rows = 0
    reader = con.sql(sql, params=params).fetch_record_batch(100_000)
    for batch in reader:
        lines = batch.column(0).to_pylist()
        fh.write(sep.join(s.encode("utf-8") for s in lines) + sep)
        rows += len(lines)
    return rows


def _connect() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute("set threads = 2")
    con.execute("set preserve_insertion_order = true")
    con.execute("set enable_progress_bar = false")
    return con


def write_csv(path: Path, master: Path, n_units_of: int, newest_first: bool = True) -> int:
    con = _connect()
    _setup_lookups(con, n_units_of)
    con.execute(_CSV_Q)
    tmp = path.with_suffix(".tmp")
    rows = 0
    with open(tmp, "wb") as fh:
        fh.write(b"\xef\xbb\xbf" + ",".join(G.CSV_HEADERS).encode("utf-8") + b"\r\n")
        ranges = list(_ranges(con, master))
        for a, b in (reversed(ranges) if newest_first else ranges):
            src = f"(select * from read_parquet($m) where rn >= {a} and rn < {b})"
            order = "rn desc" if newest_first else "rn"
            sql = _csv_line_sql(_base_sql(src) + f" order by {order}")
            rows += _write_lines(con, sql, {"m": str(master)}, fh, b"\r\n")
    tmp.replace(path)
    return rows


def _ranges(con, master: Path):
    lo, hi = con.execute("select min(rn), max(rn) + 1 from read_parquet($m)", {"m": str(master)}).fetchall()[0]
    for a in range(lo, hi, CHUNK):
        yield a, min(hi, a + CHUNK)


def write_jsonl(path: Path, master: Path, n_units_of: int) -> int:
    con = _connect()
    _setup_lookups(con, n_units_of)
    tmp = path.with_suffix(".tmp")
    rows = 0
    with open(tmp, "wb") as fh:
        for a, b in _ranges(con, master):
            src = f"(select * from read_parquet($m) where rn >= {a} and rn < {b})"
            rows += _write_lines(con, _jsonl_line_sql(_base_sql(src) + " order by rn"), {"m": str(master)}, fh, b"\n")
    tmp.replace(path)
    return rows


XLSX_LAYOUT = [
    (None, "STT"), (None, "Mã hồ sơ"), (None, "Đơn vị tiếp nhận"),
    ("Thủ tục hành chính", "Mã thủ tục"), ("Thủ tục hành chính", "Tên thủ tục"), (None, "Lĩnh vực"),
    ("Thông tin người nộp", "Chủ hồ sơ"), ("Thông tin người nộp", "Số điện thoại"), ("Thông tin người nộp", "Địa chỉ"),
    (None, "Kênh tiếp nhận"),
    ("Thời gian", "Ngày tiếp nhận"), ("Thời gian", "Ngày hẹn trả"), ("Thời gian", "Ngày kết thúc\nxử lý"),
    ("Thời gian", "Ngày trả kết quả"), (None, "Trạng thái"), ("Xử lý", "Cán bộ  xử lý"), ("Xử lý", "Phòng ban xử lý"),
    ("Chuyển đổi số", "Số hóa hồ sơ"), ("Chuyển đổi số", "Kết quả điện tử"),
    (None, "Phí, lệ phí"), (None, "Thanh toán\ntrực tuyến"), (None, "Đánh giá"),
    ("Trễ hạn", "Lý do trễ hạn"), ("Trễ hạn", "Đã gửi thư xin lỗi"),
]


def write_xlsx(path: Path, master: Path, n_units_of: int, max_rows: int = XLSX_MAX_ROWS) -> int:
    """Vendor A's list (sample ho_so_2024_motcua.xlsx) with xlsxwriter in constant_memory mode.
    The header merges are registered without writing (constant_memory writes rows in order only)."""
    import unicodedata

    import xlsxwriter

    con = _connect()
    _setup_lookups(con, n_units_of)
    status_a = "map {" + ", ".join(f"{k}: '{v}'" for k, v in {**G.STATUS_A, 3: "Không được tiếp nhận"}.items()) + "}"
    channel_a = _lit([G.CHANNEL_A[c] for c in ("direct", "online", "postal")])
    hm, d = "'%d/%m/%Y %H:%M'", "'%d/%m/%Y'"
    tmp = path.with_suffix(".tmp.xlsx")
    wb = xlsxwriter.Workbook(str(tmp), {"constant_memory": True, "strings_to_numbers": False,
                                        "strings_to_formulas": False, "strings_to_urls": False})
    ws = wb.add_worksheet("DanhSachHoSo")
    title = wb.add_format({"bold": True, "align": "center"})
    head = wb.add_format({"bold": True, "align": "center", "valign": "vcenter", "text_wrap": True, "border": 1,
                          "bg_color": "#DDEBF7"})
    cell = wb.add_format({"border": 1})
    when = wb.add_format({"border": 1, "num_format": "dd/mm/yyyy hh:mm"})
    money = wb.add_format({"border": 1, "num_format": "#,##0"})
    layout = [(g, unicodedata.normalize("NFD", h) if h == "Kênh tiếp nhận" else h) for g, h in XLSX_LAYOUT]
    ncol = len(layout)
    for r, text in enumerate(("ỦY BAN NHÂN DÂN " + G.UNIT.upper().replace("UBND ", ""),
                              "TRUNG TÂM PHỤC VỤ HÀNH CHÍNH CÔNG", "DANH SÁCH HỒ SƠ TIẾP NHẬN",
                              "Từ ngày 01/01/2024 đến ngày 15/11/2026")):
        ws.merge_range(r, 0, r, ncol - 1, text, title)
    top, bottom = 5, 6
    col = 0
    while col < ncol:                       # row 5: single headers and group headers
        group, header = layout[col]
        if group is None:
            ws.write_string(top, col, header, head)
            ws.merge.append([top, col, bottom, col])
            col += 1
            continue
        end = col
        while end + 1 < ncol and layout[end + 1][0] == group:
            end += 1
        ws.write_string(top, col, group, head)
        for k in range(col + 1, end + 1):
            ws.write_blank(top, k, None, head)
        ws.merge.append([top, col, top, end])
        col = end + 1
    for k, (group, header) in enumerate(layout):   # row 6: sub-headers
        if group is None:
            ws.write_blank(bottom, k, None, head)
        else:
            ws.write_string(bottom, k, header, head)
    for k, width in enumerate((6, 27, 18, 10, 40, 16, 20, 12, 30, 14, 16, 16, 16, 12, 16, 20, 20, 8, 9, 10, 10,
                               13, 30, 9)):
        ws.set_column(k, k, width)

    select = f"""
        select case_id, u_unit, p_code, p_name, p_sector, person, phone, address, {channel_a}[channel + 1],
               epoch(received) / 86400.0 + 25569.0, strftime(due, {hm}), strftime(finished, {hm}),
               strftime(returned, {d}), {status_a}[status], handler, dept,
               case when digitised then 'x' end,
               case when status in (9, 10) and e_result then 'Có' else 'Không' end,
               fee, case when fee > 0 then (case when paid_online then 'Có' else 'Không' end) end,
               case rating when 1 then 'Không hài lòng' when 2 then 'Hài lòng' when 3 then 'Rất hài lòng' end,
               reason, case apology when 1 then 'Có' when 0 then 'Không' end
    """
    row = bottom + 1
    stt = 0
    write_string, write_number = ws.write_string, ws.write_number
    for a, b in _ranges(con, master):
        if stt >= max_rows:
            break
        b = min(b, a + max_rows - stt)
        src = f"(select * from read_parquet($m) where rn >= {a} and rn < {b})"
        reader = con.sql(f"{select} from ({_base_sql(src)} order by rn)",
                         params={"m": str(master)}).fetch_record_batch(50_000)
        for batch in reader:
            for values in zip(*(c.to_pylist() for c in batch.columns)):
                stt += 1
                write_number(row, 0, stt, cell)
                for k, v in enumerate(values, start=1):
                    if v is None:
                        continue
                    if k == 10:
                        write_number(row, k, v, when)
                    elif k == 19:
                        write_number(row, k, v, money)
                    else:
                        write_string(row, k, v, cell)
                row += 1
    ws.write_string(row, 0, "Tổng cộng", cell)
    ws.write_number(row, 1, stt, cell)
    wb.close()
    tmp.replace(path)
    return stt


# ---------------------------------------------------------------------------------------------
# Cache
# ---------------------------------------------------------------------------------------------
EXT = {"csv": "csv", "xlsx": "xlsx", "jsonl": "jsonl"}


@dataclass
class Dataset:
    n: int
    files: dict[str, Path]        # format -> export file
    rows: dict[str, int]          # format -> data rows in the file
    week: Path
    master: Path
    gen_seconds: dict[str, float]


def dataset(workdir: Path, n: int, formats: list[str]) -> Dataset:
    """The export files for n cases, generated on first use and cached in workdir."""
    workdir = Path(workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    tag = f"n{n}_v{GEN_VERSION}"
    master = workdir / f"master_{tag}.parquet"
    gen_s: dict[str, float] = {}
    if not master.exists():
        t = _time.monotonic()
        _say(f"drawing {n:,} cases -> {master.name}")
        write_master(master, n)
        gen_s["master"] = _time.monotonic() - t
    files, rows = {}, {}
    for fmt in formats:
        path = workdir / f"cases_{tag}.{EXT[fmt]}"
        marker = path.with_name(path.name + ".rows")
        if not (path.exists() and marker.exists()):
            t = _time.monotonic()
            _say(f"writing {path.name}")
            if fmt == "csv":
                count = write_csv(path, master, n)
            elif fmt == "jsonl":
                count = write_jsonl(path, master, n)
            else:
                count = write_xlsx(path, master, n)
            marker.write_text(str(count))
            gen_s[fmt] = _time.monotonic() - t
        files[fmt] = path
        rows[fmt] = int(marker.read_text())
    week_master = workdir / f"week_{tag}.parquet"
    week = workdir / f"week_{tag}.csv"
    if not week.exists():
        t = _time.monotonic()
        write_week_master(week_master, master, n)
        write_csv(week, week_master, n, newest_first=True)
        gen_s["week"] = _time.monotonic() - t
    return Dataset(n, files, rows, week, master, gen_s)
