import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Diagnostic } from './diagnostic.ts';
import { parseYamlDocuments, type YamlDocument } from './yaml-source.ts';
import { asKubeObject, type KubeObject } from '../k8s/object.ts';

/** One Kubernetes object from a manifest file, able to point at its own lines. */
export interface ManifestObject {
  file: string;
  fileName: string;
  /** 0-based position among the file's documents. */
  index: number;
  object: KubeObject;
  source: YamlDocument;
}

export interface ManifestFile {
  file: string;
  fileName: string;
  text: string;
}

export interface ManifestSet {
  files: ManifestFile[];
  objects: ManifestObject[];
}

export const MANIFEST_FILE = /\.ya?ml$/;

export async function loadManifestDir(dir: string): Promise<{ manifests: ManifestSet; diagnostics: Diagnostic[] }> {
  const names = (await readdir(dir)).filter((n) => MANIFEST_FILE.test(n)).sort();
  const manifests: ManifestSet = { files: [], objects: [] };
  const diagnostics: Diagnostic[] = [];
  for (const fileName of names) {
    const file = join(dir, fileName);
    const text = await readFile(file, 'utf8');
    manifests.files.push({ file, fileName, text });
    const parsed = parseYamlDocuments(text);
    if (!parsed.ok) {
      for (const e of parsed.errors)
        diagnostics.push({ rule: 'manifest-parse', file, ...e.position, message: `YAML syntax error: ${e.message}`, fix: 'correct the YAML syntax (indentation, quotes, colons) at this line' });
      continue;
    }
    parsed.documents.forEach((source, index) => {
      if (source.value === null || source.value === undefined) return;
      const object = asKubeObject(source.value);
      if (!object) {
        diagnostics.push({
          rule: 'manifest-parse', file, ...source.start,
          message: `document ${index + 1} is not a Kubernetes object`,
          fix: 'give it apiVersion, kind and metadata.name',
        });
        return;
      }
      manifests.objects.push({ file, fileName, index, object, source });
    });
  }
  return { manifests, diagnostics };
}

export function objectsOfKind(set: ManifestSet, kind: string): ManifestObject[] {
  return set.objects.filter((m) => m.object.kind === kind);
}

export function describeObject(m: ManifestObject): string {
  const { namespace, name } = m.object.metadata;
  return `${m.object.kind} ${namespace ? `${namespace}/` : ''}${name}`;
}
