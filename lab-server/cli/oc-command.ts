import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { parse, stringify } from 'yaml';
import { UsageError, type Command } from './command.ts';
import { isOcOwnVerb } from './oc-verbs.ts';

/**
 * oc: kubectl for everything kubectl knows, plus the OpenShift commands the
 * lessons use — project, new-project, whoami.
 */
export const ocCommand: Command = {
  name: 'oc',
  forwardsHelp: true,
  usage: `Usage: labpath oc <kubectl command …> | project [NAME] | new-project NAME | whoami

Every command but project, new-project and whoami runs kubectl with the same
arguments. Honours --kubeconfig and KUBECONFIG as kubectl does.`,
  async run(args) {
    const kubeconfigIndex = args.findIndex((a) => a === '--kubeconfig' || a.startsWith('--kubeconfig='));
    const kubeconfig = kubeconfigIndex < 0 ? process.env.KUBECONFIG?.split(':')[0] : args[kubeconfigIndex]!.includes('=') ? args[kubeconfigIndex]!.split('=')[1] : args[kubeconfigIndex + 1];
    const rest = kubeconfigIndex < 0 ? args : args.filter((_, i) => i !== kubeconfigIndex && (args[kubeconfigIndex]!.includes('=') || i !== kubeconfigIndex + 1));
    const [verb, ...params] = rest;
    if (isOcOwnVerb(verb)) {
      // Loaded here so that the kubectl passthrough, the common case, stays quick.
      const [{ cliKubeClient }, { statusMessage }] = await Promise.all([import('./kube-config.ts'), import('../kube/kube-client.ts')]);
      const client = cliKubeClient(kubeconfig);
      if (verb === 'whoami') {
        console.log('kube:admin');
        return 0;
      }
      const name = params.find((p) => !p.startsWith('-'));
      if (verb === 'project' && !name) {
        console.log(`Using project "${client.namespace}" on server "${client.server}".`);
        return 0;
      }
      if (!name) throw new UsageError('new-project needs a name: oc new-project NAME');
      if (verb === 'new-project') {
        const display = params.find((p) => p.startsWith('--display-name='))?.split('=')[1];
        const r = await client.request('POST', '/apis/project.openshift.io/v1/projectrequests', { apiVersion: 'project.openshift.io/v1', kind: 'ProjectRequest', metadata: { name }, ...(display ? { displayName: display } : {}) });
        if (r.status >= 300) {
          console.error(`Error from server (${(r.body as { reason?: string } | undefined)?.reason ?? r.status}): ${statusMessage(r.body, r.text)}`);
          return 1;
        }
      } else {
        const r = await client.request('GET', `/apis/project.openshift.io/v1/projects/${name}`);
        if (r.status === 404) {
          console.error(`error: A project named "${name}" does not exist on "${client.server}".`);
          return 1;
        }
      }
      switchNamespace(kubeconfig, name);
      console.log(`Now using project "${name}" on server "${client.server}".`);
      if (verb === 'new-project') console.log(`\nYou can add applications to this project with the 'new-app' command. For example, try:\n\n    oc new-app rails-postgresql-example\n\nto build a new example application in Ruby. Or use kubectl to deploy a simple Kubernetes application:\n\n    kubectl create deployment hello-node --image=registry.k8s.io/e2e-test-images/agnhost:2.43 -- /agnhost serve-hostname\n`);
      return 0;
    }
    return new Promise((resolve) => {
      const child = spawn(process.env.LABPATH_KUBECTL ?? 'kubectl', kubeconfig ? ['--kubeconfig', kubeconfig, ...rest] : rest, { stdio: 'inherit' });
      child.on('error', (error) => {
        console.error(`oc: cannot run kubectl: ${error.message}`);
        resolve(1);
      });
      child.on('close', (code) => resolve(code ?? 1));
    });
  },
};

/** Sets the current context's namespace in the kubeconfig file, as oc project does. */
function switchNamespace(file: string | undefined, namespace: string): void {
  const path = file ?? `${process.env.HOME}/.kube/config`;
  const config = parse(readFileSync(path, 'utf8')) as { 'current-context'?: string; contexts?: { name: string; context: { namespace?: string } }[] };
  const context = config.contexts?.find((c) => c.name === config['current-context']);
  if (!context) throw new UsageError(`the kubeconfig ${path} has no current context to switch`);
  context.context.namespace = namespace;
  writeFileSync(path, stringify(config), { mode: 0o600 });
}
