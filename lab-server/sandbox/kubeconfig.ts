/** The kubeconfig a learner's kubectl, oc and virtctl use to reach a sandbox cluster. */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { stringify } from 'yaml';

export interface KubeconfigParams {
  server: string;
  caCert: string;
  token: string;
  clusterName: string;
  namespace?: string;
}

export function kubeconfigYaml(p: KubeconfigParams): string {
  const context = `${p.clusterName}`;
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: p.clusterName, cluster: { server: p.server, 'certificate-authority-data': Buffer.from(p.caCert).toString('base64') } }],
    users: [{ name: `${p.clusterName}-admin`, user: { token: p.token } }],
    contexts: [{ name: context, context: { cluster: p.clusterName, user: `${p.clusterName}-admin`, namespace: p.namespace ?? 'default' } }],
    'current-context': context,
    preferences: {},
  });
}

export async function writeKubeconfig(file: string, params: KubeconfigParams): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, kubeconfigYaml(params), { mode: 0o600 });
}
