import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import * as k8s from '@kubernetes/client-node';
import { request } from 'node:https';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { loadLesson, type LoadedLesson } from '../../lab-server/lesson/load.ts';
import type { Environment } from '../../lab-server/lesson/schema.ts';
import { clusterAccess, type ClusterAccess } from '../../lab-server/checks/evaluate-check.ts';
import { SandboxHost, type ClusterHandle } from '../../lab-server/sandbox/sandbox-host.ts';
import { LESSON_DIR } from './paths.ts';
import { run, type RunResult } from './run.ts';
import { tempDir } from './temp-dir.ts';

export const KUBECTL = process.env.LABPATH_KUBECTL ?? '/usr/bin/kubectl';
const SDK_BIN = '/usr/lib/google-cloud-sdk/bin';

/** Every kubectl minor labpath supports (1.27–1.33), as installed beside the dispatcher; the test fails when one is missing. */
export function everyKubectl(): { minor: number; path: string }[] {
  return [27, 28, 29, 30, 31, 32, 33].map((minor) => {
    const path = join(SDK_BIN, `kubectl.1.${minor}`);
    assert.ok(existsSync(path), `kubectl 1.${minor} is not at ${path}: the tests need every kubectl from 1.27 to 1.33`);
    return { minor, path };
  });
}

/** kubectl binaries to test with: the dispatcher, plus 1.30 and 1.33 directly when present. */
export function kubectlBinaries(): { name: string; path: string }[] {
  return [
    { name: 'dispatcher', path: KUBECTL },
    { name: '1.30', path: join(SDK_BIN, 'kubectl.1.30') },
    { name: '1.33', path: join(SDK_BIN, 'kubectl.1.33') },
  ].filter((k) => existsSync(k.path));
}

export interface TestSandbox {
  /** The shipped lesson whose environment the cluster was built from. */
  lesson: LoadedLesson;
  host: SandboxHost;
  handle: ClusterHandle;
  kubeconfig: string;
  /** Runs kubectl against this cluster with its own empty cache and HOME. */
  kubectl(args: string[], options?: { binary?: string; env?: NodeJS.ProcessEnv; stdin?: string }): Promise<RunResult>;
  /** A raw API request with this cluster's token (or `token`); the body is parsed when it is JSON. */
  api(method: string, path: string, options?: { contentType?: string; accept?: string; headers?: Record<string, string>; body?: string | Buffer; token?: string }): Promise<ApiResponse>;
  /** `kubectl apply` of files from the lesson's manifests/ folder; fails the test if kubectl does. */
  applyLessonManifests(...files: string[]): Promise<void>;
  /**
   * The name of a running debug container with network tools in `pod`, added
   * with `kubectl debug` if the pod has none yet: the adapter's image has no nc,
   * as on a real cluster, so tools run beside it in its network namespace.
   */
  debugContainer(namespace: string, pod: string): Promise<string>;
  close(): Promise<void>;
}

export interface ApiResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  /** The body's bytes, for what is not text (protobuf). */
  raw: Buffer;
  body: unknown;
}

/** A sandbox with one cluster; `kubectl` picks the binary its kubectl() runs (default: the dispatcher). */
/** A sandbox from the shipped lesson's environment, or from that environment as `environment` edits it. */
export async function startSandbox(options: { kubectl?: string; environment?: (environment: Environment) => Environment } = {}): Promise<TestSandbox> {
  const { lesson } = await loadLesson(LESSON_DIR);
  if (!lesson) throw new Error('the shipped lesson does not load');
  const host = await SandboxHost.start({ port: 0 });
  const handle = host.addCluster(options.environment ? options.environment(structuredClone(lesson.lesson.environment)) : lesson.lesson.environment);
  const home = tempDir('kubectl');
  const kubeconfig = join(home, 'kubeconfig');
  await writeFile(kubeconfig, handle.kubeconfig);
  const kubectl: TestSandbox['kubectl'] = (args, runOptions = {}) =>
    run(runOptions.binary ?? options.kubectl ?? KUBECTL, args, { env: { KUBECONFIG: kubeconfig, HOME: home, KUBECACHEDIR: join(home, 'cache'), ...runOptions.env }, ...(runOptions.stdin !== undefined ? { stdin: runOptions.stdin } : {}) });
  return {
    lesson,
    host,
    handle,
    kubeconfig,
    kubectl,
    async applyLessonManifests(...files) {
      const r = await kubectl(['apply', ...files.flatMap((f) => ['-f', join(LESSON_DIR, 'manifests', f)])]);
      assert.equal(r.code, 0, r.stderr);
    },
    async debugContainer(namespace, pod) {
      const name = 'tools';
      const running = async () => {
        const r = await kubectl(['get', 'pod', '-n', namespace, pod, '-o', `jsonpath={.status.ephemeralContainerStatuses[?(@.name=="${name}")].state.running.startedAt}`]);
        return r.stdout !== '';
      };
      const listed = await kubectl(['get', 'pod', '-n', namespace, pod, '-o', 'jsonpath={.spec.ephemeralContainers[*].name}']);
      if (!listed.stdout.split(' ').includes(name)) {
        const r = await kubectl(['debug', '-n', namespace, pod, '--image=quay.io/openshift/origin-network-tools:latest', `--container=${name}`, '--profile=general', '--', 'sleep', 'infinity']);
        assert.equal(r.code, 0, r.stderr);
      }
      for (let waited = 0; !(await running()); waited += 100) {
        assert.ok(waited < 15_000, `the debug container in ${namespace}/${pod} did not start`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      return name;
    },
    api: (method, path, options = {}) =>
      new Promise((resolve, reject) => {
        const headers: Record<string, string> = { authorization: `Bearer ${options.token ?? handle.token}`, ...options.headers };
        if (options.accept) headers.accept = options.accept;
        if (options.contentType) headers['content-type'] = options.contentType;
        // Node's client sends DELETE bodies without framing unless told the length.
        if (options.body !== undefined) headers['content-length'] = String(Buffer.byteLength(options.body));
        const req = request(`${host.url}${path}`, { method, ca: host.certificates.caCert, headers }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (d: Buffer) => chunks.push(d));
          res.on('end', () => {
            const raw = Buffer.concat(chunks);
            const text = raw.toString('utf8');
            let body: unknown;
            try {
              body = text ? JSON.parse(text) : undefined;
            } catch {
              body = undefined;
            }
            resolve({ status: res.statusCode ?? 0, headers: res.headers, text, raw, body });
          });
        });
        req.on('error', reject);
        req.end(options.body);
      }),
    close: () => host.close(),
  };
}

/** Polls until `probe` returns a value (not undefined/false), or fails after `ms`. */
export async function waitFor<T>(what: string, probe: () => T | undefined | false | Promise<T | undefined | false>, ms = 15_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** A client-node KubeConfig for a test sandbox, as the check engine and other clients load one. */
/** A sandbox and the check engine's access to it, for the check suites. */
export async function startCheckSandbox(): Promise<{ sandbox: TestSandbox; access: ClusterAccess }> {
  const sandbox = await startSandbox();
  return { sandbox, access: clusterAccess(kubeConfigOf(sandbox)) };
}

export function kubeConfigOf(sandbox: TestSandbox): k8s.KubeConfig {
  const config = new k8s.KubeConfig();
  config.loadFromFile(sandbox.kubeconfig);
  return config;
}
