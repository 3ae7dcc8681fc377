/**
 * Real clusters for a workshop, one per seat, as platforms that provision a
 * cluster per learner hand them out: a folder of kubeconfigs, each file a
 * seat named after it. Every seat is checked at start (can it be read, is
 * it reachable, does it serve what the lesson needs) and only usable seats
 * are given to learners.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import * as k8s from '@kubernetes/client-node';
import { kubeClientFor } from '../kube/kube-client.ts';
import { preflight } from '../verify/preflight.ts';

export interface ClusterSeat {
  name: string;
  file: string;
  /** The API server, when the kubeconfig names one. */
  server: string | undefined;
  /** Why the seat cannot be used; empty when it can. */
  problems: string[];
}

const PREFLIGHT_TIMEOUT_MS = 20_000;
const MAX_KUBECONFIG_BYTES = 1024 * 1024;

/** Every file in `dir` as a seat, checked (in parallel), in name order. */
export async function checkSeats(dir: string): Promise<ClusterSeat[]> {
  const files = (await readdir(dir, { withFileTypes: true })).filter((e) => (e.isFile() || e.isSymbolicLink()) && !e.name.startsWith('.')).map((e) => join(dir, e.name));
  const seats = await Promise.all(files.map(checkSeat));
  return seats.sort((a, b) => a.name.localeCompare(b.name));
}

async function checkSeat(file: string): Promise<ClusterSeat> {
  const name = basename(file, extname(file)).replace(/[^\w.-]+/g, '-');
  const seat = (server: string | undefined, problems: string[]): ClusterSeat => ({ name, file, server, problems });
  let text: string;
  try {
    if ((await stat(file)).size > MAX_KUBECONFIG_BYTES) return seat(undefined, [`${basename(file)} is larger than 1 MiB: not a kubeconfig`]);
    text = await readFile(file, 'utf8');
  } catch (error) {
    return seat(undefined, [`cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`]);
  }
  const config = new k8s.KubeConfig();
  try {
    config.loadFromString(text);
  } catch (error) {
    return seat(undefined, [`${basename(file)} is not a kubeconfig: ${(error as Error).message.split('\n')[0]}`]);
  }
  const server = config.getCurrentCluster()?.server;
  if (!server) return seat(undefined, [`${basename(file)} names no current cluster (current-context "${config.getCurrentContext()}")`]);
  try {
    const problems = await withTimeout(preflight(kubeClientFor(config)), PREFLIGHT_TIMEOUT_MS, `${server} did not answer within ${PREFLIGHT_TIMEOUT_MS / 1000} s`);
    return seat(server, problems);
  } catch (error) {
    return seat(server, [`cannot reach ${server}: ${(error as Error).message}`]);
  }
}

/** The seats as a table for the instructor's terminal: which can be used, and why not. */
export function seatTable(seats: readonly ClusterSeat[]): string {
  const width = Math.max(4, ...seats.map((s) => s.name.length));
  const lines = [`${'seat'.padEnd(width)}  usable  cluster / why not`];
  for (const s of seats) lines.push(`${s.name.padEnd(width)}  ${(s.problems.length === 0 ? 'yes' : 'NO').padEnd(6)}  ${s.problems.length === 0 ? s.server : s.problems.join('; ')}`);
  return lines.join('\n');
}

function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(message)), ms)));
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
