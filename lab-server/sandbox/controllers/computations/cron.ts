/** Cron schedules as the CronJob controller reads them (robfig/cron's standard five fields and its @ shorthands). */
export type CronFields = [minute: Set<number>, hour: Set<number>, dayOfMonth: Set<number>, month: Set<number>, dayOfWeek: Set<number>];

const RANGES: [number, number][] = [[0, 59], [0, 23], [1, 31], [1, 12], [0, 6]];
const NAMES = [undefined, undefined, undefined, ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'], ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat']];
const SHORTHANDS: Record<string, string> = { '@yearly': '0 0 1 1 *', '@annually': '0 0 1 1 *', '@monthly': '0 0 1 * *', '@weekly': '0 0 * * 0', '@daily': '0 0 * * *', '@midnight': '0 0 * * *', '@hourly': '0 * * * *' };

export function parseCron(text: string): { ok: true; fields: CronFields } | { ok: false; error: string } {
  const parts = (SHORTHANDS[text.trim()] ?? text).trim().split(/\s+/);
  if (parts.length !== 5) return { ok: false, error: `expected exactly 5 fields, found ${parts.length}: [${parts.join(' ')}]` };
  const fields: Set<number>[] = [];
  for (const [index, part] of parts.entries()) {
    const [min, max] = RANGES[index]!;
    const values = new Set<number>();
    for (const item of part.split(',')) {
      const [range = '', stepText] = item.split('/');
      const step = stepText === undefined ? 1 : Number(stepText);
      const value = (v: string) => {
        const named = NAMES[index]?.indexOf(v.toLowerCase()) ?? -1;
        return named >= 0 ? named + (index === 3 ? 1 : 0) : Number(v);
      };
      const [from, to] = range === '*' || range === '?' ? [min, max] : range.includes('-') ? range.split('-').map(value) : [value(range), stepText === undefined ? value(range) : max];
      if (!Number.isInteger(from) || !Number.isInteger(to) || !Number.isInteger(step) || step < 1 || from! < min || to! > max || from! > to!) return { ok: false, error: `failed to parse int from ${item}: out of range or not a number` };
      for (let v = from!; v <= to!; v += step) values.add(v);
    }
    fields.push(values);
  }
  return { ok: true, fields: fields as CronFields };
}

/** Whether the minute starting at `date` (UTC, as the controller without timeZone reads it) is on the schedule. */
export function cronMatches([minute, hour, dayOfMonth, month, dayOfWeek]: CronFields, date: Date): boolean {
  return minute.has(date.getUTCMinutes()) && hour.has(date.getUTCHours()) && month.has(date.getUTCMonth() + 1) && dayOfMonth.has(date.getUTCDate()) && dayOfWeek.has(date.getUTCDay());
}
