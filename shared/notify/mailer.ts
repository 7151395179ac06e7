/**
 * Outgoing e-mail: the port the domain sends through, and its SES v2 implementation.
 * `AWS_ENDPOINT_URL_SESV2` points the same client at the local outbox when running on one machine,
 * where every message is written as a MIME file instead of being sent.
 */
import type { SESv2Client } from '@aws-sdk/client-sesv2';
import { SDK_RETRY } from '../store/client.ts';

export interface EmailMessage {
  to: string;
  subject: string;
  text: string;
  html?: string;
  /** Where replies go (for surveys `survey+<token>@<domain>`, read back by the inbound handler). */
  replyTo?: string;
}

export interface Mailer {
  /** Sends one message; resolves to the provider's message id. Throws when the provider refuses it. */
  sendEmail(message: EmailMessage): Promise<{ messageId: string }>;
}

export interface SesMailerOptions {
  /** Verified sender, e.g. `Aftercare <service@aftercare.example>`. */
  from: string;
  /**
   * SES configuration set named on every send: the reputation metrics and suppression of the stage, also
   * when the identity has no default set (an imported identity). The send grant names it too.
   */
  configurationSet: string;
}

/**
 * Sends through SES v2. The SDK client is loaded with the first message: most invocations of the
 * functions holding a mailer (timers that only reschedule, runs with nothing to send) never send one.
 */
export class SesMailer implements Mailer {
  constructor(
    private readonly client: () => Promise<SESv2Client>,
    private readonly options: SesMailerOptions,
  ) {}

  async sendEmail(message: EmailMessage): Promise<{ messageId: string }> {
    const { SendEmailCommand } = await import('@aws-sdk/client-sesv2');
    const out = await (await this.client()).send(
      new SendEmailCommand({
        FromEmailAddress: this.options.from,
        Destination: { ToAddresses: [message.to] },
        ...(message.replyTo ? { ReplyToAddresses: [message.replyTo] } : {}),
        ConfigurationSetName: this.options.configurationSet,
        Content: {
          Simple: {
            Subject: { Data: message.subject, Charset: 'UTF-8' },
            Body: {
              Text: { Data: message.text, Charset: 'UTF-8' },
              ...(message.html ? { Html: { Data: message.html, Charset: 'UTF-8' } } : {}),
            },
          },
        },
      }),
    );
    if (!out.MessageId) throw new Error('SES accepted the message without returning a message id');
    return { messageId: out.MessageId };
  }
}

let client: Promise<SESv2Client> | undefined;
/** One client per execution environment, created on first use. */
export function sesClient(): Promise<SESv2Client> {
  client ??= import('@aws-sdk/client-sesv2').then(({ SESv2Client }) => new SESv2Client({ ...SDK_RETRY }));
  return client;
}
