/** Our CustomResourceDefinitions, read from crds/*.yaml, and the resource types they define. */
import { readdirSync, readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';
import { getPath, isRecord, type KubeObject } from '../../k8s/object.ts';
import { ALL_VERBS, type PrinterColumn, type ResourceType } from './types.ts';

const CRD_DIR = new URL('./crds/', import.meta.url);

/**
 * The CRD objects, as `kubectl get crd` lists them. Read once: they are data
 * shipped with the server. Ours are YAML; upstream's large ones are JSON
 * (`{ source, objects }`, the source naming repository, tag and path), which
 * reads in milliseconds where YAML takes a quarter of a second each.
 */
export const CRD_OBJECTS: KubeObject[] = readdirSync(CRD_DIR)
  .filter((name) => name.endsWith('.yaml') || name.endsWith('.json'))
  .sort()
  .flatMap((name) => {
    const text = readFileSync(new URL(name, CRD_DIR), 'utf8');
    if (name.endsWith('.yaml')) return parseAllDocuments(text).map((doc) => doc.toJS() as KubeObject);
    const file = JSON.parse(text) as { source?: unknown; objects?: unknown };
    if (typeof file.source !== 'string' || !Array.isArray(file.objects)) throw new Error(`${name}: an upstream CRD file needs "source" (where it is from) and "objects"`);
    return file.objects as KubeObject[];
  });

export function resourceTypesOfCrd(crd: KubeObject): ResourceType[] {
  const spec = getPath(crd, ['spec']);
  const names = getPath(spec, ['names']);
  const versions = getPath(spec, ['versions']);
  if (!isRecord(spec) || !isRecord(names) || !Array.isArray(versions)) throw new Error(`CRD ${crd.metadata.name} lacks spec.names or spec.versions`);
  return versions
    .filter((v) => isRecord(v) && v.served === true)
    .map((v) => ({
      group: String(spec.group),
      version: String(v.name),
      kind: String(names.kind),
      listKind: String(names.listKind ?? `${names.kind}List`),
      plural: String(names.plural),
      singular: String(names.singular ?? String(names.kind).toLowerCase()),
      namespaced: spec.scope === 'Namespaced',
      shortNames: Array.isArray(names.shortNames) ? names.shortNames.map(String) : [],
      categories: Array.isArray(names.categories) ? names.categories.map(String) : [],
      verbs: ALL_VERBS,
      subresources: isRecord(v.subresources) ? Object.keys(v.subresources) : [],
      strategicMerge: false,
      printerColumns: (Array.isArray(v.additionalPrinterColumns) ? v.additionalPrinterColumns : []).map(
        (c: Record<string, unknown>): PrinterColumn => ({
          name: String(c.name),
          type: (c.type as PrinterColumn['type']) ?? 'string',
          jsonPath: String(c.jsonPath),
          priority: typeof c.priority === 'number' ? c.priority : 0,
          ...(typeof c.description === 'string' ? { description: c.description } : {}),
        }),
      ),
      ...(isRecord(getPath(v, ['schema', 'openAPIV3Schema'])) ? { schema: getPath(v, ['schema', 'openAPIV3Schema']) as Record<string, unknown> } : {}),
    }));
}
