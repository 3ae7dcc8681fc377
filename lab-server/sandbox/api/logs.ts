/** GET …/pods/<name>/log: plain text, optionally tailed, timestamped or followed. */
import type { ServerResponse } from 'node:http';
import type { ResourceRequest } from './resource-handlers.ts';
import { getObject } from './resource-handlers.ts';
import { chooseContainer } from './pod-containers.ts';
import { errors } from '../machinery/status.ts';
import type { LogLine } from '../store/container-logs.ts';

export function serveLogs(req: ResourceRequest, res: ServerResponse): void {
  const pod = getObject(req);
  const container = chooseContainer(pod, req.params.get('container'));
  const namespace = req.namespace ?? '';
  if (req.params.get('previous') === 'true') throw errors.badRequest(`previous terminated container "${container}" in pod "${pod.metadata.name}" not found`);
  const format = (line: LogLine) => `${req.params.get('timestamps') === 'true' ? `${line.time.replace(/\.(\d{3})Z$/, '.$1000000Z')} ` : ''}${line.text}\n`;
  let lines = req.cluster.logs.read(namespace, pod.metadata.name, container);
  const tail = req.params.get('tailLines');
  if (tail !== null) {
    const n = Number(tail);
    if (!Number.isInteger(n) || n < 0) throw errors.badRequest(`tailLines must be a whole number, not "${tail}"`);
    lines = n === 0 ? [] : lines.slice(-n);
  }
  res.writeHead(200, { 'content-type': 'text/plain', 'cache-control': 'no-cache, private' });
  res.write(lines.map(format).join(''));
  if (req.params.get('follow') !== 'true') return void res.end();
  const stop = req.cluster.logs.follow(namespace, pod.metadata.name, container, (line) => res.write(format(line)));
  res.on('close', stop);
}
