/**
 * The lesson model: the single source of truth for what a lesson is.
 * Astro's content collections validate MDX frontmatter and lesson.yaml with
 * these schemas, and so do the linter and the lab server.
 */
import { z } from 'zod';
import { parseJsonPath } from './jsonpath.ts';
import { cidrContains, parseCidr, parseIPv4 } from '../k8s/ipv4.ts';

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

const slug = z
  .string()
  .regex(DNS1123_LABEL, { error: 'must be lowercase letters, digits and "-", starting and ending with a letter or digit' })
  .max(63);
const text = z.string().trim().min(1, { error: 'must not be empty' });
const ipv4 = z.string().refine((v) => parseIPv4(v) !== undefined, { error: 'must be an IPv4 address like 192.168.200.1' });
const cidr = z.string().refine((v) => parseCidr(v) !== undefined, { error: 'must be a CIDR like 192.168.200.0/24' });
const vlanId = z.int().min(1, { error: 'VLAN IDs run from 1 to 4094' }).max(4094, { error: 'VLAN IDs run from 1 to 4094' });
const port = z.int().min(1).max(65535);
const jsonPath = z.string().superRefine((value, ctx) => {
  const parsed = parseJsonPath(value);
  if (!parsed.ok) ctx.addIssue({ code: 'custom', message: parsed.error });
});

export const personaIdSchema = z.enum(['cluster-admin', 'developer']);

// ---------------------------------------------------------------- environment

const nodeSchema = z.strictObject({
  name: z.string().regex(DNS1123_SUBDOMAIN, { error: 'node names are DNS-1123 subdomains' }),
  roles: z.array(z.enum(['control-plane', 'master', 'worker'])).min(1),
  labels: z.record(z.string(), z.string()).default({}),
  address: ipv4,
  nic: z.strictObject({
    name: slug,
    bridge: slug,
    // A trunk carries every VLAN; untagged frames belong to the default network.
    mode: z.literal('trunk'),
  }),
});

const physicalNetworkSchema = z.strictObject({
  name: slug,
  vlan: z.union([z.literal('untagged'), vlanId]),
  subnet: cidr,
  gateway: ipv4.optional(),
  description: text,
});

const tableSchema = z.strictObject({
  name: slug,
  columns: z.array(z.string().regex(/^[a-z_][a-z0-9_]*$/)).min(1),
  rows: z.array(z.array(z.union([z.string(), z.number(), z.boolean(), z.null()]))),
});

const serviceSchema = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('postgresql'),
    port,
    protocol: z.literal('TCP').default('TCP'),
    database: slug,
    user: slug,
    password: text,
    tables: z.array(tableSchema).default([]),
  }),
]);

const externalHostSchema = z.strictObject({
  name: slug,
  description: text,
  network: slug,
  ip: ipv4,
  services: z.array(serviceSchema).default([]),
});

export const environmentSchema = z
  .strictObject({
    cluster: z.strictObject({
      kubernetesVersion: z.string().regex(/^1\.\d+$/, { error: 'write the minor version, e.g. "1.32"' }),
      openshiftVersion: z.string().regex(/^4\.\d+$/, { error: 'write the minor version, e.g. "4.19"' }),
      networkType: z.literal('OVNKubernetes'),
      clusterNetwork: cidr,
      serviceNetwork: cidr,
      /**
       * OVN-Kubernetes bugs to model as fixed. OCPBUGS-25928 (a localnet switch with only
       * drop ACLs keeps no connection state, so a one-direction deny also drops replies)
       * is unfixed through OpenShift 4.19; list it to model a release that fixes it.
       */
      fixedBugs: z.array(z.enum(['OCPBUGS-25928'], { error: 'the only OVN-Kubernetes bug the sandbox models is "OCPBUGS-25928"' })).default([]),
    }),
    bridge: slug,
    physicalNetworks: z.array(physicalNetworkSchema).min(1),
    nodes: z.array(nodeSchema).min(1),
    externalHosts: z.array(externalHostSchema).default([]),
  })
  .superRefine((env, ctx) => {
    const seen = new Set<string>();
    env.nodes.forEach((node, i) => {
      if (seen.has(node.name)) ctx.addIssue({ code: 'custom', path: ['nodes', i, 'name'], message: `node "${node.name}" is listed twice` });
      seen.add(node.name);
      if (node.nic.bridge !== env.bridge)
        ctx.addIssue({ code: 'custom', path: ['nodes', i, 'nic', 'bridge'], message: `the NIC is on bridge "${node.nic.bridge}" but the environment's bridge is "${env.bridge}"` });
    });
    if (!env.nodes.some((n) => n.roles.includes('worker')))
      ctx.addIssue({ code: 'custom', path: ['nodes'], message: 'at least one node must have the worker role' });
    const vlans = new Set<string>();
    env.physicalNetworks.forEach((net, i) => {
      const key = String(net.vlan);
      if (vlans.has(key)) ctx.addIssue({ code: 'custom', path: ['physicalNetworks', i, 'vlan'], message: `VLAN ${key} is listed twice` });
      vlans.add(key);
    });
    env.externalHosts.forEach((host, i) => {
      const net = env.physicalNetworks.find((n) => n.name === host.network);
      if (!net) {
        ctx.addIssue({ code: 'custom', path: ['externalHosts', i, 'network'], message: `no physical network is named "${host.network}"; known: ${env.physicalNetworks.map((n) => n.name).join(', ')}` });
        return;
      }
      const subnet = parseCidr(net.subnet);
      const address = parseIPv4(host.ip);
      if (subnet && address !== undefined && !cidrContains(subnet, address))
        ctx.addIssue({ code: 'custom', path: ['externalHosts', i, 'ip'], message: `${host.ip} is outside ${net.name}'s subnet ${net.subnet}` });
    });
  });

// --------------------------------------------------------------------- checks

export const resourceRefSchema = z
  .strictObject({
    apiVersion: z.string().regex(/^([a-z0-9.-]+\/)?v\d+(alpha\d+|beta\d+)?$/, { error: 'write it as in a manifest, e.g. v1 or k8s.cni.cncf.io/v1' }),
    kind: z.string().regex(/^[A-Z][A-Za-z0-9]*$/, { error: 'write the Kind in PascalCase, e.g. NetworkAttachmentDefinition' }),
    namespace: slug.optional(),
    // `{{each.name}}` stands for the name of each object a check's `forEach` lists.
    name: z.string().regex(/^([a-z0-9.-]+|\{\{each\.name\}\})$/, { error: 'must be a resource name or {{each.name}}' }).optional(),
    labelSelector: z.string().min(1).optional(),
  })
  .refine((ref) => ref.name !== undefined || ref.labelSelector !== undefined, { error: 'give a name or a labelSelector' });

const checkBase = {
  /** What the learner reads when the assertion fails. */
  message: text,
  forEach: z
    .strictObject({ apiVersion: z.string(), kind: z.string(), labelSelector: z.string().optional() })
    .optional(),
};

const workloadRefSchema = z.union([
  z.strictObject({ namespace: slug, pod: slug }),
  z.strictObject({ namespace: slug, vm: slug }),
]);

export const checkSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('exists'), resource: resourceRefSchema, ...checkBase }),
  z.strictObject({ type: z.literal('absent'), resource: resourceRefSchema, ...checkBase }),
  // The path may select several values (a filter or [*]); the check passes when
  // any of them equals / matches, and fails when the path selects nothing.
  z
    .strictObject({
      type: z.literal('field'),
      resource: resourceRefSchema,
      path: jsonPath,
      /** Decode the string at `path` as JSON (a NAD's spec.config) and read `json` from it. */
      json: jsonPath.optional(),
      equals: z.union([z.string(), z.number(), z.boolean()]).optional(),
      matches: z.string().optional(),
      ...checkBase,
    })
    .superRefine((check, ctx) => {
      if ((check.equals === undefined) === (check.matches === undefined))
        ctx.addIssue({ code: 'custom', path: ['equals'], message: 'a field check needs exactly one of "equals" or "matches"' });
      if (check.matches !== undefined) {
        try {
          new RegExp(check.matches);
        } catch (error) {
          ctx.addIssue({ code: 'custom', path: ['matches'], message: `not a regular expression: ${(error as Error).message}` });
        }
      }
    }),
  z.strictObject({
    type: z.literal('condition'),
    resource: resourceRefSchema,
    condition: z.string().regex(/^[A-Z][A-Za-z]*$/, { error: 'condition types are PascalCase, e.g. Ready or Available' }),
    status: z.enum(['True', 'False', 'Unknown']),
    reason: z.string().optional(),
    ...checkBase,
  }),
  z.strictObject({
    type: z.literal('connect'),
    from: workloadRefSchema,
    to: z.strictObject({ host: ipv4, port, protocol: z.literal('TCP').default('TCP') }),
    expect: z.enum(['allowed', 'denied']),
    ...checkBase,
  }),
  // A command a learner would type in the workload (psql, curl …), judged by its exit code and output.
  z
    .strictObject({
      type: z.literal('command'),
      in: workloadRefSchema,
      run: z.string().trim().min(1, { error: 'write the command line to run, e.g. psql -h 192.168.200.1 -c "SELECT 1"' }),
      expect: z.strictObject({
        exitCode: z.number().int().min(0).max(255).default(0),
        /** A regular expression the command's output (stdout and stderr) must match. */
        output: z.string().optional(),
      }).default({ exitCode: 0 }),
      ...checkBase,
    })
    .superRefine((check, ctx) => {
      if (check.expect.output === undefined) return;
      try {
        new RegExp(check.expect.output, 'm');
      } catch (error) {
        ctx.addIssue({ code: 'custom', path: ['expect', 'output'], message: `not a regular expression: ${(error as Error).message}` });
      }
    }),
]);

// ---------------------------------------------------------------------- steps

export const stepSchema = z
  .strictObject({
    id: slug,
    title: text,
    persona: personaIdSchema,
    /** How long a learner takes, about: an instructor's console flags one who takes much longer. */
    estimatedMinutes: z.int({ error: 'estimatedMinutes: about how many minutes a learner takes on this step, a whole number from 1 to 120' }).min(1).max(120),
    /** Files in the lesson's manifests/ folder that this step applies. */
    manifests: z.array(z.string().regex(/^[\w.-]+\.ya?ml$/, { error: 'a file name in manifests/, ending .yaml' })).default([]),
    /** Shell commands that complete the step, run by Solve and `labpath verify`. */
    solve: z.array(text).default([]),
    checks: z.array(checkSchema).default([]),
    /** Why this step's checks need not fail before it is solved (e.g. an overview). */
    checksExemptBeforeSolve: text.optional(),
    hints: z.array(text).default([]),
    /** Where this step departs from the source article, and why. */
    departsFromSource: text.optional(),
    /** The challenge hides its solution on the page; automated checks still use it. */
    showSolution: z.boolean().default(true),
    timeoutSeconds: z.int().min(1).max(900).default(180),
  })
  .superRefine((step, ctx) => {
    if (step.checks.length === 0 && step.solve.length > 0)
      ctx.addIssue({ code: 'custom', path: ['checks'], message: 'a step with solve commands needs checks that prove them' });
  });

// --------------------------------------------------------------------- lesson

export const lessonSchema = z.strictObject({
  id: slug,
  title: text,
  summary: text,
  estimatedMinutes: z.int().min(1).max(600),
  prerequisites: z.array(text).min(1),
  objectives: z.array(text).min(1),
  personas: z
    .array(z.strictObject({ id: personaIdSchema, name: text, description: text }))
    .min(1),
  userStories: z.array(z.strictObject({ persona: personaIdSchema, story: text })).default([]),
  source: z.strictObject({ title: text, note: text }).optional(),
  /** When true, a step unlocks only after the previous one passes. */
  gating: z.boolean().default(true),
  /**
   * Shell commands that take a cluster back to where the lesson starts, run in
   * the manifests folder: `labpath verify --kubeconfig` runs them between
   * rounds of --repeat, since a real cluster cannot be swapped for a fresh one.
   */
  cleanup: z.array(z.string().trim().min(1)).default([]),
  environment: environmentSchema,
});

export type Lesson = z.infer<typeof lessonSchema>;
export type Step = z.infer<typeof stepSchema>;
export type Check = z.infer<typeof checkSchema>;
export type ResourceRef = z.infer<typeof resourceRefSchema>;
export type Environment = z.infer<typeof environmentSchema>;
export type PersonaId = z.infer<typeof personaIdSchema>;
