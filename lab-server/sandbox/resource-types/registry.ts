/** Every resource type the sandbox serves, and the lookups the API layer needs. */
import { BUILTIN_TYPES } from './builtin.ts';
import { CRD_OBJECTS, resourceTypesOfCrd } from './crds.ts';
import { apiVersionOf, type ResourceType } from './types.ts';

export class ResourceRegistry {
  readonly types: readonly ResourceType[];
  private readonly byPath = new Map<string, ResourceType>();
  private readonly byKind = new Map<string, ResourceType>();

  constructor(types: readonly ResourceType[]) {
    this.types = types;
    for (const type of types) {
      this.byPath.set(`${type.group}/${type.version}/${type.plural}`, type);
      this.byKind.set(`${apiVersionOf(type)}/${type.kind}`, type);
    }
  }

  /** The type behind /api/v1/<plural> or /apis/<group>/<version>/<plural>. */
  lookup(group: string, version: string, plural: string): ResourceType | undefined {
    return this.byPath.get(`${group}/${version}/${plural}`);
  }

  forKind(apiVersion: string, kind: string): ResourceType | undefined {
    return this.byKind.get(`${apiVersion}/${kind}`);
  }

  /** Group → versions, in the order they are served (the first is preferred). */
  groups(): Map<string, string[]> {
    const groups = new Map<string, string[]>();
    for (const type of this.types) {
      const versions = groups.get(type.group) ?? [];
      if (!versions.includes(type.version)) versions.push(type.version);
      groups.set(type.group, versions);
    }
    return groups;
  }

  inGroupVersion(group: string, version: string): ResourceType[] {
    return this.types.filter((t) => t.group === group && t.version === version);
  }
}

export const REGISTRY = new ResourceRegistry([...BUILTIN_TYPES, ...CRD_OBJECTS.flatMap(resourceTypesOfCrd)]);
