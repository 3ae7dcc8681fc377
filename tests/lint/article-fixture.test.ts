import { it } from 'node:test';
import assert from 'node:assert/strict';
import { lintDir } from '../../lab-server/lint/lint.ts';
import { ARTICLE_FIXTURE } from '../helpers/paths.ts';

it("lint finds the article's own mistakes", async () => {
  const result = await lintDir(ARTICLE_FIXTURE);
  const findings = result.diagnostics.map((d) => `${d.file.slice(ARTICLE_FIXTURE.length)}:${d.line} ${d.rule}: ${d.message}`);
  const expect = (pattern: RegExp, what: string) => assert.ok(findings.some((f) => pattern.test(f)), `${what} not reported; findings:\n${findings.join('\n')}`);
  expect(/^5-allow-traffic-pod\.yaml:9 mnp-selector-matches: .*vm=my-virtual-machine matches no workload/, "the allow policy's selector matching no workload");
  expect(/^5-allow-traffic-pod\.yaml:19 mnp-unlisted-rules: .*egress rules but policyTypes is \[Ingress\]/, 'egress rules without Egress in policyTypes');
  expect(/^5-allow-traffic-pod\.yaml:16 mnp-ipam-less-peers: .*namespaceSelector peer/, 'a namespaceSelector peer on a network without subnets');
  // The article's NADs, NNCP, pod and VM are themselves fine; only the allow policy is wrong.
  assert.ok(result.diagnostics.every((d) => d.file.endsWith('5-allow-traffic-pod.yaml')), findings.join('\n'));
});
