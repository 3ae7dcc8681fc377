import type { LintRule } from '../rule.ts';
import { nadConfigJson } from './nad-config-json.ts';
import { nadLocalnetFields } from './nad-localnet-fields.ts';
import { nadBridgeMapping } from './nad-bridge-mapping.ts';
import { nadNetworkAgreement } from './nad-network-agreement.ts';
import { nncpBridgeMappings } from './nncp-bridge-mappings.ts';
import { networkSelectionSyntax } from './network-selection-syntax.ts';
import { networkSelectionNamespace } from './network-selection-namespace.ts';
import { staticIpCidr } from './static-ip-cidr.ts';
import { staticIpUnique } from './static-ip-unique.ts';
import { staticIpIpam } from './static-ip-ipam.ts';
import { mnpPolicyFor } from './mnp-policy-for.ts';
import { mnpPolicyTypes } from './mnp-policy-types.ts';
import { mnpUnlistedRules } from './mnp-unlisted-rules.ts';
import { mnpIpamLessPeers } from './mnp-ipam-less-peers.ts';
import { mnpPortProtocol } from './mnp-port-protocol.ts';
import { mnpPeers } from './mnp-peers.ts';
import { mnpSelectorMatches } from './mnp-selector-matches.ts';
import { stepManifests } from './step-manifests.ts';
import { stepReferences } from './step-references.ts';

/** Problems the loader itself reports, listed so `labpath lint --rules` names them too. */
export const LOADER_RULES = [
  { id: 'schema', description: 'lesson.yaml and step frontmatter match the lesson schema (lab-server/lesson/schema.ts).' },
  { id: 'manifest-parse', description: 'Every manifest is valid YAML and every document is a Kubernetes object with apiVersion, kind and metadata.name.' },
];

export const RULES: readonly LintRule[] = [
  nadConfigJson,
  nadLocalnetFields,
  nadBridgeMapping,
  nadNetworkAgreement,
  nncpBridgeMappings,
  networkSelectionSyntax,
  networkSelectionNamespace,
  staticIpCidr,
  staticIpUnique,
  staticIpIpam,
  mnpPolicyFor,
  mnpPolicyTypes,
  mnpUnlistedRules,
  mnpIpamLessPeers,
  mnpPortProtocol,
  mnpPeers,
  mnpSelectorMatches,
  stepManifests,
  stepReferences,
];
