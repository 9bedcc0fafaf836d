import { EmailOffNotice } from '../system/EmailOffNotice';

/** Alert e-mails while e-mail is off: not kept anywhere, recorded as not sent, replayable. */
export function AlertEmailOffNotice({ compact = false }: { compact?: boolean }) {
  return (
    <EmailOffNotice compact={compact}>
      Alerts to e-mail channels are not sent: each delivery is recorded as “Not sent” in the delivery log,
      where you can replay it once e-mail works. Webhook channels are not affected.
    </EmailOffNotice>
  );
}
