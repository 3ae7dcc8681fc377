/**
 * The kubelet running each container's main process. A container given a
 * command (spec.command or spec.args: a Job's script, kubectl debug node/… --
 * cmd) runs it once it is Running, standard input closed, its output going to
 * the container's log; when it ends, the container terminates by the pod's
 * restartPolicy (container-exit.ts). A container with stdin open (kubectl
 * run -i) waits for the one who attaches instead; one without a command, or
 * whose command is a program the sandbox does not simulate (nginx,
 * virt-launcher), runs its image's own long-lived program, which is not
 * simulated as a process.
 */
import { getPath, isRecord, type KubeObject } from '../../k8s/object.ts';
import type { Change } from '../store/object-store.ts';
import type { ClusterView } from '../store/cluster-view.ts';
import type { ContainerProcess, ProcessFactory } from './process.ts';
import { containerExited } from './container-exit.ts';
import { simulatesCommand } from './workload-processes.ts';

export class MainProcesses {
  private readonly cluster: ClusterView;
  private readonly factory: ProcessFactory;
  /** Running main processes by namespace/pod/container, with the restart they belong to. */
  private readonly running = new Map<string, { restart: number; process?: ContainerProcess }>();
  private unsubscribe: (() => void) | undefined;

  constructor(cluster: ClusterView, factory: ProcessFactory) {
    this.cluster = cluster;
    this.factory = factory;
  }

  start(): void {
    this.unsubscribe ??= this.cluster.store.subscribe((change) => this.onChange(change));
    for (const pod of this.cluster.store.list('/pods')) this.consider(pod);
  }

  stop(): void {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    for (const { process } of this.running.values()) process?.kill();
    this.running.clear();
  }

  private onChange(change: Change): void {
    if (change.resource !== '/pods') return;
    if (change.type === 'DELETED' || change.object.metadata.deletionTimestamp) return this.killAll(change.object);
    this.consider(change.object);
  }

  private killAll(pod: KubeObject): void {
    const prefix = `${pod.metadata.namespace}/${pod.metadata.name}/`;
    for (const [key, { process }] of this.running) {
      if (!key.startsWith(prefix)) continue;
      this.running.delete(key);
      process?.kill();
    }
  }

  private consider(pod: KubeObject): void {
    const specs = ((getPath(pod, ['spec', 'containers']) as unknown[] | undefined) ?? []).filter(isRecord);
    const statuses = ((getPath(pod, ['status', 'containerStatuses']) as unknown[] | undefined) ?? []).filter(isRecord);
    for (const spec of specs) {
      const name = String(spec.name);
      const command = [...((spec.command as unknown[] | undefined) ?? []), ...((spec.args as unknown[] | undefined) ?? [])].map(String);
      if (command.length === 0 || spec.stdin === true || !simulatesCommand(command)) continue;
      const status = statuses.find((s) => s.name === name);
      if (!isRecord(getPath(status, ['state', 'running']))) continue;
      const key = `${pod.metadata.namespace}/${pod.metadata.name}/${name}`;
      const restart = Number(status?.restartCount ?? 0);
      if (this.running.get(key)?.restart === restart) continue;
      this.launch(pod, name, command, key, restart);
    }
  }

  private launch(pod: KubeObject, container: string, command: string[], key: string, restart: number): void {
    const namespace = pod.metadata.namespace ?? 'default';
    const log = (data: string | Buffer) => this.cluster.logs.append(namespace, pod.metadata.name, container, data.toString());
    // Registered before the process starts: a command that cannot start ends at once.
    const entry: { restart: number; process?: ContainerProcess } = { restart };
    this.running.set(key, entry);
    const ended = (code: number) => {
      if (this.running.get(key) !== entry) return;
      this.running.delete(key);
      containerExited(this.cluster, namespace, pod.metadata.name, container, code);
    };
    entry.process = this.factory(
      { cluster: this.cluster, pod, container, command, tty: false, env: {} },
      {
        output: (_stream, data) => log(data),
        exit: ended,
        // What CRI-O reports when the runtime cannot start the command: exit code 128.
        cannotStart: (message) => {
          log(message);
          ended(128);
        },
      },
    );
    entry.process.endInput();
  }
}
