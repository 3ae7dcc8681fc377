/** The kubeconfig our CLIs use: --kubeconfig, else KUBECONFIG, else ~/.kube/config, as kubectl. */
import * as k8s from '@kubernetes/client-node';
import { kubeClientFor, type KubeClient } from '../kube/kube-client.ts';
import { UsageError } from './command.ts';

export function cliKubeClient(kubeconfig: string | undefined): KubeClient {
  const config = new k8s.KubeConfig();
  try {
    if (kubeconfig) config.loadFromFile(kubeconfig);
    else config.loadFromDefault();
  } catch (error) {
    throw new UsageError(`cannot read the kubeconfig${kubeconfig ? ` ${kubeconfig}` : ''}: ${(error as Error).message}`);
  }
  if (!config.getCurrentCluster()) throw new UsageError('the kubeconfig has no current cluster: set a current-context, or pass --kubeconfig');
  return kubeClientFor(config);
}
