// Markdown links of catalog text (`[text](url)`) as pieces to render as text nodes and <a>
// elements: never HTML. Only http(s) URLs become links; anything else stays plain text.

export interface Piece {
  text: string;
  href?: string;
}

const LINK = /\[([^\[\]]+)\]\(([^()\s]+)\)/g;

export function safeHref(url: string): string | undefined {
  try {
    const parsed = new URL(url);
    return parsed.protocol === "http:" || parsed.protocol === "https:" ? parsed.href : undefined;
  } catch {
    return undefined;
  }
}

export function linkPieces(text: string): Piece[] {
  const out: Piece[] = [];
  let last = 0;
  for (const m of text.matchAll(LINK)) {
    const start = m.index ?? 0;
    if (start > last) out.push({ text: text.slice(last, start) });
    const href = safeHref(m[2]);
    out.push(href ? { text: m[1], href } : { text: m[0] });
    last = start + m[0].length;
  }
  if (last < text.length) out.push({ text: text.slice(last) });
  return out;
}
