/**
 * node:sqlite, loaded without its one-time "experimental feature" warning,
 * which would otherwise greet every learner who starts a lab with state.
 */
const emitWarning = process.emitWarning;
process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
  if (String(warning).includes('SQLite is an experimental feature')) return;
  (emitWarning as (...args: unknown[]) => void).call(process, warning, ...rest);
}) as typeof process.emitWarning;
const sqlite = await import('node:sqlite');
process.emitWarning = emitWarning;

export const DatabaseSync = sqlite.DatabaseSync;
export type Database = InstanceType<typeof sqlite.DatabaseSync>;
