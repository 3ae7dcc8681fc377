import type { LessonProbe } from '../../lab-server/lesson/probes.ts';
import { box, esc, line, svgDocument, text, type Svg } from './svg.ts';
import type { Topology } from './topology.ts';

/**
 * The lab's reachability panel: the workloads and hosts on the secondary
 * network in a row, and an arrow per lesson probe from source to destination.
 * Each arrow carries data-probe, so the lab colours it by the live answer.
 */
export function reachabilityFigure(t: Topology, probes: LessonProbe[]): Svg {
  const endpoints = t.endpoints.filter((e) => e.address);
  const width = 520;
  const column = width / Math.max(1, endpoints.length);
  const top = 150;
  const x = (i: number) => column * i + column / 2;
  const parts: string[] = [];
  const net = t.secondary[0];
  parts.push(line(10, top + 62, width - 10, top + 62, 'bus bus-secondary'));
  if (net) parts.push(text(14, top + 80, `${net.name}${net.vlan ? ` · VLAN ${net.vlan}` : ''}`, 'label', 'start'));
  endpoints.forEach((e, i) => {
    const w = Math.min(150, column - 12);
    parts.push(line(x(i), top + 46, x(i), top + 62, 'link link-secondary'));
    parts.push(box(x(i) - w / 2, top, w, 46, `node-box endpoint-${e.kind}`));
    parts.push(text(x(i), top + 19, e.label, 'name'));
    parts.push(text(x(i), top + 37, e.address!, 'address'));
  });
  const indexOf = (probe: LessonProbe, end: 'from' | 'to') => {
    const name = 'pod' in probe.from ? probe.from.pod : probe.from.vm;
    return endpoints.findIndex((e) => (end === 'from' ? e.label === name : e.address === probe.to.host));
  };
  probes.forEach((probe, n) => {
    const a = indexOf(probe, 'from');
    const b = indexOf(probe, 'to');
    if (a < 0 || b < 0) return;
    // Arcs above the boxes, one height per probe so that none hides another.
    const lift = 28 + n * 26;
    const [x1, x2] = [x(a) + (b > a ? 12 : -12), x(b) + (b > a ? -12 : 12)];
    const mid = (x1 + x2) / 2;
    parts.push(
      `<g class="probe" data-probe="${esc(probe.id)}" data-state="unknown">`
        + `<path d="M ${x1} ${top} C ${x1} ${top - lift}, ${x2} ${top - lift}, ${x2} ${top - 6}" class="probe-path" marker-end="url(#probe-arrow)"/>`
        + text(mid, top - lift * 0.75 - 4, `TCP ${probe.to.port}`, 'probe-label')
        + '</g>',
    );
  });
  const marker = '<defs><marker id="probe-arrow" viewBox="0 0 10 10" refX="8" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" class="probe-arrow"/></marker></defs>';
  const description = `Live reachability on ${net?.name ?? 'the secondary network'}: ${probes.map((p) => p.label).join('; ')}. Each arrow turns green when the connection is made and red when it is dropped.`;
  return svgDocument('figure-reachability', width, top + 90, 'Reachability, live', description, marker + parts.join(''));
}
