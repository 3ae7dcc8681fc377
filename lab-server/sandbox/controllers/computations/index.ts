import type { Computation } from '../computation.ts';
import { configureNode, reconcilePolicy } from './nmstate.ts';
import { checkPolicy } from './policies.ts';
import { createLauncherPod, finishInstance, reconcileVirtualMachine, startInstance } from './kubevirt.ts';
import { attachNetworks, imageBackOff, pullImages, retryPull, scheduleNode, startContainers, startEphemeralContainers, stopContainers } from './pods.ts';

/** Every computation a lifecycle rule may name. */
export const COMPUTATIONS: Record<string, Computation> = { scheduleNode, attachNetworks, pullImages, imageBackOff, retryPull, startContainers, startEphemeralContainers, stopContainers, reconcilePolicy, configureNode, reconcileVirtualMachine, createLauncherPod, startInstance, finishInstance, checkPolicy };
