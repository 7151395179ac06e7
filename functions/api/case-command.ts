/** POST /cases/{id}/{command} — every action on a case; the rules are in shared/cases/commands.ts. */
import type { CaseCommandName } from '../../shared/cases/commands.ts';
import { runCaseCommand } from '../../shared/cases/service.ts';
import { httpHandler } from '../../shared/http/bundle.ts';
import { caseDeps } from './deps.ts';
import { etag, ifMatchVersion } from './query.ts';

export const handler = httpHandler(async (req) => {
  // The route key fixes the command: API Gateway only routes the names declared in functions/routes.ts.
  const name = req.routeKey.split('/').at(-1) as CaseCommandName;
  const c = await runCaseCommand(
    caseDeps(),
    req.actor,
    req.params.id ?? '',
    name,
    req.body,
    ifMatchVersion(req.headers),
  );
  return { status: 200, body: c, headers: 'version' in c ? etag(c.version) : {} };
});
