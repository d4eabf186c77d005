/**
 * arXiv's announcement calendar, in US Eastern time. Announcements happen at 20:00 Sunday to Thursday;
 * each covers submissions between two 14:00 cutoffs. Dates name the ET day of the 20:00 announcement.
 */

/** Days arXiv announced it would not mail (extend as arXiv publishes them). */
export const HOLIDAYS = new Set([
  '2025-01-01',
  '2025-01-20',
  '2025-05-26',
  '2025-06-19',
  '2025-07-04',
  '2025-09-01',
  '2025-11-27',
  '2025-12-25',
  '2025-12-31',
  '2026-01-01',
  '2026-01-19',
  '2026-06-19',
  '2026-07-03',
  '2026-09-07',
  '2026-11-26',
  '2026-12-25',
  '2026-12-29',
  '2026-12-31',
]);

const DAY = 86_400_000;

export function isValidDate(s: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(s)) return false;
  const t = Date.parse(`${s}T12:00:00Z`);
  return !Number.isNaN(t) && new Date(t).toISOString().slice(0, 10) === s;
}

function weekday(date: string): number {
  return new Date(`${date}T12:00:00Z`).getUTCDay(); // 0 Sunday … 6 Saturday
}

export function addDays(date: string, n: number): string {
  return new Date(Date.parse(`${date}T12:00:00Z`) + n * DAY).toISOString().slice(0, 10);
}

export function isAnnouncementDay(date: string): boolean {
  const wd = weekday(date);
  return wd !== 5 && wd !== 6 && !HOLIDAYS.has(date);
}

export function whyNoAnnouncement(date: string): string | undefined {
  const wd = weekday(date);
  if (wd === 5 || wd === 6)
    return `${date} is a ${wd === 5 ? 'Friday' : 'Saturday'}: arXiv announces Sunday to Thursday`;
  if (HOLIDAYS.has(date)) return `${date} is an arXiv holiday: no announcement`;
  return undefined;
}

/** UTC instant of a wall-clock time in America/New_York. */
export function easternToUtc(date: string, hh: number, mm = 0): Date {
  const guess = Date.parse(`${date}T${String(hh).padStart(2, '0')}:${String(mm).padStart(2, '0')}:00Z`);
  let t = guess;
  for (let i = 0; i < 3; i++) {
    const off = easternOffsetMinutes(new Date(t));
    t = guess - off * 60_000;
  }
  return new Date(t);
}

/** The UTC instant of the n-th (1-based; 0 = last) Sunday of a month, at `hourUtc`. */
function sundayOf(year: number, month: number, n: number, hourUtc: number): number {
  if (n === 0) {
    const last = new Date(Date.UTC(year, month + 1, 0));
    return Date.UTC(year, month, last.getUTCDate() - last.getUTCDay(), hourUtc);
  }
  const first = new Date(Date.UTC(year, month, 1)).getUTCDay();
  return Date.UTC(year, month, 1 + ((7 - first) % 7) + 7 * (n - 1), hourUtc);
}

/**
 * New York's offset from UTC at an instant: -240 in daylight time, else -300. The US rules, computed
 * rather than asked of Intl: a time-zone DateTimeFormat pages in ~7 MB of ICU's zone and locale data.
 * Since 2007 daylight time runs from the second Sunday of March, 2:00 EST (07:00 UTC), to the first
 * Sunday of November, 2:00 EDT (06:00 UTC); 1987-2006 from the first Sunday of April to the last of
 * October; before that from the last Sunday of April.
 */
export function easternOffsetMinutes(d: Date): number {
  const t = d.getTime();
  const y = d.getUTCFullYear();
  const start = y >= 2007 ? sundayOf(y, 2, 2, 7) : y >= 1987 ? sundayOf(y, 3, 1, 7) : sundayOf(y, 3, 0, 7);
  const end = y >= 2007 ? sundayOf(y, 10, 1, 6) : sundayOf(y, 9, 0, 6);
  return t >= start && t < end ? -240 : -300;
}

/** The New York calendar date (YYYY-MM-DD) of an instant. */
export function easternDateOf(d: Date): string {
  return new Date(d.getTime() + easternOffsetMinutes(d) * 60_000).toISOString().slice(0, 10);
}

/** The submission cutoff an announcement day closes: 14:00 ET that day, or Friday's for Sunday. */
function cutoffOf(date: string): Date {
  return weekday(date) === 0 ? easternToUtc(addDays(date, -2), 14) : easternToUtc(date, 14);
}

/** The submission window [from, to) of the announcement made on `date` (an announcement day). */
export function submissionWindow(date: string): { from: Date; to: Date } {
  let prev = addDays(date, -1);
  for (let i = 0; i < 14 && !isAnnouncementDay(prev); i++) prev = addDays(prev, -1);
  return { from: cutoffOf(prev), to: cutoffOf(date) };
}

/** arXiv's submittedDate syntax: YYYYMMDDHHMM in GMT. */
export function arxivStamp(d: Date): string {
  return d.toISOString().replace(/[-:T]/g, '').slice(0, 12);
}

/** The latest announcement at `now`: the most recent announcement day whose 20:00 ET has passed. */
export function latestAnnouncement(now: Date): string {
  let day = easternDateOf(now);
  if (now < easternToUtc(day, 20)) day = addDays(day, -1);
  for (let i = 0; i < 14 && !isAnnouncementDay(day); i++) day = addDays(day, -1);
  return day;
}
