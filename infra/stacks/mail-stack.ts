import { Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { MailSender } from '../constructs/mail.ts';

/** Properties of {@link MailStack}. */
export interface MailStackProps extends StackProps {
  readonly mailDomain: string;
  /** Use the domain's existing, verified identity instead of creating it. */
  readonly importIdentity: boolean;
  /** `aftercare-<stage>`. */
  readonly configurationSetName: string;
}

/**
 * The stage's sending identity and configuration set. Deployed before the user pool, which sends its
 * invitations and codes through the same verified domain, and before the functions that mail.
 */
export class MailStack extends Stack {
  readonly sender: MailSender;

  constructor(scope: Construct, id: string, props: MailStackProps) {
    super(scope, id, props);
    this.sender = new MailSender(this, 'Sender', {
      mailDomain: props.mailDomain,
      importIdentity: props.importIdentity,
      configurationSetName: props.configurationSetName,
    });
  }
}
