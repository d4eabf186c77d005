/**
 * A feed parsed one entry at a time. fast-xml-parser builds the whole tree of a document before it
 * returns it: for a day's listing of 1,000 items that is ~20 MB of objects which live through several
 * young-generation collections, are promoted, and grow the heap the rest of the run keeps. Here the
 * document is cut at its entries; the rest of it (with an empty entry where each one was) is parsed once,
 * and each entry is checked and parsed on its own when it is read, so one entry's tree is alive at a time.
 * Whatever does not cut plainly (comments, CDATA, a DOCTYPE, an entry inside another, a piece that is
 * not well-formed, an entry that is not where the caller looks for entries) gives undefined: the caller
 * parses the document whole, as before, with the same result or the same error.
 */
import { XMLValidator, type XMLParser } from 'fast-xml-parser';

type Node = Record<string, unknown>;

export interface FeedPieces {
  /** The document with each entry emptied: its header, and where the entries were. */
  head: Node;
  /** The entries in order, each parsed when it is reached. */
  entries: Iterable<Node>;
}

/**
 * `tag`: the entries' element (item, entry), which the parser keeps as an array; `slots`: where the
 * caller finds the entries in the parsed document (they must all be there, emptied, for the cut to hold).
 */
export function parseInPieces(
  parser: XMLParser,
  xml: string,
  tag: string,
  slots: (head: Node) => unknown,
): FeedPieces | undefined {
  if (/<!--|<!\[CDATA\[|<!DOCTYPE|<!ENTITY/i.test(xml)) return undefined;
  const open = new RegExp(`<${tag}[\\s>/]`, 'g');
  const close = `</${tag}>`;
  const spans: Array<[number, number]> = [];
  for (let m = open.exec(xml); m; m = open.exec(xml)) {
    const start = m.index;
    const gt = xml.indexOf('>', start);
    if (gt < 0) return undefined;
    let end: number;
    if (xml[gt - 1] === '/') end = gt + 1;
    else {
      const c = xml.indexOf(close, gt);
      if (c < 0) return undefined;
      end = c + close.length;
      open.lastIndex = gt;
      const inner = open.exec(xml);
      if (inner && inner.index < c) return undefined;
    }
    spans.push([start, end]);
    open.lastIndex = end;
  }
  if (spans.length === 0) return undefined;
  const parts: string[] = [];
  let at = 0;
  for (const [s, e] of spans) {
    parts.push(xml.slice(at, s), `<${tag}/>`);
    at = e;
  }
  parts.push(xml.slice(at));
  const headXml = parts.join('');
  if (XMLValidator.validate(headXml) !== true) return undefined;
  for (const [s, e] of spans) if (XMLValidator.validate(xml.slice(s, e)) !== true) return undefined;
  const head = parser.parse(headXml) as Node;
  const where = slots(head);
  if (!Array.isArray(where) || where.length !== spans.length || where.some((x) => x !== '')) return undefined;
  function* entries(): Generator<Node> {
    for (const [s, e] of spans) {
      const list = (parser.parse(xml.slice(s, e)) as Node)[tag];
      yield (Array.isArray(list) ? list[0] : list) as Node;
    }
  }
  return { head, entries: entries() };
}
