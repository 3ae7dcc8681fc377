/**
 * Network model and living cluster: one reachability decision, and the heap a
 * cluster needs once it holds a whole lesson's objects.
 */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { loadLesson } from '../../lab-server/lesson/load.ts';
import { Cluster } from '../../lab-server/sandbox/cluster.ts';
import { SandboxHost } from '../../lab-server/sandbox/sandbox-host.ts';
import { canReach } from '../../lab-server/sandbox/network/reachability.ts';
import { LESSON_DIR } from '../helpers/paths.ts';
import { heapUsed, median, type BenchResult } from './measure.ts';
import { run } from '../helpers/run.ts';
import { KUBECTL } from '../helpers/sandbox.ts';
import { writeFile } from 'node:fs/promises';
import { tempDir } from '../helpers/temp-dir.ts';

export async function benchNetwork(): Promise<BenchResult[]> {
  const { lesson } = await loadLesson(LESSON_DIR);
  if (!lesson) throw new Error('the shipped lesson does not load');
  const host = await SandboxHost.start({ port: 0 });
  const before = heapUsed();
  const handle = host.addCluster(lesson.lesson.environment, 'bench');
  const home = tempDir('bench-net');
  const kubeconfig = join(home, 'kubeconfig');
  await writeFile(kubeconfig, handle.kubeconfig);
  const env = { KUBECONFIG: kubeconfig, HOME: home, KUBECACHEDIR: join(home, 'cache') };
  const manifests = join(LESSON_DIR, 'manifests');
  // Every manifest of the lesson, as a learner who finished it would have applied.
  const files = (await readdir(manifests)).filter((f) => f.endsWith('.yaml'));
  // Namespaces first, as a learner must; then every other manifest in one apply.
  const applyStarted = performance.now();
  for (const args of [['apply', '-f', join(manifests, 'namespaces.yaml')], ['apply', ...files.filter((f) => f !== 'namespaces.yaml').flatMap((f) => ['-f', join(manifests, f)])]]) {
    const r = await run(KUBECTL, args, { env });
    if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')}: ${r.stderr}`);
  }
  const applyMs = performance.now() - applyStarted;
  await run(KUBECTL, ['wait', '-n', 'data-consumer', 'vm/vm-workload', '--for=condition=Ready', '--timeout=60s'], { env });
  await run(KUBECTL, ['wait', '-n', 'data-adapter', 'pod/turtle-db-adapter', '--for=condition=Ready', '--timeout=60s'], { env });
  const cluster: Cluster = handle.cluster;
  const perCluster = (heapUsed() - before) / 1024 / 1024;

  const vm = { namespace: 'data-consumer', vm: 'vm-workload' };
  const db = { host: '192.168.200.1', port: 5432 };
  for (let i = 0; i < 200; i++) canReach(cluster, vm, db);
  const times: number[] = [];
  for (let i = 0; i < 2000; i++) {
    const start = performance.now();
    canReach(cluster, vm, db);
    times.push(performance.now() - start);
  }
  await host.close();
  const p50 = median(times);
  return [
    { name: 'network: one reachability decision (VM → DB, all policies applied), p50', value: Number(p50.toFixed(3)), unit: 'ms', goal: '< 1', met: p50 < 1 },
    { name: 'sandbox: heap of a cluster holding the whole lesson', value: Number(perCluster.toFixed(2)), unit: 'MB', goal: '< 10', met: perCluster < 10 },
    { name: `sandbox: kubectl apply of all ${files.length} lesson manifests (namespaces, then the rest), wall`, value: Number(applyMs.toFixed(0)), unit: 'ms', goal: 'reported', met: true },
  ];
}
