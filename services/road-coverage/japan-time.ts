/**
 * Japan time for the coverage rules: effective dates, the day/night band (D5.2), fiscal years (D5.7)
 * and claim deadlines are Japan dates and times (contract "Coverage"). Computed with Intl in the
 * Asia/Tokyo zone (Japan has had no daylight saving since 1951, so this equals a fixed +09:00; Intl
 * is used so that the zone is named, not assumed). Pure: every function takes the instant it judges.
 */
const PARTS = new Intl.DateTimeFormat('en-CA', {
  timeZone: 'Asia/Tokyo',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
});

export interface JapanTime {
  /** `YYYY-MM-DD` */
  date: string;
  year: number;
  month: number;
  day: number;
  /** Minutes since midnight, Japan time. */
  minutes: number;
  /** `YYYY-MM-DD HH:MM` */
  text: string;
}

export function inJapan(ms: number): JapanTime {
  const p: Record<string, string> = {};
  for (const part of PARTS.formatToParts(new Date(ms))) p[part.type] = part.value;
  const date = `${p.year}-${p.month}-${p.day}`;
  const hour = Number(p.hour);
  const minute = Number(p.minute);
  return { date, year: Number(p.year), month: Number(p.month), day: Number(p.day), minutes: hour * 60 + minute, text: `${date} ${p.hour}:${p.minute}` };
}

/** `HH:MM` as minutes since midnight. */
export function minutesOf(hhmm: string): number {
  const [h, m] = hhmm.split(':').map(Number);
  return h! * 60 + m!;
}

/**
 * The fiscal year of an instant, named by the calendar year it starts in: with `startMonth` 4 (D5.7,
 * April to March), 2024-04-01 00:00 JST is FY2024 and 2024-03-31 23:59 JST is FY2023.
 */
export function fiscalYearOf(ms: number, startMonth: number): number {
  const j = inJapan(ms);
  return j.month >= startMonth ? j.year : j.year - 1;
}

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

/** `April 2024 to March 2025` for FY2024 starting in April. */
export function fiscalYearText(fy: number, startMonth: number): string {
  const endMonth = startMonth === 1 ? 12 : startMonth - 1;
  return `${MONTHS[startMonth - 1]} ${fy} to ${MONTHS[endMonth - 1]} ${startMonth === 1 ? fy : fy + 1}`;
}

/** True for a real calendar date `YYYY-MM-DD` (no 02-30). */
export function isRealDate(date: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (!m) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.toISOString().slice(0, 10) === date;
}

/**
 * The date `months` after `date`, on the same day of the month, or the month's last day when it has
 * no such day (2024-12-31 + 2 months = 2025-02-28). This is also how Japan's Civil Code counts a
 * period "within N months" from a day (民法 140: the first day is not counted; 143: it ends at the end
 * of the day before the corresponding day, or on the last day of a month without one), so the date
 * returned is the last day that is still within the period.
 */
export function addMonths(date: string, months: number): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const monthIndex = m - 1 + months;
  const lastDay = new Date(Date.UTC(y, monthIndex + 1, 0)).getUTCDate();
  return new Date(Date.UTC(y, monthIndex, Math.min(d, lastDay))).toISOString().slice(0, 10);
}
