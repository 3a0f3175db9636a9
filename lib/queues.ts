import { Duration } from 'aws-cdk-lib';
import { PolicyStatement, type IGrantable } from 'aws-cdk-lib/aws-iam';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { Consumer, QueueName, QueueSpec } from '../lambdas/manifest.ts';
import { VISIBILITY_TIMEOUT_FACTOR } from './manifest-checks.ts';

export interface QueuesProps {
  specs: QueueSpec[];
  namePrefix: string;
}

export interface ManifestQueue {
  spec: QueueSpec;
  queue: Queue;
  deadLetter: Queue;
}

/** SQS's longest retention: a poisoned message waits two weeks for someone to look at it. */
const DEAD_LETTER_RETENTION = Duration.days(14);

function queueId(name: string): string {
  return name.charAt(0).toUpperCase() + name.slice(1);
}

/** One queue and one dead-letter queue per manifest queue, whether or not a consumer exists yet. */
export class Queues extends Construct {
  private readonly byName = new Map<QueueName, ManifestQueue>();

  constructor(scope: Construct, id: string, props: QueuesProps) {
    super(scope, id);
    for (const spec of props.specs) {
      const secure = { encryption: QueueEncryption.SQS_MANAGED, enforceSSL: true };
      const deadLetter = new Queue(this, `${queueId(spec.name)}DeadLetter`, {
        ...secure,
        queueName: `${props.namePrefix}-${spec.name}-dlq`,
        retentionPeriod: DEAD_LETTER_RETENTION,
      });
      const queue = new Queue(this, queueId(spec.name), {
        ...secure,
        queueName: `${props.namePrefix}-${spec.name}`,
        visibilityTimeout: Duration.seconds(spec.visibilityTimeoutSeconds),
        deadLetterQueue: { queue: deadLetter, maxReceiveCount: spec.maxReceiveCount },
      });
      this.byName.set(spec.name, { spec, queue, deadLetter });
    }
  }

  get all(): ManifestQueue[] {
    return [...this.byName.values()];
  }

  get(name: QueueName): ManifestQueue {
    const found = this.byName.get(name);
    if (!found) throw new Error(`No queue "${name}" in the manifest`);
    return found;
  }

  /**
   * sqs:SendMessage (which SendMessageBatch needs too) and nothing else: CDK's grantSendMessages adds
   * GetQueueAttributes and GetQueueUrl, which no sender calls (its queue's URL is in its environment).
   * The queues use SQS-managed encryption, so a sender needs no key grant.
   */
  grantSend(grantee: IGrantable, name: QueueName): void {
    grantee.grantPrincipal.addToPrincipalPolicy(new PolicyStatement({ actions: ['sqs:SendMessage'], resources: [this.get(name).queue.queueArn] }));
  }

  /**
   * Makes `fn` the consumer of its queue. A visibility timeout shorter than six function timeouts
   * lets SQS hand a message still being processed (or retried) to a second invocation.
   */
  addConsumer(fn: IFunction, consumer: Consumer): void {
    const { spec, queue } = this.get(consumer.queue);
    const needed = VISIBILITY_TIMEOUT_FACTOR * consumer.timeoutSeconds;
    if (spec.visibilityTimeoutSeconds < needed) {
      throw new Error(
        `Queue "${spec.name}" has a visibility timeout of ${spec.visibilityTimeoutSeconds} s; consumer ${consumer.id} needs at least ${needed} s`,
      );
    }
    fn.addEventSource(
      new SqsEventSource(queue, {
        batchSize: consumer.batchSize,
        maxBatchingWindow: Duration.seconds(consumer.maxBatchingWindowSeconds),
        reportBatchItemFailures: true,
        maxConcurrency: consumer.maxConcurrency,
      }),
    );
  }
}
