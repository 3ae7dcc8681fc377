/**
 * What confinement costs a learner: a shell started in its bubblewrap
 * sandbox (uid, namespaces, cgroups, the terminal relay and the tunnel)
 * against the same shell started plainly, from spawn to its first prompt.
 */
import { join } from 'node:path';
import { detectConfinement, LEARNER_UID_BASE, type Launcher } from '../../lab-server/confinement/confinement.ts';
import { LessonWorkspace } from '../../lab-server/lab/lesson-workspace.ts';
import { loadLesson } from '../../lab-server/lesson/load.ts';
import { SandboxHost } from '../../lab-server/sandbox/sandbox-host.ts';
import { LESSON_DIR } from '../helpers/paths.ts';
import { median, type BenchResult } from './measure.ts';
import { tempDir } from '../helpers/temp-dir.ts';

const STARTS = 20;

export async function benchConfinement(): Promise<BenchResult[]> {
  const { lesson } = await loadLesson(LESSON_DIR);
  if (!lesson) throw new Error('the shipped lesson does not load');
  const host = await SandboxHost.start({ port: 0 });
  const confined = await detectConfinement();
  try {
    const modes: [string, Launcher][] = [['unconfined', { confined: false, reason: 'benchmark' }]];
    if (confined.confined) modes.push(['confined', confined]);
    const results: BenchResult[] = [];
    const medians: Record<string, number> = {};
    for (const [mode, launcher] of modes) {
      const root = tempDir(`bench-${mode}`);
      const uid = launcher.confined && launcher.perLearnerUid ? LEARNER_UID_BASE + 999_000 : undefined;
      const workspace = await LessonWorkspace.open({
        lesson, learnerId: `bench-${mode}`, uid, launcher, limits: launcher.confined ? launcher.limitGroup(`bench-${mode}`) : undefined,
        paths: { folder: join(root, 'folder'), tools: join(root, 'tools'), private: join(root, 'private') },
        kubeconfig: host.addCluster(lesson.lesson.environment).kubeconfig,
      });
      const times: number[] = [];
      for (let i = 0; i < STARTS; i++) {
        const started = performance.now();
        const shell = workspace.startShell({});
        await new Promise<void>((resolve) => {
          let seen = '';
          const detach = shell.attach({ data: (chunk) => {
            seen += chunk.toString('utf8');
            if (/lesson[^\n]*[#$] $/.test(seen)) {
              detach();
              resolve();
            }
          }, exit: () => resolve() });
        });
        times.push(performance.now() - started);
        shell.kill();
      }
      await workspace.close();
      if (launcher.confined) await launcher.removeLimitGroup(`bench-${mode}`);
      times.sort((a, b) => a - b);
      medians[mode] = median(times);
      results.push(
        { name: `confinement: shell start to prompt, ${mode}, p50`, value: Number(median(times).toFixed(1)), unit: 'ms', goal: 'reported', met: true },
        { name: `confinement: shell start to prompt, ${mode}, p99`, value: Number(times[Math.min(times.length - 1, Math.ceil(times.length * 0.99) - 1)]!.toFixed(1)), unit: 'ms', goal: 'reported', met: true },
      );
    }
    if (medians.confined !== undefined) {
      const extra = medians.confined - medians.unconfined!;
      results.push({ name: 'confinement: what it adds to a shell start, p50', value: Number(extra.toFixed(1)), unit: 'ms', goal: '< 100', met: extra < 100 });
    }
    return results;
  } finally {
    await host.close();
  }
}
