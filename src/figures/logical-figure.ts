import { box, line, svgDocument, text, type Svg } from './svg.ts';
import type { Topology } from './topology.ts';

/** Figure 1: every workload on the cluster network, and who joins the secondary network with which address. */
export function logicalFigure(t: Topology): Svg {
  const net = t.secondary[0];
  const width = 760;
  const column = (width - 80) / Math.max(1, t.endpoints.length);
  const clusterY = 50;
  const secondaryY = 250;
  const parts: string[] = [];
  parts.push(line(30, clusterY, width - 30, clusterY, 'bus bus-cluster'));
  parts.push(text(34, clusterY - 12, `cluster network ${t.clusterNetwork} (OVN-Kubernetes, default route to the internet)`, 'label', 'start'));
  if (net) {
    parts.push(line(30, secondaryY, width - 30, secondaryY, 'bus bus-secondary'));
    parts.push(text(34, secondaryY + 26, `secondary network ${net.name} · localnet${net.vlan ? ` · VLAN ${net.vlan}` : ''}${net.subnet ? ` · ${net.subnet}` : ''}`, 'label', 'start'));
  }
  t.endpoints.forEach((e, i) => {
    const cx = 40 + column * i + column / 2;
    const w = Math.min(190, column - 16);
    const top = 110;
    if (e.kind !== 'host') parts.push(line(cx, clusterY, cx, top, 'link'));
    if (e.network) parts.push(line(cx, top + 70, cx, secondaryY, 'link link-secondary'));
    parts.push(box(cx - w / 2, top, w, 70, `node-box endpoint-${e.kind}`));
    parts.push(text(cx, top + 24, e.label, 'name'));
    parts.push(text(cx, top + 44, e.detail, 'detail'));
    if (e.address) parts.push(text(cx, top + 62, e.address, 'address'));
  });
  const who = t.endpoints.map((e) => `${e.label} (${e.detail}${e.address ? `, ${e.address}` : ''})`).join('; ');
  const description = net
    ? `Logical networks. The workloads keep the cluster network ${t.clusterNetwork}. ${net.name} is a localnet network${net.vlan ? ` on VLAN ${net.vlan}` : ''}${net.subnet ? ` with subnet ${net.subnet}` : ''}, published by ${net.attachments.join(' and ')}. On it: ${who}.`
    : `Logical networks: ${who}.`;
  return svgDocument('figure-logical', width, 290, 'Logical networks', description, parts.join(''));
}
