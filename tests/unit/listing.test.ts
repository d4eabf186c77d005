import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseRss } from '../../src/arxiv/parse-rss.js';
import { rssFeed, type FeedItem } from '../fakes/fake-arxiv.js';
import {
  arxivStamp,
  easternDateOf,
  easternOffsetMinutes,
  easternToUtc,
  isAnnouncementDay,
  latestAnnouncement,
  submissionWindow,
  whyNoAnnouncement,
} from '../../src/arxiv/schedule.js';

const fx = (name: string) => readFileSync(new URL(`../../fixtures/arxiv/${name}`, import.meta.url), 'utf8');

describe('parseRss on recorded feeds', () => {
  it('RSS 2.0, four categories: ids, versions, announce types, categories, build date', () => {
    const l = parseRss(fx('rss-rss2-2026-09-24-cs.LG+cs.AI+cs.CL+stat.ML.xml'));
    expect(l.items.map((i) => [i.id, i.version, i.announceType])).toEqual([
      ['2609.26811', 1, 'new'],
      ['2609.26820', 1, 'new'],
      ['2205.06398', 2, 'cross'],
      ['2009.13987', 3, 'replace'],
    ]);
    expect(l.items[2]!.categories[0]).toBe('stat.ME');
    expect(l.builtAt?.toISOString()).toBe('2026-09-24T04:00:00.000Z');
    expect(l.items[0]!.title).toBe('The Drift Contract: Spectral Updates for Depth-Robust Local Learning');
  });

  it('Atom flavour: oai ids, cross before new, announce date', () => {
    const l = parseRss(fx('rss-atom-2025-08-20-cs.AI.xml'));
    expect(l.items).toHaveLength(7);
    expect(l.items.filter((i) => i.announceType === 'new').map((i) => i.id)).toEqual(['2508.14001', '2508.14002']);
    expect(l.items[0]!.categories).toEqual(['cs.CL', 'cs.AI']);
    expect(l.builtAt?.toISOString()).toBe('2025-08-20T04:00:00.000Z');
  });

  it('an empty channel is an empty listing, a feed error is an error', () => {
    const empty =
      '<?xml version="1.0"?><rss version="2.0"><channel><title>cs.CL updates on arXiv.org</title><pubDate>Sat, 26 Sep 2026 00:00:00 -0400</pubDate></channel></rss>';
    expect(parseRss(empty).items).toEqual([]);
    expect(() =>
      parseRss('<rss version="2.0"><channel><title>Feed error for query: cs.XX</title></channel></rss>'),
    ).toThrow(/Feed error/);
    expect(() => parseRss('Rate exceeded.')).toThrow();
  });

  // a comment makes parseRss read the document whole, the way it always did: item by item must agree
  const whole = (xml: string) => xml.replace(/<(channel|feed)\b[^>]*>/, '$&<!-- read whole -->');
  const outcome = (xml: string) => {
    try {
      return parseRss(xml);
    } catch (err) {
      return `${(err as Error).constructor.name}: ${(err as Error).message}`;
    }
  };
  const items: FeedItem[] = Array.from({ length: 300 }, (_, i) => ({
    id: `2611.${10001 + i}`,
    version: 1 + (i % 3),
    title: `Paper ${i} &amp; <b>friends</b>,   spaced`,
    abstract: `Abstract ${i}: a < b & c > d.`,
    announceType: (['new', 'cross', 'replace', 'replace-cross'] as const)[i % 4],
    categories: i % 2 ? ['cs.CL', 'cs.AI'] : ['cs.LG'],
    authors: [`Author ${i}`, 'Second Author'],
  }));
  it.each([
    ['RSS 2.0', fx('rss-rss2-2026-09-24-cs.LG+cs.AI+cs.CL+stat.ML.xml')],
    ['Atom flavour', fx('rss-atom-2025-08-20-cs.AI.xml')],
    ['300 items', rssFeed('cs.CL+cs.AI', 'Tue, 17 Nov 2026 00:00:00 -0500', items)],
  ])('%s: read item by item, the listing is the one the whole document gives, broken or not', (_what, xml) => {
    expect(parseRss(xml).items.length).toBeGreaterThan(0);
    const variants = [
      xml,
      xml.slice(0, Math.floor(xml.length * 0.6)),
      xml.replace(/<\/(item|entry)>/, ''),
      xml.replace(/<title>/, '<title>a & b'),
      xml.replace(/<(item|entry)>/, '<$1/><$1>'),
      xml.replace(/<\/(item|entry)>/, '<$1></$1></$1>'),
    ];
    for (const v of variants) expect(outcome(v)).toEqual(outcome(whole(v)));
  });
});

describe('announcement calendar (US Eastern)', () => {
  it('announces Sunday to Thursday, not on Friday, Saturday or holidays', () => {
    expect(['2026-09-20', '2026-09-21', '2026-09-22', '2026-09-23', '2026-09-24'].every(isAnnouncementDay)).toBe(true);
    expect(whyNoAnnouncement('2026-09-25')).toMatch(/Friday/);
    expect(whyNoAnnouncement('2026-09-26')).toMatch(/Saturday/);
    expect(whyNoAnnouncement('2026-11-26')).toMatch(/holiday/);
  });

  it('14:00 ET is 18:00 UTC in summer and 19:00 UTC in winter', () => {
    expect(easternToUtc('2026-09-22', 14).toISOString()).toBe('2026-09-22T18:00:00.000Z');
    expect(easternToUtc('2026-12-01', 14).toISOString()).toBe('2026-12-01T19:00:00.000Z');
  });

  it("New York's offset and date, computed from the US rules, agree with the time-zone database (1976-2059)", () => {
    const zone = { timeZone: 'America/New_York' } as const;
    const offset = new Intl.DateTimeFormat('en-US', { ...zone, timeZoneName: 'longOffset' });
    const day = new Intl.DateTimeFormat('en-CA', { ...zone, year: 'numeric', month: '2-digit', day: '2-digit' });
    const minutes = (d: Date) => {
      const m = /GMT([+-])(\d{2}):(\d{2})/.exec(offset.formatToParts(d).find((p) => p.type === 'timeZoneName')!.value)!;
      return (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3]));
    };
    const wrong: string[] = [];
    const check = (t: number) => {
      const d = new Date(t);
      if (minutes(d) !== easternOffsetMinutes(d) || day.format(d) !== easternDateOf(d)) wrong.push(d.toISOString());
    };
    for (let y = 1976; y < 2060; y++) {
      // every hour of March, April, October and November (the changes), and noon of every day
      for (const m of [2, 3, 9, 10]) for (let h = 0; h < 31 * 24; h++) check(Date.UTC(y, m, 1, h, 30));
      for (let d = 0; d < 366; d++) check(Date.UTC(y, 0, 1 + d, 12));
    }
    expect(wrong).toEqual([]);
  });

  it.each([
    ['2026-09-22', 'Tuesday: Monday 14:00 → Tuesday 14:00', '202609211800', '202609221800'],
    ['2026-09-21', 'Monday: Friday 14:00 → Monday 14:00', '202609181800', '202609211800'],
    ['2026-09-20', 'Sunday: Thursday 14:00 → Friday 14:00', '202609171800', '202609181800'],
    ['2026-11-29', 'Sunday after Thanksgiving: Wednesday 14:00 → Friday 14:00', '202611251900', '202611271900'],
    ['2026-11-02', 'Monday after the DST change', '202610301800', '202611021900'],
  ])('%s (%s)', (date, _what, from, to) => {
    const w = submissionWindow(date);
    expect(arxivStamp(w.from)).toBe(from);
    expect(arxivStamp(w.to)).toBe(to);
  });

  it('the latest announcement is the last 20:00 ET that has passed on an announcement day', () => {
    expect(latestAnnouncement(new Date('2026-09-24T14:00:00Z'))).toBe('2026-09-23'); // Thu morning
    expect(latestAnnouncement(new Date('2026-09-25T01:00:00Z'))).toBe('2026-09-24'); // Thu 21:00 ET
    expect(latestAnnouncement(new Date('2026-09-26T15:00:00Z'))).toBe('2026-09-24'); // Saturday
    expect(latestAnnouncement(new Date('2026-09-28T12:00:00Z'))).toBe('2026-09-27'); // Monday morning: Sunday's
  });
});
