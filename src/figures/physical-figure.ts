import { box, line, svgDocument, text, type Svg } from './svg.ts';
import type { Topology } from './topology.ts';

/** Figure 2: each node's one NIC on the bridge, trunked to a switch that carries the untagged and tagged VLANs. */
export function physicalFigure(t: Topology): Svg {
  const width = 760;
  const column = (width - 40) / Math.max(1, t.nodes.length);
  const parts: string[] = [];
  const switchY = 230;
  t.nodes.forEach((node, i) => {
    const x = 20 + column * i + 8;
    const w = column - 16;
    const cx = x + w / 2;
    parts.push(box(x, 20, w, 150, `node-box${node.roles.includes('worker') ? ' node-worker' : ''}`));
    parts.push(text(cx, 44, node.name, 'name'));
    parts.push(text(cx, 62, node.roles.join(', '), 'detail'));
    parts.push(box(x + 16, 76, w - 32, 44, 'bridge-box', 6));
    parts.push(text(cx, 96, `OVS bridge ${t.bridge}`, 'detail'));
    parts.push(text(cx, 112, node.mappings.length > 0 ? node.mappings.join(', ') : 'no localnet mapping', node.mappings.length > 0 ? 'address' : 'muted'));
    parts.push(text(cx, 150, `NIC ${node.nic}`, 'detail'));
    parts.push(line(cx, 120, cx, 138, 'link'));
    parts.push(line(cx, 170, cx, switchY, 'link link-trunk'));
    parts.push(text(cx + 6, 202, 'trunk', 'muted', 'start'));
  });
  parts.push(box(20, switchY, width - 40, 34, 'switch-box', 6));
  parts.push(text(width / 2, switchY + 22, 'physical switch · trunk ports carry every VLAN', 'name'));
  const nets = t.physicalNetworks;
  const netColumn = (width - 40) / Math.max(1, nets.length);
  nets.forEach((net, i) => {
    const cx = 20 + netColumn * i + netColumn / 2;
    const y = switchY + 80;
    parts.push(line(cx, switchY + 34, cx, y, net.vlan === 'untagged' ? 'link' : 'link link-secondary'));
    const hosts = t.externalHosts.filter((h) => h.network === net.name);
    parts.push(box(cx - 170, y, 340, hosts.length > 0 ? 74 : 56, net.vlan === 'untagged' ? 'net-box' : 'net-box net-tagged'));
    parts.push(text(cx, y + 22, `${net.vlan === 'untagged' ? 'untagged' : `VLAN ${net.vlan}`} · ${net.name} · ${net.subnet}`, 'name'));
    parts.push(text(cx, y + 42, net.gateway ? `gateway ${net.gateway} · internet` : 'no gateway: a private segment', 'detail'));
    if (hosts.length > 0) parts.push(text(cx, y + 62, hosts.map((h) => `${h.name} ${h.ip}`).join(' · '), 'address'));
  });
  const description = `Physical topology. ${t.nodes.map((n) => `${n.name} (${n.roles.join(', ')}) has one NIC ${n.nic} on OVS bridge ${t.bridge}${n.mappings.length ? ` with bridge mapping ${n.mappings.join(', ')}` : ''}`).join('; ')}. Each NIC is a VLAN trunk to the switch, which carries ${nets.map((n) => `${n.vlan === 'untagged' ? 'the untagged' : `VLAN ${n.vlan}`} network ${n.name} (${n.subnet})`).join(' and ')}. ${t.externalHosts.map((h) => `${h.name} (${h.description}) is at ${h.ip} on ${h.network}.`).join(' ')}`;
  return svgDocument('figure-physical', width, 400, 'Physical topology', description, parts.join(''));
}
