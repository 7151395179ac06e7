/**
 * Knowledge operations (SPEC §9, §3 triage): authoring entries with their version history, exact lookup,
 * search and suggestions at intake, the diagnosis wizard, feedback, and the counters the measures read.
 * The HTTP bundle has already checked the route's roles; the rules here are about which entries a caller
 * may see: customers only published public entries, staff every published one, authors drafts too.
 */
import { type Actor, hasRole, primaryRole, type Role } from '../auth/actor.ts';
import { localDay } from '../cases/numbering.ts';
import { NotFoundError, StateConflictError, ValidationError, VersionConflictError } from '../errors.ts';
import type { Page, PageQuery } from '../store/pagination.ts';
import { parseInput } from '../validation.ts';
import {
  type Audience,
  audiences,
  type Entry,
  type EntryStats,
  type EntryStatus,
  type EntryVersion,
  entryChangeSchema,
  entryId,
  entryInputSchema,
  feedbackInputSchema,
  type Language,
  normalizeCode,
} from './model.ts';
import { EntryIndex, type SearchHit } from './search.ts';
import type { DayCounts, KnowledgeStore } from './store.ts';

/**
 * Who writes entries: service supervisors (dispatchers) and managers. The supervisor decides repair plans
 * and inspects repairs (SPEC §2, §4), so the know-how of an outlet is theirs to write down; publishing
 * to customers speaks for the company, which a manager may always do. Reception (agents) and
 * technicians use entries and rate them, but do not publish them.
 */
export const knowledgeAuthors: Role[] = ['dispatcher', 'manager'];
/**
 * Who reads entries: everyone who solves or reports faults. Customers read public entries only
 * (self-service, SPEC §9); parts clerks and ops have no troubleshooting to do (ops read the measures).
 */
export const knowledgeReaders: Role[] = ['customer', 'agent', 'dispatcher', 'technician', 'manager'];
/** Who reads the knowledge measures: managers (reports) and ops (dashboards). */
export const knowledgeMeasureReaders: Role[] = ['manager', 'ops'];

const staffReaders = knowledgeReaders.filter((r) => r !== 'customer');

export interface KnowledgeDeps {
  store: KnowledgeStore;
  /** The search index of this execution environment, rebuilt when the marker moves. */
  index: SearchIndexCache;
  now: () => Date;
  timeZone: string;
}

/** The published entries' index, kept between requests; one marker read per request tells if it is stale. */
export class SearchIndexCache {
  private built: { revision: number; index: EntryIndex } | undefined;
  /** How many times the index was built (for tests and logs). */
  builds = 0;

  async current(store: KnowledgeStore): Promise<{ revision: number; index: EntryIndex }> {
    const revision = await store.revision();
    if (this.built?.revision === revision) return this.built;
    // Read after the marker: the index holds at least what that revision says (a change committed in
    // between only makes it newer than its label, and the next request rebuilds once more).
    const published = (await store.all()).filter((e) => e.status === 'published');
    this.built = { revision, index: new EntryIndex(published) };
    this.builds++;
    return this.built;
  }
}

const isAuthor = (actor: Actor) => hasRole(actor, knowledgeAuthors);
/** Customers, and anyone holding no staff role that reads entries. */
const isCustomerOnly = (actor: Actor) => !hasRole(actor, staffReaders);

/** Which entries a caller may see. */
function canSee(actor: Actor, e: Entry): boolean {
  if (isAuthor(actor)) return true;
  if (e.status !== 'published') return false;
  return !isCustomerOnly(actor) || e.audience === 'public';
}

const today = (deps: KnowledgeDeps) => localDay(deps.now(), deps.timeZone);
const by = (actor: Actor) => ({ sub: actor.sub, role: primaryRole(actor) });

/** An entry the caller may see, or 404 (internal entries and drafts are indistinguishable from missing ones). */
async function visibleEntry(deps: KnowledgeDeps, actor: Actor, line: string, code: string): Promise<Entry> {
  const e = await deps.store.get(line, code);
  if (!e || !canSee(actor, e)) throw new NotFoundError(`no entry ${normalizeCode(code)} for ${line}`);
  return e;
}

/* ---- authoring ---- */

async function save(
  deps: KnowledgeDeps,
  actor: Actor,
  fields: Omit<Entry, 'id' | 'author' | 'createdAt' | 'updatedAt' | 'updatedBy' | 'version'>,
  previous?: Entry,
): Promise<Entry> {
  const at = deps.now().toISOString();
  const entry: Entry = {
    ...fields,
    id: entryId(fields.productLine, fields.code),
    author: previous?.author ?? { sub: actor.sub, ...(actor.name ? { name: actor.name } : {}) },
    createdAt: previous?.createdAt ?? at,
    updatedAt: at,
    updatedBy: actor.sub,
    version: (previous?.version ?? 0) + 1,
  };
  const change: EntryVersion = {
    entryId: entry.id,
    version: entry.version,
    action: previous ? 'updated' : 'created',
    at,
    by: by(actor),
    record: entry as unknown as Record<string, unknown>,
  };
  await deps.store.save(entry, change, previous);
  return entry;
}

/** Writes a new entry (authors). Its first product line is its home (the key); the code is claimed on every line listed. */
export async function createEntry(deps: KnowledgeDeps, actor: Actor, rawInput: unknown): Promise<Entry> {
  const { code, productLines, wizard, ...rest } = parseInput(entryInputSchema, rawInput);
  return save(deps, actor, {
    ...rest,
    productLine: productLines[0] as string,
    productLines,
    code: normalizeCode(code),
    ...(wizard ? { wizard } : {}),
  });
}

/** Writes the next version of an entry (authors): edits, publishing, archiving. The home line stays. */
export async function updateEntry(
  deps: KnowledgeDeps,
  actor: Actor,
  line: string,
  code: string,
  rawInput: unknown,
  ifMatch?: number,
): Promise<Entry> {
  const { productLines, wizard, ...rest } = parseInput(entryChangeSchema, rawInput);
  const current = await deps.store.get(line, code);
  if (!current) throw new NotFoundError(`no entry ${normalizeCode(code)} for ${line}`);
  if (ifMatch !== undefined && ifMatch !== current.version)
    throw new VersionConflictError(`entry ${current.id} is at version ${current.version}, not ${ifMatch}`, {
      currentVersion: current.version,
    });
  if (!productLines.includes(current.productLine))
    throw new ValidationError([
      { field: 'productLines', message: `must keep the entry's home line ${current.productLine}` },
    ]);
  return save(
    deps,
    actor,
    {
      ...rest,
      productLine: current.productLine,
      code: current.code,
      // The home line first, as on creation.
      productLines: [current.productLine, ...productLines.filter((l) => l !== current.productLine)],
      ...(wizard ? { wizard } : {}),
    },
    current,
  );
}

export function listEntries(deps: KnowledgeDeps, status: EntryStatus, page: PageQuery): Promise<Page<Entry>> {
  return deps.store.listByStatus(status, page);
}

export async function entryHistory(
  deps: KnowledgeDeps,
  line: string,
  code: string,
  page: PageQuery,
): Promise<Page<EntryVersion>> {
  const e = await deps.store.get(line, code);
  if (!e) throw new NotFoundError(`no entry ${normalizeCode(code)} for ${line}`);
  return deps.store.history(e.productLine, e.code, page);
}

/* ---- reading ---- */

export type EntryView = Entry & { stats: EntryStats };

/**
 * One entry by its exact code on a product line: one GetItem (two for a code claimed on another line).
 * Each read counts as a view of the entry, all time and on today's measures.
 */
export async function getEntry(
  deps: KnowledgeDeps,
  actor: Actor,
  line: string,
  code: string,
): Promise<EntryView> {
  const e = await visibleEntry(deps, actor, line, code);
  const customer = isCustomerOnly(actor);
  // Counted first, then read: a read alongside the count could see it or not (concurrent readers too).
  await Promise.all([
    deps.store.countEntry(e.productLine, e.code, { views: 1 }),
    deps.store.countDay(today(deps), { views: 1, ...(customer ? { customerViews: 1 } : {}) }, e),
  ]);
  return { ...e, stats: await deps.store.stats(e.productLine, e.code) };
}

/** Helpful or not: anyone who may read the entry says so, once per call. */
export async function giveFeedback(
  deps: KnowledgeDeps,
  actor: Actor,
  line: string,
  code: string,
  rawInput: unknown,
): Promise<EntryStats> {
  const { helpful } = parseInput(feedbackInputSchema, rawInput);
  const e = await visibleEntry(deps, actor, line, code);
  await deps.store.countEntry(e.productLine, e.code, helpful ? { helpful: 1 } : { notHelpful: 1 });
  return deps.store.stats(e.productLine, e.code);
}

/* ---- search ---- */

export interface SearchQuery {
  q: string;
  productLine?: string | undefined;
  audience?: Audience | undefined;
  language?: Language | undefined;
  limit: number;
}

export interface SearchAnswer {
  items: SearchHit[];
  /** The marker revision the index was built at. */
  revision: number;
}

async function runSearch(deps: KnowledgeDeps, actor: Actor, query: SearchQuery): Promise<SearchAnswer> {
  const { index, revision } = await deps.index.current(deps.store);
  const customer = isCustomerOnly(actor);
  // Customers see public entries whatever they ask for: enforced here, not by the client.
  const allowed: Audience[] = customer ? ['public'] : query.audience ? [query.audience] : [...audiences];
  const items = index.search(
    query.q,
    { audiences: allowed, productLine: query.productLine, language: query.language },
    query.limit,
  );
  await deps.store.countDay(today(deps), { searches: 1, ...(customer ? { customerSearches: 1 } : {}) });
  return { items, revision };
}

/** Full-text search over published entries: codes and titles first, typos forgiven, in both languages. */
export function searchEntries(deps: KnowledgeDeps, actor: Actor, query: SearchQuery): Promise<SearchAnswer> {
  return runSearch(deps, actor, query);
}

/**
 * The entries to show while a request is written: the symptoms as the query, on the unit's product line.
 * The request then carries what was shown (`knowledge.suggested` at intake), so staff see what the
 * customer tried and the measures can tell searches that ended in a request from those that did not.
 */
export function suggestEntries(
  deps: KnowledgeDeps,
  actor: Actor,
  query: { symptoms: string; productLine: string; language?: Language | undefined; limit: number },
): Promise<SearchAnswer> {
  return runSearch(deps, actor, {
    q: query.symptoms,
    productLine: query.productLine,
    language: query.language,
    limit: query.limit,
  });
}

/* ---- the diagnosis wizard ---- */

export interface WizardStep {
  entry: { productLine: string; code: string; title: string };
  /** The questions answered so far, in order. */
  path: Array<{ question: string; answer: string }>;
  /** The next question, while the walk is not at a leaf. */
  question?: { id: string; text: string; answers: Array<{ id: string; label: string }> };
  /** Where the walk ended: advice, or the entry to follow. */
  outcome?: { advice: string } | { entry: { productLine: string; code: string; title?: string } };
}

/**
 * Walks an entry's decision tree along `answers` (answer ids, in order): the next question, or the leaf
 * the walk reached. A wrong answer id names its place (`query.answers`).
 */
export async function walkWizard(
  deps: KnowledgeDeps,
  actor: Actor,
  line: string,
  code: string,
  answers: readonly string[],
): Promise<WizardStep> {
  const e = await visibleEntry(deps, actor, line, code);
  if (!e.wizard) throw new StateConflictError(`entry ${e.id} has no diagnosis wizard`);
  const nodes = new Map(e.wizard.nodes.map((n) => [n.id, n]));
  const step: WizardStep = { entry: { productLine: e.productLine, code: e.code, title: e.title }, path: [] };
  let node = nodes.get(e.wizard.start);
  for (const [i, answerId] of answers.entries()) {
    const answer = node?.answers.find((a) => a.id === answerId);
    if (!node || !answer)
      throw new ValidationError([
        {
          field: 'query.answers',
          message: node
            ? `answer ${i + 1} (${answerId}) is not one of ${node.answers.map((a) => a.id).join(', ')}`
            : `answer ${i + 1} (${answerId}) comes after the walk ended`,
        },
      ]);
    step.path.push({ question: node.question, answer: answer.label });
    if (answer.next) {
      node = nodes.get(answer.next);
      continue;
    }
    if (i !== answers.length - 1)
      throw new ValidationError([
        { field: 'query.answers', message: `the walk ended at answer ${i + 1}; drop the answers after it` },
      ]);
    if (answer.advice !== undefined) return { ...step, outcome: { advice: answer.advice } };
    const ref = answer.entry as { productLine: string; code: string };
    const target = await deps.store.get(ref.productLine, ref.code);
    return {
      ...step,
      outcome: {
        entry: {
          productLine: target?.productLine ?? ref.productLine,
          code: target?.code ?? normalizeCode(ref.code),
          ...(target && canSee(actor, target) ? { title: target.title } : {}),
        },
      },
    };
  }
  if (!node) throw new Error(`wizard of ${e.id} names a missing question`);
  return {
    ...step,
    question: {
      id: node.id,
      text: node.question,
      answers: node.answers.map((a) => ({ id: a.id, label: a.label })),
    },
  };
}

/* ---- measures ---- */

export interface KnowledgeMeasures {
  day: string;
  totals: Record<string, number>;
  /**
   * Self-service deflection: customer searches not followed by a request. Each request carries the
   * suggestions of the search before it, so requests after a search are counted at intake.
   */
  deflection: {
    customerSearches: number;
    requestsAfterSearch: number;
    deflected: number;
    rate: number | null;
  };
  /** Entries of the day by cases linked (followed, resolved with), then by views. */
  mostUsed: DayCounts['entries'];
}

export async function knowledgeMeasures(
  deps: KnowledgeDeps,
  day: string,
  limit: number,
): Promise<KnowledgeMeasures> {
  const { totals, entries } = await deps.store.day(day);
  const customerSearches = totals.customerSearches ?? 0;
  const requestsAfterSearch = totals.requestsAfterSearch ?? 0;
  const deflected = Math.max(0, customerSearches - requestsAfterSearch);
  return {
    day,
    totals,
    deflection: {
      customerSearches,
      requestsAfterSearch,
      deflected,
      rate: customerSearches ? Math.round((deflected / customerSearches) * 1000) / 1000 : null,
    },
    mostUsed: entries.sort((a, b) => b.uses - a.uses || b.views - a.views).slice(0, limit),
  };
}
