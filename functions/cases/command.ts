/** POST /cases/{id}/{action} — every action on a case; the rules are in shared/cases/commands.ts. */
import { type CaseCommandName, caseCommandNames } from '../../shared/cases/commands.ts';
import { runCaseCommand } from '../../shared/cases/service.ts';
import { type HttpRequest, type HttpResult, httpRoutes, type Operations } from '../../shared/http/bundle.ts';
import { etag, ifMatchVersion } from '../../shared/http/query.ts';
import { cases, commandRouteKey } from './catalog.ts';
import { caseDeps } from './deps.ts';

/** The operation of one action: the route key fixes the command. */
const action =
  (name: CaseCommandName) =>
  async (
    req: HttpRequest<{ TABLE_NAME: string; TIME_ZONE: string }, { id: string }>,
  ): Promise<HttpResult> => {
    const c = await runCaseCommand(
      caseDeps(req.env),
      req.actor,
      req.params.id,
      name,
      req.body,
      ifMatchVersion(req.headers),
    );
    return { status: 200, body: c, headers: 'version' in c ? etag(c.version) : {} };
  };

const operations = Object.fromEntries(
  caseCommandNames.map((name) => [commandRouteKey(name), action(name)]),
) as unknown as Operations<typeof cases, 'case-command', HttpResult>;

export const handler = httpRoutes(cases, 'case-command', operations);
