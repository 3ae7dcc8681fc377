/**
 * GET …/pods/<name>/log: plain text, optionally from a point in time
 * (sinceSeconds, sinceTime), the last lines (tailLines), cut at a byte limit
 * (limitBytes), timestamped or followed — validated as PodLogOptions are.
 */
import type { ServerResponse } from 'node:http';
import type { ResourceRequest } from './resource-handlers.ts';
import { getObject } from './resource-handlers.ts';
import { chooseContainer } from './pod-containers.ts';
import { errors, type StatusCause } from '../machinery/status.ts';
import type { LogLine } from '../store/container-logs.ts';
import { queryBool } from './query.ts';

const POD_LOG_OPTIONS = { group: '', kind: 'PodLogOptions', plural: 'pods' };

interface LogOptions {
  since?: number;
  tailLines?: number;
  limitBytes?: number;
}

function logOptions(params: URLSearchParams, pod: string): LogOptions {
  const causes: StatusCause[] = [];
  const whole = (name: string, min: number): number | undefined => {
    const raw = params.get(name);
    if (raw === null || raw === '') return undefined;
    const value = Number(raw);
    if (!Number.isInteger(value)) throw errors.badRequest(`invalid value for query parameter ${name}: strconv.ParseInt: parsing "${raw}": invalid syntax`);
    if (value < min) causes.push({ reason: 'FieldValueInvalid', field: name, message: `Invalid value: ${value}: must be greater than ${min === 0 ? 'or equal to 0' : '0'}` });
    return value;
  };
  const sinceSeconds = whole('sinceSeconds', 1);
  const tailLines = whole('tailLines', 0);
  const limitBytes = whole('limitBytes', 1);
  const sinceTime = params.get('sinceTime');
  let since: number | undefined;
  if (sinceTime !== null && sinceTime !== '') {
    since = Date.parse(sinceTime);
    if (!/^\d{4}-\d\d-\d\dT/.test(sinceTime) || Number.isNaN(since)) throw errors.badRequest(`invalid value for query parameter sinceTime: parsing time "${sinceTime}" as "2006-01-02T15:04:05Z07:00": cannot parse "${sinceTime}" as "2006"`);
  }
  if (sinceSeconds !== undefined && since !== undefined) causes.push({ reason: 'FieldValueForbidden', field: '', message: 'at most one of `sinceTime` or `sinceSeconds` may be specified' });
  if (causes.length) throw errors.invalid(POD_LOG_OPTIONS, pod, causes);
  if (sinceSeconds !== undefined) since = Date.now() - sinceSeconds * 1000;
  return { ...(since !== undefined ? { since } : {}), ...(tailLines !== undefined ? { tailLines } : {}), ...(limitBytes !== undefined ? { limitBytes } : {}) };
}

export function serveLogs(req: ResourceRequest, res: ServerResponse): void {
  const pod = getObject(req);
  const container = chooseContainer(pod, req.params.get('container'));
  const namespace = req.namespace ?? '';
  if (queryBool(req.params, 'previous')) throw errors.badRequest(`previous terminated container "${container}" in pod "${pod.metadata.name}" not found`);
  const options = logOptions(req.params, pod.metadata.name);
  const timestamps = queryBool(req.params, 'timestamps');
  const format = (line: LogLine) => `${timestamps ? `${line.time.replace(/\.(\d{3})Z$/, '.$1000000Z')} ` : ''}${line.text}\n`;
  const recent = (line: LogLine) => options.since === undefined || Date.parse(line.time) >= options.since;
  let lines = req.cluster.logs.read(namespace, pod.metadata.name, container).filter(recent);
  if (options.tailLines !== undefined) lines = options.tailLines === 0 ? [] : lines.slice(-options.tailLines);
  let budget = options.limitBytes ?? Infinity;
  /** Writes what the byte limit allows; false once it is spent, as the kubelet stops there. */
  const write = (text: string): boolean => {
    const bytes = Buffer.from(text);
    res.write(bytes.length <= budget ? bytes : bytes.subarray(0, budget));
    budget -= Math.min(budget, bytes.length);
    return budget > 0;
  };
  res.writeHead(200, { 'content-type': 'text/plain', 'cache-control': 'no-cache, private' });
  const more = write(lines.map(format).join(''));
  if (!more || !queryBool(req.params, 'follow')) return void res.end();
  const stop = req.cluster.logs.follow(namespace, pod.metadata.name, container, (line) => {
    if (!write(format(line))) {
      stop();
      res.end();
    }
  });
  res.on('close', stop);
}
