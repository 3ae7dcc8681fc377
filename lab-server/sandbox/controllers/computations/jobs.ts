/**
 * The Job and CronJob controllers: a Job runs pods until spec.completions of
 * them succeed (parallelism at a time), or fails once more than backoffLimit
 * have failed; a CronJob makes a Job from its template at each time its
 * schedule names, keeping the last few of each outcome.
 */
import { getPath, type KubeObject } from '../../../k8s/object.ts';
import type { ClusterView } from '../../store/cluster-view.ts';
import type { ComputationResult } from '../computation.ts';
import type { RuleEvent } from '../rule.ts';
import { controllerEvent, createPod, deletePod, nameSuffix, ownedBy, ownerRef, podPhase, podReady } from './owners.ts';
import { cronMatches, parseCron } from './cron.ts';
import { now } from '../../machinery/object-metadata.ts';

const jobEvent = controllerEvent('job-controller');
const cronEvent = controllerEvent('cronjob-controller');
const JOBS = 'batch/jobs';


function spec(job: KubeObject, field: string, fallback: number): number {
  const value = getPath(job, ['spec', field]);
  return typeof value === 'number' ? value : fallback;
}

function finished(job: KubeObject): 'Complete' | 'Failed' | undefined {
  const conditions = (getPath(job, ['status', 'conditions']) as { type: string; status: string }[] | undefined) ?? [];
  return conditions.find((c) => (c.type === 'Complete' || c.type === 'Failed') && c.status === 'True')?.type as 'Complete' | 'Failed' | undefined;
}

export function reconcileJob(cluster: ClusterView, job: KubeObject): ComputationResult {
  const events: RuleEvent[] = [];
  const pods = ownedBy(cluster, '/pods', job, true);
  const succeeded = pods.filter((p) => podPhase(p) === 'Succeeded').length;
  const failed = pods.filter((p) => podPhase(p) === 'Failed').length;
  let active = pods.filter((p) => !['Succeeded', 'Failed'].includes(podPhase(p)) && !p.metadata.deletionTimestamp);
  const completions = spec(job, 'completions', 1);
  const done = finished(job);
  const startTime = getPath(job, ['status', 'startTime']) ?? now();
  const conditions: Record<string, unknown>[] = [];
  let completionTime: string | undefined;
  if (!done && getPath(job, ['spec', 'suspend']) !== true) {
    if (succeeded >= completions) {
      const at = now();
      completionTime = at;
      conditions.push({ type: 'SuccessCriteriaMet', status: 'True', reason: 'CompletionsReached', message: 'Reached expected number of succeeded pods', lastProbeTime: at, lastTransitionTime: at });
      conditions.push({ type: 'Complete', status: 'True', reason: 'CompletionsReached', message: 'Reached expected number of succeeded pods', lastProbeTime: at, lastTransitionTime: at });
      events.push(jobEvent('Normal', 'Completed', 'Job completed'));
    } else if (failed > spec(job, 'backoffLimit', 6)) {
      const at = now();
      conditions.push({ type: 'FailureTarget', status: 'True', reason: 'BackoffLimitExceeded', message: 'Job has reached the specified backoff limit', lastProbeTime: at, lastTransitionTime: at });
      conditions.push({ type: 'Failed', status: 'True', reason: 'BackoffLimitExceeded', message: 'Job has reached the specified backoff limit', lastProbeTime: at, lastTransitionTime: at });
      events.push(jobEvent('Warning', 'BackoffLimitExceeded', 'Job has reached the specified backoff limit'));
      for (const pod of active) deletePod(cluster, pod);
      active = [];
    } else {
      const wanted = Math.min(spec(job, 'parallelism', 1), completions - succeeded) - active.length;
      for (let i = 0; i < wanted; i++) {
        const pod = createPod(cluster, job, `${job.metadata.name}-${nameSuffix()}`, getPath(job, ['spec', 'template']));
        active.push(pod);
        events.push(jobEvent('Normal', 'SuccessfulCreate', `Created pod: ${pod.metadata.name}`));
      }
    }
  }
  const status = {
    startTime,
    active: active.length || null,
    ready: active.filter(podReady).length,
    succeeded: succeeded || null,
    failed: failed || null,
    terminating: 0,
    uncountedTerminatedPods: {},
    ...(completionTime ? { completionTime } : {}),
    ...(conditions.length ? { conditions } : {}),
  };
  return { ok: true, vars: { status, events } };
}

/** The CronJob controller, checked every ten seconds: a Job for each scheduled minute not yet run. */
export function reconcileCronJob(cluster: ClusterView, cron: KubeObject): ComputationResult {
  const schedule = parseCron(String(getPath(cron, ['spec', 'schedule']) ?? ''));
  if (!schedule.ok) return { ok: false, events: [cronEvent('Warning', 'UnparseableSchedule', `unparseable schedule: "${String(getPath(cron, ['spec', 'schedule']))}" : ${schedule.error}`)] };
  const events: RuleEvent[] = [];
  const jobs = ownedBy(cluster, JOBS, cron);
  const minute = Math.floor(Date.now() / 60_000);
  const last = getPath(cron, ['status', 'lastScheduleTime']);
  const lastMinute = typeof last === 'string' ? Math.floor(Date.parse(last) / 60_000) : Math.floor(Date.parse(String(cron.metadata.creationTimestamp)) / 60_000);
  let lastScheduleTime = typeof last === 'string' ? last : undefined;
  const active = jobs.filter((j) => !finished(j));
  const due = minute > lastMinute && cronMatches(schedule.fields, new Date(minute * 60_000));
  const policy = String(getPath(cron, ['spec', 'concurrencyPolicy']) ?? 'Allow');
  if (due && getPath(cron, ['spec', 'suspend']) !== true && !(policy === 'Forbid' && active.length > 0)) {
    if (policy === 'Replace') for (const job of active) cluster.store.remove(JOBS, job.metadata.namespace, job.metadata.name);
    // Named by the scheduled time in minutes, as the controller names them.
    const template = getPath(cron, ['spec', 'jobTemplate']) as Record<string, unknown> | undefined;
    const job = cluster.createSystemObject({
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { name: `${cron.metadata.name}-${minute}`, namespace: cron.metadata.namespace, labels: { ...(getPath(template, ['metadata', 'labels']) as object) }, annotations: { 'batch.kubernetes.io/cronjob-scheduled-timestamp': now(minute * 60_000) }, ownerReferences: [ownerRef(cron)] },
      spec: structuredClone(getPath(template, ['spec']) ?? {}),
    });
    events.push(cronEvent('Normal', 'SuccessfulCreate', `Created job ${job.metadata.name}`));
    lastScheduleTime = now(minute * 60_000);
  }
  // History: keep the newest successfulJobsHistoryLimit completed and failedJobsHistoryLimit failed jobs.
  for (const [outcome, limit] of [['Complete', Number(getPath(cron, ['spec', 'successfulJobsHistoryLimit']) ?? 3)], ['Failed', Number(getPath(cron, ['spec', 'failedJobsHistoryLimit']) ?? 1)]] as const) {
    const old = jobs.filter((j) => finished(j) === outcome).sort((a, b) => String(b.metadata.creationTimestamp).localeCompare(String(a.metadata.creationTimestamp))).slice(limit);
    for (const job of old) {
      cluster.store.remove(JOBS, job.metadata.namespace, job.metadata.name);
      events.push(cronEvent('Normal', 'SawCompletedJob', `Saw completed job: ${job.metadata.name}, condition: ${outcome}`));
    }
  }
  const status = {
    active: ownedBy(cluster, JOBS, cron).filter((j) => !finished(j)).map((j) => ({ apiVersion: 'batch/v1', kind: 'Job', name: j.metadata.name, namespace: j.metadata.namespace, uid: j.metadata.uid })),
    ...(lastScheduleTime ? { lastScheduleTime } : {}),
  };
  // "Not yet": look again in ten seconds, whatever happened now.
  return { ok: false, events, patch: { status } };
}
