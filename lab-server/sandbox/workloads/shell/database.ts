/** The external PostgreSQL servers of the lesson environment, answering a small SQL subset. */
import type { ClusterView } from '../../store/cluster-view.ts';
import type { Environment } from '../../../lesson/schema.ts';

type Service = Extract<Environment['externalHosts'][number]['services'][number], { kind: 'postgresql' }>;

export function postgresAt(cluster: ClusterView, host: string, port: number): Service | undefined {
  const found = cluster.environment?.externalHosts.find((h) => h.ip === host);
  return found?.services.find((s): s is Service => s.kind === 'postgresql' && s.port === port);
}

export type QueryResult = { ok: true; columns: string[]; rows: (string | number | boolean | null)[][] } | { ok: false; error: string };

/** SELECT <columns|*> FROM <table> [WHERE col = value] [ORDER BY col [DESC]] [LIMIT n] */
export function runQuery(service: Service, sql: string): QueryResult {
  const text = sql.trim().replace(/;$/, '').trim();
  const match = /^select\s+(.+?)\s+from\s+([a-z_][a-z0-9_]*)(?:\s+where\s+([a-z_]+)\s*=\s*('[^']*'|\d+))?(?:\s+order\s+by\s+([a-z_]+)(\s+desc)?)?(?:\s+limit\s+(\d+))?$/i.exec(text);
  if (!match) {
    const word = text.split(/\s+/)[0] ?? '';
    return { ok: false, error: /^(select|insert|update|delete|create|drop)$/i.test(word) ? `ERROR:  this server only answers SELECT … FROM <table> [WHERE col = value] [ORDER BY col] [LIMIT n]` : `ERROR:  syntax error at or near "${word}"\nLINE 1: ${text}\n        ^` };
  }
  const [, columnList = '', tableName = '', whereColumn, whereValue, orderColumn, descending, limit] = match;
  const table = service.tables.find((t) => t.name === tableName.toLowerCase());
  if (!table) return { ok: false, error: `ERROR:  relation "${tableName}" does not exist\nLINE 1: ${text}\n${' '.repeat(8 + text.toLowerCase().indexOf(tableName.toLowerCase()))}^` };
  if (/^count\(\s*\*\s*\)$/i.test(columnList.trim()) && !orderColumn) {
    const where = whereColumn ? table.columns.indexOf(whereColumn.toLowerCase()) : -1;
    if (whereColumn && where < 0) return { ok: false, error: `ERROR:  column "${whereColumn}" does not exist` };
    const value = whereValue === undefined ? undefined : whereValue.startsWith("'") ? whereValue.slice(1, -1) : Number(whereValue);
    const count = where < 0 ? table.rows.length : table.rows.filter((r) => r[where] === value).length;
    return { ok: true, columns: ['count'], rows: limit === '0' ? [] : [[count]] };
  }
  const columns = columnList.trim() === '*' ? table.columns : columnList.split(',').map((c) => c.trim().toLowerCase());
  const missing = [...columns, ...(whereColumn ? [whereColumn] : []), ...(orderColumn ? [orderColumn] : [])].find((c) => !table.columns.includes(c.toLowerCase()));
  if (missing) return { ok: false, error: `ERROR:  column "${missing}" does not exist` };
  let rows = table.rows;
  if (whereColumn && whereValue !== undefined) {
    const index = table.columns.indexOf(whereColumn.toLowerCase());
    const value = whereValue.startsWith("'") ? whereValue.slice(1, -1) : Number(whereValue);
    rows = rows.filter((r) => r[index] === value);
  }
  if (orderColumn) {
    const index = table.columns.indexOf(orderColumn.toLowerCase());
    rows = [...rows].sort((a, b) => String(a[index]).localeCompare(String(b[index]), undefined, { numeric: true }) * (descending ? -1 : 1));
  }
  if (limit) rows = rows.slice(0, Number(limit));
  const indexes = columns.map((c) => table.columns.indexOf(c));
  return { ok: true, columns, rows: rows.map((r) => indexes.map((i) => r[i] ?? null)) };
}

/** psql's aligned output: centred headers, numbers right-aligned, a row count; with `tuplesOnly` (-t) the rows alone. */
export function formatTable(columns: string[], rows: (string | number | boolean | null)[][], tuplesOnly = false): string {
  const cells = rows.map((r) => r.map((v) => (v === null ? '' : String(v))));
  const widths = columns.map((c, i) => Math.max(c.length, ...cells.map((r) => r[i]!.length)));
  const numeric = columns.map((_, i) => rows.length > 0 && rows.every((r) => typeof r[i] === 'number'));
  const center = (text: string, width: number) => {
    const left = Math.floor((width - text.length) / 2);
    return `${' '.repeat(left)}${text}${' '.repeat(width - text.length - left)}`;
  };
  const header = columns.map((c, i) => ` ${center(c, widths[i]!)} `).join('|');
  const rule = widths.map((w) => '-'.repeat(w + 2)).join('+');
  const lines = cells.map((r) => r.map((v, i) => ` ${numeric[i] ? v.padStart(widths[i]!) : v.padEnd(widths[i]!)} `).join('|').replace(/\s+$/, ''));
  if (tuplesOnly) return `${lines.map((l) => `${l}\n`).join('')}\n`;
  return `${header.replace(/\s+$/, '')}\n${rule}\n${lines.join('\n')}${lines.length ? '\n' : ''}(${rows.length} row${rows.length === 1 ? '' : 's'})\n\n`;
}
