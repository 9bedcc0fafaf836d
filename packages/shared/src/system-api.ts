import { z } from 'zod';

/**
 * What this server can do, for the console to say so where it matters (e.g. a banner wherever
 * e-mail would be sent while none can be).
 */
export const SystemCapabilities = z.object({
  email: z.object({
    /**
     * False when `CUSTOS_SMTP_URL` is unset: nothing is e-mailed. Invitation and password-reset
     * mails and security notices to users are kept in the outbox (super admins read them there);
     * alert e-mails are recorded as not sent.
     */
    configured: z.boolean(),
  }),
});
export type SystemCapabilities = z.infer<typeof SystemCapabilities>;
