import type { Computation } from '../computation.ts';
import { configureNode, reconcilePolicy } from './nmstate.ts';
import { checkPolicy } from './policies.ts';
import { reconcileDisruptionBudget } from './disruption.ts';
import { reconcileEndpoints } from './endpoints.ts';
import { reconcileCronJob, reconcileJob } from './jobs.ts';
import { reconcileDaemonSet, reconcileDeployment, reconcileReplicaSet, reconcileStatefulSet } from './apps.ts';
import { createLauncherPod, finishInstance, launcherLost, reconcileVirtualMachine, startInstance } from './kubevirt.ts';
import { attachNetworks, imageBackOff, pullImages, retryPull, scheduleNode, startContainers, startEphemeralContainers, stopContainers } from './pods.ts';

/** Every computation a lifecycle rule may name. */
export const COMPUTATIONS: Record<string, Computation> = { scheduleNode, attachNetworks, pullImages, imageBackOff, retryPull, startContainers, startEphemeralContainers, stopContainers, reconcilePolicy, configureNode, reconcileVirtualMachine, createLauncherPod, startInstance, finishInstance, launcherLost, checkPolicy, reconcileDeployment, reconcileReplicaSet, reconcileStatefulSet, reconcileDaemonSet, reconcileDisruptionBudget, reconcileEndpoints, reconcileJob, reconcileCronJob };
