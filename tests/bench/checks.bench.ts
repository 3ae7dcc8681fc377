/**
 * Checks and verify: one check evaluation (read, pod probe, VM console probe)
 * against a sandbox that holds the whole lesson, and a full `labpath verify`
 * of the first lesson, wall clock, as a CI job runs it.
 */
import { clusterAccess, evaluateCheck } from '../../lab-server/checks/evaluate-check.ts';
import type { Check } from '../../lab-server/lesson/schema.ts';
import { LESSON_ID } from '../helpers/paths.ts';
import { labpath } from '../helpers/run.ts';
import { kubeConfigOf, startSandbox } from '../helpers/sandbox.ts';
import { median, timeMany, type BenchResult } from './measure.ts';

const EVALUATIONS = 40;
const VERIFY_RUNS = 3;

export async function benchChecks(): Promise<BenchResult[]> {
  const sandbox = await startSandbox();
  const results: BenchResult[] = [];
  try {
    await sandbox.applyLessonManifests('nncp-bridge-mapping.yaml', 'namespaces.yaml');
    await sandbox.applyLessonManifests('nad-data-adapter.yaml', 'nad-data-consumer.yaml', 'pod-turtle-db-adapter.yaml', 'vm-workload.yaml');
    for (const args of [['wait', '-n', 'data-adapter', 'pod/turtle-db-adapter', '--for=condition=Ready', '--timeout=60s'], ['wait', '-n', 'data-consumer', 'vm/vm-workload', '--for=condition=Ready', '--timeout=60s']]) {
      const r = await sandbox.kubectl(args);
      if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')}: ${r.stderr}`);
    }
    const access = clusterAccess(kubeConfigOf(sandbox));
    const checksOf = (stepId: string) => sandbox.lesson.steps.find((s) => s.step.id === stepId)!.step.checks;
    const field = checksOf('network-attachment')[3]!;
    const connects = checksOf('workloads').filter((c): c is Extract<Check, { type: 'connect' }> => c.type === 'connect');
    const fromPod = connects.find((c) => 'pod' in c.from)!;
    const fromVm = connects.find((c) => 'vm' in c.from)!;
    // The first pod probe adds the debug container; that happens once per pod, so it is not what is timed.
    for (const check of [field, fromPod, fromVm]) {
      const [result] = await evaluateCheck(check, access);
      if (result?.status !== 'passed') throw new Error(`bench setup: ${JSON.stringify(result)}`);
    }
    for (const [name, check] of [['a field check (NAD vlanID)', field], ['an allowed probe from a pod (exec nc)', fromPod], ['an allowed probe from a VM (console login, nc)', fromVm]] as const) {
      const p50 = median(await timeMany(EVALUATIONS, () => evaluateCheck(check, access)));
      results.push({ name: `checks: one evaluation of ${name}, p50`, value: Number(p50.toFixed(1)), unit: 'ms', goal: '< 50', met: p50 < 50 });
    }
  } finally {
    await sandbox.close();
  }
  const walls = await timeMany(VERIFY_RUNS, async () => {
    const r = await labpath(['verify', '--lesson', LESSON_ID]);
    if (r.code !== 0) throw new Error(`labpath verify failed:\n${r.stdout}${r.stderr}`);
  });
  const wall = median(walls) / 1000;
  results.push({ name: `verify: full labpath verify of ${LESSON_ID}, wall (median of ${VERIFY_RUNS})`, value: Number(wall.toFixed(2)), unit: 's', goal: '< 10', met: wall < 10 });
  return results;
}
