/**
 * Sandbox API: kubectl round trips against the client's own start-up, a list
 * of 1,000 pods, heap per idle cluster, and 100 clusters in one process.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { loadLesson } from '../../lab-server/lesson/load.ts';
import { Cluster } from '../../lab-server/sandbox/cluster.ts';
import { SandboxHost } from '../../lab-server/sandbox/sandbox-host.ts';
import { LESSON_DIR } from '../helpers/paths.ts';
import { run } from '../helpers/run.ts';
import { KUBECTL } from '../helpers/sandbox.ts';
import { heapUsed, median, timeMany, type BenchResult } from './measure.ts';
import { tempDir } from '../helpers/temp-dir.ts';

export async function benchSandbox(): Promise<BenchResult[]> {
  const { lesson } = await loadLesson(LESSON_DIR);
  if (!lesson) throw new Error('the shipped lesson does not load');
  const environment = lesson.lesson.environment;
  const results: BenchResult[] = [];

  const host = await SandboxHost.start({ port: 0 });
  const handle = host.addCluster(environment, 'bench');
  const home = tempDir('bench');
  const kubeconfig = join(home, 'kubeconfig');
  await writeFile(kubeconfig, handle.kubeconfig);
  const env = { KUBECONFIG: kubeconfig, HOME: home, KUBECACHEDIR: join(home, 'cache') };
  await run(KUBECTL, ['get', 'pods'], { env }); // warm the discovery cache, as a learner's second command is
  const client = median(await timeMany(15, () => run(KUBECTL, ['version', '--client'], { env })));
  const getPods = median(await timeMany(15, () => run(KUBECTL, ['get', 'pods'], { env })));
  results.push({ name: 'sandbox: kubectl get pods / kubectl version --client (wall time)', value: round(getPods / client, 2), unit: 'ratio', goal: '≤ 1.15', met: getPods / client <= 1.15 });
  results.push({ name: 'sandbox: kubectl get pods (wall time)', value: round(getPods, 1), unit: 'ms', goal: 'reported', met: true });

  const { cluster } = handle;
  cluster.createSystemObject({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'bench' }, status: { phase: 'Active' } });
  for (let i = 0; i < 1000; i++) {
    cluster.createSystemObject({ apiVersion: 'v1', kind: 'Pod', metadata: { name: `pod-${i}`, namespace: 'bench', labels: { app: 'bench' } }, spec: { containers: [{ name: 'c', image: 'nginx' }], nodeName: 'worker-0' }, status: { phase: 'Running', podIP: `10.128.${Math.floor(i / 250)}.${i % 250}` } });
  }
  const { request } = await import('node:https');
  const list = (accept: string) =>
    new Promise<void>((resolve, reject) => {
      const req = request(`${host.url}/api/v1/namespaces/bench/pods?limit=500`, { ca: host.certificates.caCert, headers: { authorization: `Bearer ${handle.token}`, accept } }, (res) => {
        res.resume();
        res.on('end', resolve);
      });
      req.on('error', reject);
      req.end();
    });
  const table = median(await timeMany(20, () => list('application/json;as=Table;v=v1;g=meta.k8s.io,application/json')));
  const plain = median(await timeMany(20, () => list('application/json')));
  results.push({ name: 'sandbox: list 1,000 pods as a Table', value: round(table, 1), unit: 'ms', goal: '< 20', met: table < 20 });
  results.push({ name: 'sandbox: list 1,000 pods as JSON', value: round(plain, 1), unit: 'ms', goal: '< 20', met: plain < 20 });

  // A Deployment scaled to 200: the controllers make the ReplicaSet and pods, the pod rules run each to Ready.
  cluster.createSystemObject({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'scale' }, status: { phase: 'Active' } });
  const started = performance.now();
  cluster.createSystemObject({
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'wide', namespace: 'scale' },
    spec: { replicas: 200, selector: { matchLabels: { app: 'wide' } }, template: { metadata: { labels: { app: 'wide' } }, spec: { containers: [{ name: 'web', image: 'nginx' }] } } },
  });
  const ready = () => Number((cluster.store.get('apps/deployments', 'scale', 'wide')?.status as { readyReplicas?: number } | undefined)?.readyReplicas ?? 0);
  while (ready() < 200 && performance.now() - started < 120_000) await new Promise((resolve) => setTimeout(resolve, 50));
  const scaled = performance.now() - started;
  results.push({ name: 'sandbox: a 200-pod Deployment created and all ready (wall time)', value: round(scaled / 1000, 2), unit: 's', goal: 'reported', met: ready() === 200 });
  await host.close();

  const before = heapUsed();
  const clusters: Cluster[] = [];
  for (let i = 0; i < 100; i++) {
    const c = new Cluster(`c${i}`);
    c.seed(environment);
    clusters.push(c);
  }
  const perCluster = (heapUsed() - before) / clusters.length / 1024 / 1024;
  results.push({ name: 'sandbox: heap per cluster just seeded (100 in one process)', value: round(perCluster, 2), unit: 'MB', goal: '< 5', met: perCluster < 5 });
  results.push({ name: 'sandbox: clusters held in one process', value: clusters.length, unit: 'clusters', goal: '100', met: clusters.length === 100 });
  // Once settled: the openshift-* DaemonSets' pods running on every node, leases renewed, CA bundles everywhere.
  const systemPods = (c: Cluster) => c.store.list('/pods').filter((p) => p.metadata.namespace?.startsWith('openshift-') && (p.status as { phase?: string } | undefined)?.phase === 'Running').length;
  const settledBy = performance.now() + 60_000;
  while (clusters.some((c) => systemPods(c) < 11) && performance.now() < settledBy) await new Promise((resolve) => setTimeout(resolve, 100));
  const settled = (heapUsed() - before) / clusters.length / 1024 / 1024;
  results.push({ name: 'sandbox: heap per cluster with its openshift-* system pods running', value: round(settled, 2), unit: 'MB', goal: '< 10', met: settled < 10 && clusters.every((c) => systemPods(c) >= 11) });
  for (const c of clusters) c.stop();
  return results;
}

function round(value: number, digits: number): number {
  return Number(value.toFixed(digits));
}
