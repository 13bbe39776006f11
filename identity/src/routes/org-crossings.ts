import type { RequestHandler } from 'express';
import type { Logger } from 'pino';
import type { Db } from '../db/client.js';
import { audit } from '../services/audit.service.js';
import { crossingsOf, callerOf } from './guards.js';

/**
 * §1.6: every request in which a super admin acts in an org they do not belong to is audited as
 * `admin.org_crossed`. Written once the response has succeeded, so a refused or failed request
 * still writes nothing; a failure to write is logged and never changes the answer already sent.
 */
export function recordOrgCrossings(db: Db, logger: Logger): RequestHandler {
  return (req, res, next) => {
    res.on('finish', () => {
      const crossed = [...new Set(crossingsOf(req))];
      if (crossed.length === 0 || res.statusCode >= 400) return;
      const caller = callerOf(req);
      const route = `${req.method} ${req.route?.path ?? req.path}`;
      void Promise.all(
        crossed.map((orgId) => audit(db, caller, { action: 'admin.org_crossed', orgId, resource: 'org', resourceId: orgId, metadata: { route } })),
      ).catch((err: unknown) => logger.error({ err: err instanceof Error ? err.message : String(err) }, 'could not audit an org crossing'));
    });
    next();
  };
}
