import type { SystemCapabilities } from '@custos/shared';
import type { Caller } from '../../platform/http/caller';
import { unauthenticated } from '../../platform/http/errors';
import type { Mailer } from '../../platform/mail/mailer';

/**
 * What this server can do, for any signed-in caller or API key: the console shows a banner
 * wherever e-mail would be sent while none can be. Not for anonymous callers: how a server is
 * configured is nobody else's business.
 */
export function createCapabilities(mailer: Pick<Mailer, 'configured'>) {
  return {
    get(caller: Caller): SystemCapabilities {
      if (caller.kind === 'anonymous') throw unauthenticated();
      return { email: { configured: mailer.configured } };
    },
  };
}
