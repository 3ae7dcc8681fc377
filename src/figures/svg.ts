/** Small helpers for writing SVG markup as strings, escaped. */
export function esc(value: string | number): string {
  return String(value).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

export function text(x: number, y: number, content: string, cls = '', anchor: 'start' | 'middle' | 'end' = 'middle'): string {
  return `<text x="${x}" y="${y}" text-anchor="${anchor}"${cls ? ` class="${cls}"` : ''}>${esc(content)}</text>`;
}

export function box(x: number, y: number, width: number, height: number, cls: string, rx = 8): string {
  return `<rect x="${x}" y="${y}" width="${width}" height="${height}" rx="${rx}" class="${cls}"/>`;
}

export function line(x1: number, y1: number, x2: number, y2: number, cls: string): string {
  return `<line x1="${x1}" y1="${y1}" x2="${x2}" y2="${y2}" class="${cls}"/>`;
}

export interface Svg {
  svg: string;
  /** A plain-language description, used as the figure's alt text. */
  description: string;
}

export function svgDocument(id: string, width: number, height: number, title: string, description: string, body: string): Svg {
  return {
    description,
    svg: `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" role="img" aria-labelledby="${id}-title ${id}-desc" class="topology">`
      + `<title id="${id}-title">${esc(title)}</title><desc id="${id}-desc">${esc(description)}</desc>${body}</svg>`,
  };
}
