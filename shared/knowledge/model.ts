/**
 * The knowledge base (SPEC §9, §3 triage): troubleshooting entries — code, cause, ordered steps — per
 * product line, for agents solving simple problems remotely and customers helping themselves. Keys are
 * declared once here, next to the schemas; `test/unit/schema-versions.test.ts` fails when a schema
 * changes without a version bump.
 *
 * | item | pk | sk | index (access pattern) |
 * |---|---|---|---|
 * | entry | `KB` | `ENTRY#<line>#<CODE>` | gsi2 `KBSTATUS#<status>` / `<line>#<CODE>` (authors' lists by status) |
 * | alias (code claim of another line of the entry) | `KB` | `ENTRY#<line>#<CODE>` | — |
 * | search marker | `KB` | `MARKER` | — (one GetItem per search: rebuild the index when it moved) |
 * | version (history) | `KBV#<line>#<CODE>` | `V#<version, 8 digits>` | — |
 * | entry counters | `KBSTATS#<line>#<CODE>` | `STATS` | — (atomic `ADD`) |
 * | day totals | `KBDAY#<yyyy-mm-dd>` | `TOTALS` | — (atomic `ADD`; read with the day's entries) |
 * | entry of a day | `KBDAY#<yyyy-mm-dd>` | `ENTRY#<line>#<CODE>` | — (atomic `ADD`) |
 *
 * Entries share one partition so the search index is rebuilt from one strongly consistent Query (an
 * index is only eventually consistent: a rebuild from it could label a stale index with a new marker).
 * Counters live apart from the entry, so replacing an entry at its next version never loses a count.
 */
import * as z from 'zod/mini';
import { type ItemKind, outboxSchema } from '../store/item.ts';
import { Index, indexKeys, key } from '../store/table.ts';
import { lazySchema, text } from '../validation.ts';

export const KNOWLEDGE_ENTRY_SCHEMA_VERSION = 1;
export const KNOWLEDGE_ALIAS_SCHEMA_VERSION = 1;
export const KNOWLEDGE_VERSION_SCHEMA_VERSION = 1;
export const KNOWLEDGE_MARKER_SCHEMA_VERSION = 1;
export const KNOWLEDGE_STATS_SCHEMA_VERSION = 1;
export const KNOWLEDGE_DAY_SCHEMA_VERSION = 1;

export const audiences = ['internal', 'public'] as const;
export type Audience = (typeof audiences)[number];
export const entryStatuses = ['draft', 'published', 'archived'] as const;
export type EntryStatus = (typeof entryStatuses)[number];
export const languages = ['zh-CN', 'en'] as const;
export type Language = (typeof languages)[number];

/**
 * A product line as the directory writes it (`air-conditioner`). Declared here rather than imported: the
 * case model imports this module, and the directory model imports the case model.
 */
export const productLine = () =>
  z
    .string()
    .check(
      z.maxLength(48),
      z.regex(/^[a-z][a-z0-9-]{1,47}$/, 'expected a product line such as air-conditioner'),
    );

/** Limits of one entry: it is one item (≤ 400 KB), and the search index holds every published one. */
export const ENTRY_LIMITS = {
  productLines: 10,
  symptoms: 20,
  steps: 30,
  wizardNodes: 30,
  answersPerNode: 8,
} as const;

/* ------------------------------------------------------------------------------------------------
 * Field rules
 * ---------------------------------------------------------------------------------------------- */

/** A fault or entry code as printed on a display or in a manual: `E1`, `F-04`, `WH.E1`. Stored upper case. */
export const entryCode = () =>
  z
    .string()
    .check(
      z.trim(),
      z.maxLength(32),
      z.regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$/, 'expected a code of letters, digits and _.-'),
    );
export const normalizeCode = (code: string): string => code.trim().toUpperCase();

/** An entry named from outside (a case, a wizard leaf): its product line and code. */
export const entryRefSchema = lazySchema(() =>
  z.strictObject({ productLine: productLine(), code: entryCode() }),
);
export type EntryRef = z.infer<typeof entryRefSchema>;

const nodeId = () =>
  z.string().check(z.maxLength(32), z.regex(/^[a-z0-9][a-z0-9-]{0,31}$/, 'expected an id such as no-power'));

const httpsUrl = () =>
  z
    .string()
    .check(z.maxLength(500), z.regex(/^https:\/\/[^\s"<>]{3,492}$/, 'expected an https:// image URL'));

/** One answer of a wizard question: it leads to another question, to an entry, or ends with advice. */
const wizardAnswerSchema = lazySchema(() =>
  z.strictObject({
    id: nodeId(),
    label: text(200),
    next: z.optional(nodeId()),
    entry: z.optional(entryRefSchema),
    advice: z.optional(text(1000)),
  }),
);

/**
 * A small decision tree: questions whose answers lead to the next question, to an entry, or to advice.
 * Every answer has exactly one outcome; every `next` names a node; no question is reached twice on a
 * walk (no cycles), so a walk always ends at a leaf.
 */
export const wizardSchema = lazySchema(() =>
  z
    .strictObject({
      start: nodeId(),
      nodes: z
        .array(
          z.strictObject({
            id: nodeId(),
            question: text(300),
            answers: z
              .array(wizardAnswerSchema)
              .check(z.minLength(1), z.maxLength(ENTRY_LIMITS.answersPerNode)),
          }),
        )
        .check(z.minLength(1), z.maxLength(ENTRY_LIMITS.wizardNodes)),
    })
    .check(
      z.superRefine((w, ctx) => {
        for (const issue of wizardIssues(w)) ctx.addIssue({ ...issue, input: w });
      }),
    ),
);
export type Wizard = z.infer<typeof wizardSchema>;

function wizardIssues(w: {
  start: string;
  nodes: Array<{
    id: string;
    answers: Array<{ id: string; next?: string; entry?: unknown; advice?: string }>;
  }>;
}): Array<{ code: 'custom'; message: string; path: (string | number)[] }> {
  const issues: Array<{ code: 'custom'; message: string; path: (string | number)[] }> = [];
  const byId = new Map(w.nodes.map((n) => [n.id, n]));
  if (byId.size !== w.nodes.length)
    issues.push({ code: 'custom', message: 'two questions have the same id', path: ['nodes'] });
  if (!byId.has(w.start)) issues.push({ code: 'custom', message: `no question ${w.start}`, path: ['start'] });
  w.nodes.forEach((n, i) => {
    if (new Set(n.answers.map((a) => a.id)).size !== n.answers.length)
      issues.push({ code: 'custom', message: 'two answers have the same id', path: ['nodes', i, 'answers'] });
    n.answers.forEach((a, j) => {
      const outcomes = [a.next, a.entry, a.advice].filter((o) => o !== undefined).length;
      if (outcomes !== 1)
        issues.push({
          code: 'custom',
          message: 'an answer leads to exactly one of next, entry or advice',
          path: ['nodes', i, 'answers', j],
        });
      if (a.next !== undefined && !byId.has(a.next))
        issues.push({
          code: 'custom',
          message: `no question ${a.next}`,
          path: ['nodes', i, 'answers', j, 'next'],
        });
    });
  });
  if (issues.length) return issues;
  // Depth-first from the start: a question met again on the same walk is a cycle.
  const onWalk = new Set<string>();
  const done = new Set<string>();
  const cyclic = (id: string): boolean => {
    if (onWalk.has(id)) return true;
    if (done.has(id)) return false;
    onWalk.add(id);
    const found = (byId.get(id)?.answers ?? []).some((a) => a.next !== undefined && cyclic(a.next));
    onWalk.delete(id);
    done.add(id);
    return found;
  };
  if (cyclic(w.start))
    issues.push({ code: 'custom', message: 'the questions lead round in a circle', path: ['nodes'] });
  return issues;
}

/* ------------------------------------------------------------------------------------------------
 * Inputs
 * ---------------------------------------------------------------------------------------------- */

const entryFields = {
  /** The first is the entry's home line (its key); the code is claimed on every line listed. */
  productLines: lazySchema(() =>
    z.array(productLine()).check(
      z.minLength(1),
      z.maxLength(ENTRY_LIMITS.productLines),
      z.refine((ls) => new Set(ls).size === ls.length, 'a product line is listed twice'),
    ),
  ),
  title: lazySchema(() => text(200)),
  symptoms: lazySchema(() => z.array(text(300)).check(z.minLength(1), z.maxLength(ENTRY_LIMITS.symptoms))),
  cause: lazySchema(() => text(2000)),
  steps: lazySchema(() =>
    z
      .array(z.strictObject({ text: text(2000), imageUrl: z.optional(httpsUrl()) }))
      .check(z.minLength(1), z.maxLength(ENTRY_LIMITS.steps)),
  ),
  audience: z.enum(audiences),
  language: z.enum(languages),
  status: lazySchema(() => z._default(z.enum(entryStatuses), 'draft')),
  wizard: z.optional(wizardSchema),
};

export const entryInputSchema = lazySchema(() => z.strictObject({ code: entryCode(), ...entryFields }));
export type EntryInput = z.infer<typeof entryInputSchema>;
/** A new version of an entry: everything but its code (the path names it). */
export const entryChangeSchema = z.strictObject(entryFields);
export type EntryChange = z.infer<typeof entryChangeSchema>;

export const feedbackInputSchema = lazySchema(() => z.strictObject({ helpful: z.boolean() }));

/* ------------------------------------------------------------------------------------------------
 * Stored items
 * ---------------------------------------------------------------------------------------------- */

const header = <E extends string, V extends number>(entity: E, version: V) => ({
  entity: z.literal(entity),
  schemaVersion: z.literal(version),
});

const storedWizard = lazySchema(() =>
  z.object({
    start: z.string(),
    nodes: z.array(
      z.object({
        id: z.string(),
        question: z.string(),
        answers: z.array(
          z.object({
            id: z.string(),
            label: z.string(),
            next: z.optional(z.string()),
            entry: z.optional(z.object({ productLine: z.string(), code: z.string() })),
            advice: z.optional(z.string()),
          }),
        ),
      }),
    ),
  }),
);

export const entryItemSchema = lazySchema(() =>
  z.object({
    ...header('KnowledgeEntry', KNOWLEDGE_ENTRY_SCHEMA_VERSION),
    /** `<home line>:<CODE>`. */
    id: z.string(),
    productLine: z.string(),
    code: z.string(),
    productLines: z.array(z.string()),
    title: z.string(),
    symptoms: z.array(z.string()),
    cause: z.string(),
    steps: z.array(z.object({ text: z.string(), imageUrl: z.optional(z.string()) })),
    audience: z.enum(audiences),
    language: z.enum(languages),
    status: z.enum(entryStatuses),
    wizard: z.optional(storedWizard),
    author: z.object({ sub: z.string(), name: z.optional(z.string()) }),
    createdAt: z.string(),
    updatedAt: z.string(),
    updatedBy: z.string(),
    version: z.number(),
  }),
);
export type Entry = Omit<z.output<typeof entryItemSchema>, 'entity' | 'schemaVersion'>;

/** The code of an entry claimed on another of its product lines: points to the entry's home line. */
export const aliasItemSchema = lazySchema(() =>
  z.object({
    ...header('KnowledgeAlias', KNOWLEDGE_ALIAS_SCHEMA_VERSION),
    productLine: z.string(),
    code: z.string(),
    homeLine: z.string(),
  }),
);

/** One version of an entry, as it became (SPEC §11: who changed what, when); carries the change's events. */
export const versionItemSchema = lazySchema(() =>
  z.object({
    ...header('KnowledgeVersion', KNOWLEDGE_VERSION_SCHEMA_VERSION),
    entryId: z.string(),
    version: z.number(),
    action: z.enum(['created', 'updated']),
    at: z.string(),
    by: z.object({ sub: z.string(), role: z.string() }),
    record: z.record(z.string(), z.unknown()),
    outbox: outboxSchema,
  }),
);
export type EntryVersion = Omit<z.output<typeof versionItemSchema>, 'entity' | 'schemaVersion' | 'outbox'>;

/** Moves with every entry change: search functions rebuild their index when it is not what they built. */
export const markerItemSchema = lazySchema(() =>
  z.object({
    ...header('KnowledgeMarker', KNOWLEDGE_MARKER_SCHEMA_VERSION),
    revision: z.number(),
    updatedAt: z.string(),
  }),
);

/** Counters of one entry, all time. */
export const statsItemSchema = lazySchema(() =>
  z.object({
    ...header('KnowledgeStats', KNOWLEDGE_STATS_SCHEMA_VERSION),
    views: z.optional(z.number()),
    helpful: z.optional(z.number()),
    notHelpful: z.optional(z.number()),
    /** Cases that named the entry: suggested at intake, or resolved remotely with it. */
    uses: z.optional(z.number()),
  }),
);
export type EntryStats = { views: number; helpful: number; notHelpful: number; uses: number };

/** Counters of a day: the totals (sk `TOTALS`) and one item per entry used or viewed that day. */
export const dayItemSchema = lazySchema(() =>
  z.object({
    ...header('KnowledgeDay', KNOWLEDGE_DAY_SCHEMA_VERSION),
    day: z.string(),
    productLine: z.optional(z.string()),
    code: z.optional(z.string()),
    /** Every search and suggestion request. */
    searches: z.optional(z.number()),
    /** Searches by customers (self-service). */
    customerSearches: z.optional(z.number()),
    views: z.optional(z.number()),
    customerViews: z.optional(z.number()),
    /** Requests customers opened carrying the suggestions of a search (self-service not enough). */
    requestsAfterSearch: z.optional(z.number()),
    /** Cases linked to an entry (intake suggestions, remote resolution). */
    uses: z.optional(z.number()),
    remoteResolutions: z.optional(z.number()),
  }),
);

/** Every stored kind of the knowledge base, for the schema version test. */
export const knowledgeItemKinds: ItemKind[] = [
  { entity: 'KnowledgeEntry', version: KNOWLEDGE_ENTRY_SCHEMA_VERSION, schema: entryItemSchema },
  { entity: 'KnowledgeAlias', version: KNOWLEDGE_ALIAS_SCHEMA_VERSION, schema: aliasItemSchema },
  { entity: 'KnowledgeVersion', version: KNOWLEDGE_VERSION_SCHEMA_VERSION, schema: versionItemSchema },
  { entity: 'KnowledgeMarker', version: KNOWLEDGE_MARKER_SCHEMA_VERSION, schema: markerItemSchema },
  { entity: 'KnowledgeStats', version: KNOWLEDGE_STATS_SCHEMA_VERSION, schema: statsItemSchema },
  { entity: 'KnowledgeDay', version: KNOWLEDGE_DAY_SCHEMA_VERSION, schema: dayItemSchema },
];

/* ------------------------------------------------------------------------------------------------
 * Keys
 * ---------------------------------------------------------------------------------------------- */

const KB = 'KB';
const ENTRY = 'ENTRY';
const padded = (n: number) => String(n).padStart(8, '0');
const entryPart = (line: string, code: string) => key(line, normalizeCode(code));

export const entryId = (line: string, code: string) => `${line}:${normalizeCode(code)}`;

export const knowledgeKeys = {
  partition: KB,
  /** The entry (or the alias claiming its code on another line). */
  entry: (line: string, code: string) => ({ pk: KB, sk: key(ENTRY, entryPart(line, code)) }),
  entryPrefix: key(ENTRY, ''),
  byStatus: (status: EntryStatus) => key('KBSTATUS', status),
  marker: { pk: KB, sk: 'MARKER' },
  version: (line: string, code: string, version: number) => ({
    pk: key('KBV', entryPart(line, code)),
    sk: key('V', padded(version)),
  }),
  versions: (line: string, code: string) => key('KBV', entryPart(line, code)),
  stats: (line: string, code: string) => ({ pk: key('KBSTATS', entryPart(line, code)), sk: 'STATS' }),
  dayPartition: (day: string) => key('KBDAY', day),
  dayTotals: (day: string) => ({ pk: key('KBDAY', day), sk: 'TOTALS' }),
  dayEntry: (day: string, line: string, code: string) => ({
    pk: key('KBDAY', day),
    sk: key(ENTRY, entryPart(line, code)),
  }),
};

export const knowledgeItems = {
  entry: (e: Entry) => ({
    ...knowledgeKeys.entry(e.productLine, e.code),
    ...indexKeys(Index.byStatus, knowledgeKeys.byStatus(e.status), entryPart(e.productLine, e.code)),
    entity: 'KnowledgeEntry',
    schemaVersion: KNOWLEDGE_ENTRY_SCHEMA_VERSION,
    ...e,
  }),
  alias: (line: string, code: string, homeLine: string) => ({
    ...knowledgeKeys.entry(line, code),
    entity: 'KnowledgeAlias',
    schemaVersion: KNOWLEDGE_ALIAS_SCHEMA_VERSION,
    productLine: line,
    code: normalizeCode(code),
    homeLine,
  }),
  version: (e: Entry, v: EntryVersion) => ({
    ...knowledgeKeys.version(e.productLine, e.code, v.version),
    entity: 'KnowledgeVersion',
    schemaVersion: KNOWLEDGE_VERSION_SCHEMA_VERSION,
    ...v,
  }),
};

/* ------------------------------------------------------------------------------------------------
 * Links from cases
 * ---------------------------------------------------------------------------------------------- */

/** How a case came to name an entry. */
export const linkKinds = ['suggested', 'followed', 'resolved'] as const;
export type LinkKind = (typeof linkKinds)[number];

/**
 * What intake takes from a self-service session: the entries suggested (and those the customer opened)
 * before they opened the request anyway.
 */
export const intakeKnowledgeSchema = lazySchema(() =>
  z.strictObject({
    suggested: z._default(z.array(entryRefSchema).check(z.maxLength(10)), () => []),
    followed: z._default(z.array(entryRefSchema).check(z.maxLength(10)), () => []),
  }),
);
export type IntakeKnowledge = z.infer<typeof intakeKnowledgeSchema>;
