/**
 * Full-text search over the published entries, in the function's memory (MiniSearch): at this size an
 * in-function index answers in microseconds and costs nothing while idle, where a search cluster would
 * add a cost floor. Codes and titles weigh more than symptoms, and symptoms more than cause and steps.
 *
 * Text is cut into terms by {@link tokenize}: Latin words and digits as words, Chinese (and other CJK)
 * runs as overlapping character pairs, since written Chinese has no spaces: `不制热` → `不制`, `制热`.
 * Typo tolerance applies to Latin words only (an edit of a two-character Chinese term is another word).
 */
import MiniSearch, { type SearchResult } from 'minisearch';
import type { Audience, Entry, Language } from './model.ts';

/** A run of CJK ideographs, kana or hangul. */
const CJK = /[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af]/;
const TERM = /[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af]+|[\p{L}\p{N}]+/gu;

/** Terms of a text: NFKC, lower case; Latin and digit words whole, CJK runs as character bigrams. */
export function tokenize(text: string): string[] {
  const terms: string[] = [];
  for (const [run] of text.normalize('NFKC').toLowerCase().matchAll(TERM)) {
    if (!CJK.test(run)) {
      terms.push(run);
      continue;
    }
    const chars = Array.from(run);
    if (chars.length === 1) terms.push(run);
    for (let i = 0; i + 1 < chars.length; i++) terms.push(`${chars[i]}${chars[i + 1]}`);
  }
  return terms;
}

/** A code is searched whole (`e-04`) and by its parts (`e`, `04`), so `E04`, `e-04` and `04` all find it. */
function codeTerms(code: string): string[] {
  const whole = code.normalize('NFKC').toLowerCase();
  const compact = whole.replace(/[^\p{L}\p{N}]/gu, '');
  return [...new Set([whole, compact, ...tokenize(whole)])];
}

interface Doc {
  id: string;
  productLine: string;
  code: string;
  title: string;
  symptoms: string;
  body: string;
  productLines: string[];
  audience: Audience;
  language: Language;
}

export interface SearchHit {
  id: string;
  productLine: string;
  code: string;
  title: string;
  audience: Audience;
  language: Language;
  productLines: string[];
  score: number;
}

export interface SearchFilter {
  productLine?: string | undefined;
  /** Only these audiences (customers: public only, whatever they ask). */
  audiences: readonly Audience[];
  language?: Language | undefined;
}

const BOOST = { code: 6, title: 3, symptoms: 2, body: 1 } as const;

/** The index of a set of published entries. */
export class EntryIndex {
  private readonly index: MiniSearch<Doc>;
  readonly size: number;

  constructor(entries: readonly Entry[]) {
    this.index = new MiniSearch<Doc>({
      fields: ['code', 'title', 'symptoms', 'body'],
      storeFields: ['productLine', 'code', 'title', 'audience', 'language', 'productLines'],
      tokenize: (text, field) => (field === 'code' ? codeTerms(text) : tokenize(text)),
      // Terms are already normalized by the tokenizer.
      processTerm: (term) => term,
      searchOptions: {
        boost: BOOST,
        combineWith: 'OR',
        tokenize,
        processTerm: (term) => term,
        // Typos: one edit in words of 4+ letters, two from 8; none in codes' digits or CJK pairs.
        fuzzy: (term) => (CJK.test(term) || /\d/.test(term) || term.length < 4 ? false : 0.2),
        prefix: (term) => !CJK.test(term) && term.length >= 3,
      },
    });
    this.index.addAll(
      entries.map((e) => ({
        id: e.id,
        productLine: e.productLine,
        code: e.code,
        title: e.title,
        symptoms: e.symptoms.join('\n'),
        body: [e.cause, ...e.steps.map((s) => s.text)].join('\n'),
        productLines: e.productLines,
        audience: e.audience,
        language: e.language,
      })),
    );
    this.size = entries.length;
  }

  /** The best `limit` entries for `query` that pass `filter`, best first. */
  search(query: string, filter: SearchFilter, limit: number): SearchHit[] {
    const results = this.index.search(query, {
      filter: (r: SearchResult) =>
        filter.audiences.includes(r.audience as Audience) &&
        (filter.language === undefined || r.language === filter.language) &&
        (filter.productLine === undefined || (r.productLines as string[]).includes(filter.productLine)),
    });
    return results.slice(0, limit).map((r) => ({
      id: String(r.id),
      productLine: r.productLine as string,
      code: r.code as string,
      title: r.title as string,
      audience: r.audience as Audience,
      language: r.language as Language,
      productLines: r.productLines as string[],
      score: Math.round(r.score * 1000) / 1000,
    }));
  }
}
