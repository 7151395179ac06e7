/** Wiring of the knowledge functions: the store and the search index, built once per execution environment. */
import { type KnowledgeDeps, SearchIndexCache } from '../../shared/knowledge/service.ts';
import { DynamoKnowledgeStore } from '../../shared/knowledge/store.ts';
import { now } from '../../shared/runtime/clock.ts';
import { documentClient } from '../../shared/store/client.ts';

let deps: KnowledgeDeps | undefined;

export function knowledgeDeps(env: { TABLE_NAME: string; TIME_ZONE: string }): KnowledgeDeps {
  deps ??= {
    store: new DynamoKnowledgeStore(documentClient(), env.TABLE_NAME),
    index: new SearchIndexCache(),
    now,
    timeZone: env.TIME_ZONE,
  };
  return deps;
}
