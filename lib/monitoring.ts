import { Duration } from 'aws-cdk-lib';
import type { IHttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import { Alarm, ComparisonOperator, TreatMissingData, type IMetric } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { acknowledge } from './nag.ts';

export interface MonitoringProps {
  namePrefix: string;
  /** Subscribed to an alarm topic when given; otherwise alarms only change state in CloudWatch. */
  alarmEmail?: string;
}

const PERIOD = Duration.minutes(5);

/**
 * Alarms on what should never happen: a message in a dead-letter queue, a function error or
 * throttle, a 5xx from the HTTP API (handlers turn every expected failure into a 4xx, so a 5xx is a
 * bug or an outage). Each fires on the first occurrence in a five-minute period.
 */
export class Monitoring extends Construct {
  readonly alarmTopic?: Topic;
  readonly alarms: Alarm[] = [];
  private readonly namePrefix: string;

  constructor(scope: Construct, id: string, props: MonitoringProps) {
    super(scope, id);
    this.namePrefix = props.namePrefix;
    if (props.alarmEmail) {
      this.alarmTopic = new Topic(this, 'AlarmTopic', { topicName: `${props.namePrefix}-alarms`, enforceSSL: true });
      this.alarmTopic.addSubscription(new EmailSubscription(props.alarmEmail));
      acknowledge(
        this.alarmTopic,
        'AwsSolutions-SNS2',
        'CloudWatch alarm actions cannot publish to a topic encrypted with the AWS-managed SNS key, and alarm messages carry only alarm names and metric states (no user data), so a customer-managed key would buy nothing.',
      );
    }
  }

  deadLetterQueue(queueName: string, queue: IQueue): void {
    const id = `${queueName.charAt(0).toUpperCase()}${queueName.slice(1)}Queue`;
    this.add(`${id}DeadLetters`, `${queueName} queue: messages in the dead-letter queue`, queue.metricApproximateNumberOfMessagesVisible({ period: PERIOD, statistic: 'Maximum' }));
  }

  function(id: string, fn: IFunction): void {
    this.add(`${id}Errors`, `${id}: invocation errors`, fn.metricErrors({ period: PERIOD, statistic: 'Sum' }));
    this.add(`${id}Throttles`, `${id}: throttled invocations`, fn.metricThrottles({ period: PERIOD, statistic: 'Sum' }));
  }

  httpApi(api: IHttpApi): void {
    this.add('HttpApi5xx', 'HTTP API: 5xx responses', api.metricServerError({ period: PERIOD, statistic: 'Sum' }));
  }

  private add(id: string, description: string, metric: IMetric): void {
    const alarm = new Alarm(this, id, {
      alarmName: `${this.namePrefix}-${id}`,
      alarmDescription: description,
      metric,
      threshold: 0,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    if (this.alarmTopic) alarm.addAlarmAction(new SnsAction(this.alarmTopic));
    this.alarms.push(alarm);
  }
}
