import nodemailer from 'nodemailer';
import type { Config } from './config';

/** Sends a plain-text e-mail; resolves false when the deployment has no SMTP server configured. */
export type Mailer = (to: string, subject: string, text: string) => Promise<boolean>;

/** The deployment's mailer: nodemailer over SMTP_URL, or one that sends nothing. */
export function createMailer(config: Pick<Config, 'smtpUrl' | 'mailFrom'>): Mailer {
  if (!config.smtpUrl) return () => Promise.resolve(false);
  const transport = nodemailer.createTransport(config.smtpUrl);
  return async (to, subject, text) => {
    await transport.sendMail({ from: config.mailFrom, to, subject, text });
    return true;
  };
}
