/**
 * The Multus network-selection annotation `k8s.v1.cni.cncf.io/networks`:
 * either a JSON list of selection elements or the short form
 * `[namespace/]name[@interface]`, comma-separated (NAD client types.go).
 */
import { isRecord } from './object.ts';

export const NETWORKS_ANNOTATION = 'k8s.v1.cni.cncf.io/networks';

export interface NetworkSelection {
  name: string;
  namespace?: string;
  ips?: string[];
  mac?: string;
  interface?: string;
}

export type NetworkSelectionParse = { ok: true; selections: NetworkSelection[] } | { ok: false; error: string };

const KNOWN_FIELDS = new Set(['name', 'namespace', 'ips', 'mac', 'interface', 'default-route', 'ipam-claim-reference', 'cni-args', 'portMappings', 'bandwidth', 'infiniband-guid']);
const SHORT_ITEM = /^(?:([a-z0-9]([-a-z0-9]*[a-z0-9])?)\/)?([a-z0-9]([-a-z0-9.]*[a-z0-9])?)(?:@([\w.-]+))?$/;

export function parseNetworkSelection(annotation: string): NetworkSelectionParse {
  const trimmed = annotation.trim();
  if (trimmed === '') return { ok: true, selections: [] };
  if (trimmed.startsWith('[') || trimmed.startsWith('{')) return parseJsonForm(trimmed);
  const selections: NetworkSelection[] = [];
  for (const raw of trimmed.split(',')) {
    const item = raw.trim();
    const match = SHORT_ITEM.exec(item);
    if (!match)
      return { ok: false, error: `"${item}" is not a network reference; the short form is [namespace/]name[@interface], e.g. db-access-net or data-adapter/db-access-net@eth1` };
    const selection: NetworkSelection = { name: match[3] ?? '' };
    if (match[1]) selection.namespace = match[1];
    if (match[5]) selection.interface = match[5];
    selections.push(selection);
  }
  return { ok: true, selections };
}

function parseJsonForm(text: string): NetworkSelectionParse {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { ok: false, error: `the annotation is not valid JSON: ${(error as Error).message}` };
  }
  if (!Array.isArray(value)) return { ok: false, error: 'the JSON form must be a list: [{"name": "db-access-net"}]' };
  const selections: NetworkSelection[] = [];
  for (const [i, item] of value.entries()) {
    if (!isRecord(item) || typeof item.name !== 'string' || item.name === '')
      return { ok: false, error: `element ${i} needs a "name" naming a NetworkAttachmentDefinition` };
    const unknown = Object.keys(item).filter((k) => !KNOWN_FIELDS.has(k));
    if (unknown.length > 0) return { ok: false, error: `element ${i} has unknown field(s) ${unknown.map((k) => `"${k}"`).join(', ')}` };
    if (item.ips !== undefined && (!Array.isArray(item.ips) || item.ips.some((ip) => typeof ip !== 'string')))
      return { ok: false, error: `element ${i}: "ips" must be a list of strings such as ["192.168.200.10/24"]` };
    const selection: NetworkSelection = { name: item.name };
    if (typeof item.namespace === 'string') selection.namespace = item.namespace;
    if (Array.isArray(item.ips)) selection.ips = item.ips as string[];
    if (typeof item.mac === 'string') selection.mac = item.mac;
    if (typeof item.interface === 'string') selection.interface = item.interface;
    selections.push(selection);
  }
  return { ok: true, selections };
}
