import nodemailer, { type Transporter } from 'nodemailer';

export interface MailMessage {
  to: string;
  subject: string;
  text: string;
}

export type DeliveryResult =
  | { status: 'sent' }
  | { status: 'undelivered' }
  | { status: 'failed'; error: string };

export interface Mailer {
  /** True when an SMTP server is configured. */
  readonly configured: boolean;
  send(message: MailMessage): Promise<DeliveryResult>;
  close(): void;
}

/** Sends through SMTP when a URL is configured; otherwise reports every message as undelivered. */
export function createMailer(smtp: { url: string; from: string } | null): Mailer {
  if (!smtp) {
    return { configured: false, send: async () => ({ status: 'undelivered' }), close: () => {} };
  }
  const transport: Transporter = nodemailer.createTransport(smtp.url);
  return {
    configured: true,
    async send(message) {
      try {
        await transport.sendMail({ from: smtp.from, ...message });
        return { status: 'sent' };
      } catch (error) {
        return { status: 'failed', error: error instanceof Error ? error.message : String(error) };
      }
    },
    close: () => transport.close(),
  };
}
