/** Just enough HTML reading for build assertions, without a parser dependency. */
export function decodeEntities(text: string): string {
  return text
    .replace(/&#x([0-9a-f]+);/gi, (_, hex: string) => String.fromCodePoint(parseInt(hex, 16)))
    .replace(/&#(\d+);/g, (_, dec: string) => String.fromCodePoint(Number(dec)))
    .replace(/&quot;/g, '"')
    .replace(/&#39;|&apos;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

/** Text content of an HTML fragment: tags dropped, entities decoded. */
export function textOf(html: string): string {
  return decodeEntities(html.replace(/<[^>]+>/g, ''));
}

/** Every `<figure class="manifest" data-manifest="…">…</figure>` on a page. */
export function manifestFigures(html: string): { file: string; copy: string; code: string }[] {
  return [...html.matchAll(/<figure class="manifest" data-manifest="([^"]+)"[^>]*>([\s\S]*?)<\/figure>/g)].map((m) => {
    const body = m[2] ?? '';
    const copy = /data-copy="([^"]*)"/.exec(body)?.[1] ?? '';
    const pre = /<pre[^>]*>([\s\S]*?)<\/pre>/.exec(body)?.[1] ?? '';
    // Shiki writes one <span class="line"> per line, joined by newlines.
    return { file: decodeEntities(m[1] ?? ''), copy: decodeEntities(copy), code: textOf(pre) };
  });
}
