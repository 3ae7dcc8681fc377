/** What the API server knows about one resource: enough for routing, discovery, tables and patching. */
export interface PrinterColumn {
  name: string;
  type: 'string' | 'integer' | 'number' | 'boolean' | 'date';
  jsonPath: string;
  description?: string;
  /** 0 shows always; above 0 only with -o wide. */
  priority: number;
}

export interface ResourceType {
  group: string;
  version: string;
  kind: string;
  listKind: string;
  plural: string;
  singular: string;
  namespaced: boolean;
  shortNames: string[];
  categories: string[];
  verbs: string[];
  /** e.g. status, log, exec. */
  subresources: string[];
  /** Built-in kinds take strategic merge patches; custom resources answer 415. */
  strategicMerge: boolean;
  /** Printer columns for CRDs; built-in kinds have table renderers in code. */
  printerColumns?: PrinterColumn[];
  /** The OpenAPI v3 schema of the object, when known. */
  schema?: Record<string, unknown>;
  /** Whether metadata.generation counts spec changes: custom resources and the workload kinds do, most core kinds not. */
  generation?: boolean;
}

export const ALL_VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

export function apiVersionOf(type: Pick<ResourceType, 'group' | 'version'>): string {
  return type.group === '' ? type.version : `${type.group}/${type.version}`;
}

/** `pods`, or `virtualmachines.kubevirt.io`: how error messages name a resource. */
export function qualifiedResource(type: Pick<ResourceType, 'group' | 'plural'>): string {
  return type.group === '' ? type.plural : `${type.plural}.${type.group}`;
}
