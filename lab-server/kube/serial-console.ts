/**
 * A session on a KubeVirt VMI's serial console (`plain.kubevirt.io`): log in at
 * the getty prompt and run one command at a time, reading its exit code back
 * through a marker. virtctl ssh and the reachability probe both drive the guest
 * this way, so it works wherever the console does, real cluster or sandbox.
 */
import type WebSocket from 'ws';
import type { KubeClient } from './kube-client.ts';

const EXIT_MARKER = '__labpath_exit_';

export function consolePath(namespace: string, name: string): string {
  return `/apis/subresources.kubevirt.io/v1/namespaces/${namespace}/virtualmachineinstances/${name}/console`;
}

export class SerialConsoleSession {
  readonly ws: WebSocket;
  private buffer = '';
  private notify: (() => void) | undefined;
  private closed = false;

  private constructor(ws: WebSocket) {
    this.ws = ws;
    ws.on('message', (data: Buffer) => {
      this.buffer += data.toString('utf8');
      this.notify?.();
    });
    ws.on('close', () => {
      this.closed = true;
      this.notify?.();
    });
  }

  static async open(client: KubeClient, namespace: string, name: string): Promise<SerialConsoleSession> {
    return new SerialConsoleSession(await client.websocket(consolePath(namespace, name), ['plain.kubevirt.io']));
  }

  /** Logs in; false when the guest answers "Login incorrect". */
  async logIn(user: string, password: () => Promise<string>): Promise<boolean> {
    this.ws.send('\r');
    await this.waitFor(/login: $/);
    this.ws.send(`${user}\r`);
    await this.waitFor(/Password: $/);
    this.ws.send(`${await password()}\r`);
    const greeting = await this.waitFor(/(\$ |# )$|Login incorrect/);
    return !/Login incorrect/.test(greeting);
  }

  /** Runs a shell command at the prompt; its output without the echoed command line. */
  async run(command: string, timeoutMs: number): Promise<{ code: number; output: string }> {
    this.ws.send(`${command}; echo ${EXIT_MARKER}$?\r`);
    const text = await this.waitFor(new RegExp(`${EXIT_MARKER}(\\d+)\\r?\\n[\\s\\S]*(\\$ |# )$`), timeoutMs);
    const lines = text.replace(/\r/g, '').split('\n');
    const end = lines.findIndex((l) => l.startsWith(EXIT_MARKER));
    // The first line is the console echoing the command back.
    return { code: Number(lines[end]!.slice(EXIT_MARKER.length)), output: lines.slice(1, end).map((l) => `${l}\n`).join('') };
  }

  close(): void {
    if (this.ws.readyState === this.ws.OPEN) this.ws.send('exit\r');
    this.ws.close();
  }

  /** Resolves with everything read since the last wait once the output ends with `pattern`. */
  private waitFor(pattern: RegExp, timeoutMs = 15_000): Promise<string> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.notify = undefined;
        reject(new Error(`the console did not show ${pattern} in time; last output: ${JSON.stringify(this.buffer.slice(-200))}`));
      }, timeoutMs);
      const check = () => {
        if (this.closed && !pattern.test(this.buffer)) {
          clearTimeout(timer);
          this.notify = undefined;
          return reject(new Error(`the console closed before showing ${pattern}`));
        }
        if (!pattern.test(this.buffer)) return;
        clearTimeout(timer);
        this.notify = undefined;
        const read = this.buffer;
        this.buffer = '';
        resolve(read);
      };
      this.notify = check;
      check();
    });
  }
}
