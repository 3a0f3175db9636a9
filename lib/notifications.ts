import type { IGrantable } from 'aws-cdk-lib/aws-iam';
import { Alias } from 'aws-cdk-lib/aws-kms';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';

export interface NotificationsProps {
  namePrefix: string;
}

/**
 * The topic push notifications (new comment, new reaction) are published to; mobile platform
 * endpoints subscribe to it outside this stack.
 */
export class Notifications extends Construct {
  readonly topic: Topic;

  constructor(scope: Construct, id: string, props: NotificationsProps) {
    super(scope, id);
    this.topic = new Topic(this, 'Topic', {
      topicName: `${props.namePrefix}-notifications`,
      // The AWS-managed SNS key: encrypted at rest, and publishers in the account need no key grant.
      masterKey: Alias.fromAliasName(this, 'SnsKey', 'alias/aws/sns'),
      enforceSSL: true,
    });
  }

  grantPublish(grantee: IGrantable): void {
    this.topic.grantPublish(grantee);
  }
}
