import nodemailer from 'nodemailer';
import type { Db } from '../db/client.js';
import { emailOutbox } from '../db/schema/index.js';

export interface Mail {
  to: string;
  subject: string;
  body: string;
}

/** `disabled` sends nothing, `outbox` stores messages for the SA listing (tests), `smtp` sends. */
export interface Mailer {
  readonly enabled: boolean;
  readonly mode: 'disabled' | 'smtp' | 'outbox';
  send(db: Db, mail: Mail): Promise<void>;
}

export function createMailer(config: { mode: 'disabled' | 'smtp' | 'outbox'; smtpUrl?: string; from: string }): Mailer {
  if (config.mode === 'smtp') {
    const transport = nodemailer.createTransport(config.smtpUrl!);
    return {
      enabled: true,
      mode: 'smtp',
      async send(_db, mail) {
        await transport.sendMail({ from: config.from, to: mail.to, subject: mail.subject, text: mail.body });
      },
    };
  }
  if (config.mode === 'outbox') {
    return {
      enabled: true,
      mode: 'outbox',
      async send(db, mail) {
        await db.insert(emailOutbox).values(mail);
      },
    };
  }
  return { enabled: false, mode: 'disabled', async send() {} };
}
