/** psql: connects through the network model, authenticates, and answers SELECTs on the environment's databases. */
import { canReach } from '../../../network/reachability.ts';
import { parseIPv4 } from '../../../../k8s/ipv4.ts';
import { formatTable, postgresAt, runQuery } from '../database.ts';
import type { Program, ProgramContext } from '../program.ts';

const KERNEL_CONNECT_TIMEOUT_MS = 130_000;

interface PsqlOptions {
  host?: string;
  port: number;
  user?: string;
  database?: string;
  command?: string;
  tuplesOnly: boolean;
}

function parse(argv: string[]): PsqlOptions {
  const options: PsqlOptions = { port: 5432, tuplesOnly: false };
  const positional: string[] = [];
  for (let i = 1; i < argv.length; i++) {
    const a = argv[i]!;
    const value = () => argv[++i];
    if (a === '-h' || a === '--host') options.host = value();
    else if (a.startsWith('--host=')) options.host = a.slice(7);
    else if (a === '-p' || a === '--port') options.port = Number(value());
    else if (a === '-U' || a === '--username') options.user = value();
    else if (a.startsWith('--username=')) options.user = a.slice(11);
    else if (a === '-d' || a === '--dbname') options.database = value();
    else if (a.startsWith('--dbname=')) options.database = a.slice(9);
    else if (a === '-c' || a === '--command') options.command = value();
    else if (a === '-t' || a === '--tuples-only') options.tuplesOnly = true;
    else if (a === '-W' || a === '-w' || a === '-q' || a === '-A') continue;
    else positional.push(a);
  }
  options.database ??= positional[0];
  options.user ??= positional[1];
  return options;
}

export const psql: Program = async (context: ProgramContext) => {
  const options = parse(context.argv);
  const user = options.user ?? context.env.PGUSER ?? context.env.USER ?? 'root';
  const database = options.database ?? context.env.PGDATABASE ?? user;
  const host = options.host ?? context.env.PGHOST;
  if (!host) {
    context.err(`psql: error: connection to server on socket "/run/postgresql/.s.PGSQL.5432" failed: No such file or directory\n\tIs the server running locally and accepting connections on that socket?\n`);
    return 2;
  }
  const prefix = `psql: error: connection to server at "${host}", port ${options.port} failed: `;
  if (parseIPv4(host) === undefined) {
    context.err(`psql: error: could not translate host name "${host}" to address: Name or service not known\n`);
    return 2;
  }
  const decision = canReach(context.machine.cluster, context.machine.endpoint, { host, port: options.port });
  if (decision.outcome === 'refused') {
    context.err(`${prefix}Connection refused\n\tIs the server running on that host and accepting TCP/IP connections?\n`);
    return 2;
  }
  if (decision.outcome !== 'connected') {
    const limit = Number(context.env.PGCONNECT_TIMEOUT) > 0 ? Number(context.env.PGCONNECT_TIMEOUT) * 1000 : KERNEL_CONNECT_TIMEOUT_MS;
    if (!(await context.sleep(limit))) return 130;
    context.err(`${prefix}Connection timed out\n\tIs the server running on that host and accepting TCP/IP connections?\n`);
    return 2;
  }
  const service = postgresAt(context.machine.cluster, host, options.port);
  if (!service) {
    context.err(`${prefix}received invalid response to SSL negotiation: H\n`);
    return 2;
  }
  let password = context.env.PGPASSWORD;
  if (password === undefined) {
    context.out(`Password for user ${user}: `);
    password = (await context.readLine({ echo: false })) ?? '';
    context.out('\n');
  }
  if (user !== service.user || password !== service.password) {
    context.err(`${prefix}FATAL:  password authentication failed for user "${user}"\n`);
    return 2;
  }
  if (database !== service.database) {
    context.err(`${prefix}FATAL:  database "${database}" does not exist\n`);
    return 2;
  }
  const execute = (sql: string): boolean => {
    if (sql.trim() === '\\dt') {
      context.out(formatTable(['Schema', 'Name', 'Type', 'Owner'], service.tables.map((t) => ['public', t.name, 'table', service.user])).replace(/^/, '          List of relations\n'));
      return true;
    }
    const result = runQuery(service, sql);
    if (!result.ok) {
      context.err(`${result.error}\n`);
      return false;
    }
    context.out(formatTable(result.columns, result.rows, options.tuplesOnly));
    return true;
  };
  if (options.command !== undefined) return execute(options.command) ? 0 : 1;
  context.out(`psql (16.4, server 15.8)\nType "help" for help.\n\n`);
  for (;;) {
    context.out(`${database}=> `);
    const line = await context.readLine();
    if (line === undefined || line.trim() === '\\q' || line.trim() === 'exit' || line.trim() === 'quit') return 0;
    if (line.trim() === '') continue;
    execute(line);
  }
};
