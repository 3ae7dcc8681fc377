/** What containers wrote, per namespace/pod/container, for `kubectl logs` (with follow). */
import { EventEmitter } from 'node:events';

export interface LogLine {
  time: string;
  text: string;
}

const MAX_LINES = 5000;

export class ContainerLogs {
  private readonly lines = new Map<string, LogLine[]>();
  private readonly events = new EventEmitter();

  constructor() {
    this.events.setMaxListeners(0);
  }

  append(namespace: string, pod: string, container: string, text: string): void {
    const key = `${namespace}/${pod}/${container}`;
    const list = this.lines.get(key) ?? [];
    for (const line of text.replace(/\n$/, '').split('\n')) {
      const entry = { time: new Date().toISOString(), text: line };
      list.push(entry);
      this.events.emit(key, entry);
    }
    if (list.length > MAX_LINES) list.splice(0, list.length - MAX_LINES);
    this.lines.set(key, list);
  }

  read(namespace: string, pod: string, container: string): LogLine[] {
    return this.lines.get(`${namespace}/${pod}/${container}`) ?? [];
  }

  follow(namespace: string, pod: string, container: string, listener: (line: LogLine) => void): () => void {
    const key = `${namespace}/${pod}/${container}`;
    this.events.on(key, listener);
    return () => this.events.off(key, listener);
  }

  forget(namespace: string, pod: string): void {
    for (const key of this.lines.keys()) if (key.startsWith(`${namespace}/${pod}/`)) this.lines.delete(key);
  }
}
