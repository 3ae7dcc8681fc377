/**
 * A lesson's probes: every distinct "can A reach B:port" its steps ask, in the
 * order they first appear. The lab keeps them live in a reachability panel.
 */
import type { Check } from './schema.ts';
import type { LoadedLesson } from './load.ts';

export type ConnectCheck = Extract<Check, { type: 'connect' }>;

export interface LessonProbe {
  /** Stable and URL-safe, e.g. "pod-data-adapter-turtle-db-adapter--192-168-200-1-5432". */
  id: string;
  from: ConnectCheck['from'];
  to: ConnectCheck['to'];
  /** What the panel shows, e.g. "turtle-db-adapter → 192.168.200.1:5432". */
  label: string;
}

/** The probe a connect check asks, whatever answer it expects. */
export function probeId(check: ConnectCheck): string {
  const source = 'pod' in check.from ? `pod-${check.from.namespace}-${check.from.pod}` : `vm-${check.from.namespace}-${check.from.vm}`;
  return `${source}--${check.to.host.replaceAll('.', '-')}-${check.to.port}`;
}

export function lessonProbes(lesson: LoadedLesson): LessonProbe[] {
  const probes = new Map<string, LessonProbe>();
  for (const { step } of lesson.steps) {
    for (const check of step.checks) {
      if (check.type !== 'connect') continue;
      const id = probeId(check);
      if (!probes.has(id)) probes.set(id, { id, from: check.from, to: check.to, label: `${'pod' in check.from ? check.from.pod : check.from.vm} → ${check.to.host}:${check.to.port}` });
    }
  }
  return [...probes.values()];
}

/** The probe as a check that passes when the connection is made. */
export function probeCheck(probe: LessonProbe): ConnectCheck {
  return { type: 'connect', from: probe.from, to: probe.to, expect: 'allowed', message: probe.label };
}
