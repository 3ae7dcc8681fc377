/** The oc commands labpath implements itself; every other oc command is kubectl's. */
export const OC_OWN_VERBS = ['project', 'new-project', 'whoami'] as const;

export function isOcOwnVerb(verb: string | undefined): boolean {
  return (OC_OWN_VERBS as readonly string[]).includes(verb ?? '');
}
