import { Duration } from 'aws-cdk-lib';
import type { IHttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import { Alarm, ComparisonOperator, Dashboard, GraphWidget, TextWidget, TreatMissingData, type IMetric, type IWidget } from 'aws-cdk-lib/aws-cloudwatch';
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
 * bug or an outage). Each fires on the first occurrence in a five-minute period. Also a queue whose
 * oldest message is older than its spec allows. One dashboard shows the same metrics side by side.
 */
export class Monitoring extends Construct {
  readonly alarmTopic?: Topic;
  readonly alarms: Alarm[] = [];
  readonly dashboard: Dashboard;
  private readonly namePrefix: string;
  private readonly widgets: { api: IWidget[]; queues: IWidget[]; functions: IWidget[] } = { api: [], queues: [], functions: [] };

  constructor(scope: Construct, id: string, props: MonitoringProps) {
    super(scope, id);
    this.namePrefix = props.namePrefix;
    this.dashboard = new Dashboard(this, 'Dashboard', { dashboardName: props.namePrefix, defaultInterval: Duration.hours(3) });
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

  /** Alarms when the oldest message waits longer than `maxAgeSeconds`; graphs depth and age. */
  queueAge(queueName: string, queue: IQueue, deadLetter: IQueue, maxAgeSeconds: number): void {
    const id = `${queueName.charAt(0).toUpperCase()}${queueName.slice(1)}Queue`;
    const age = queue.metricApproximateAgeOfOldestMessage({ period: Duration.minutes(1), statistic: 'Maximum' });
    this.add(`${id}Age`, `${queueName} queue: oldest message older than ${maxAgeSeconds} s`, age, { threshold: maxAgeSeconds, evaluationPeriods: 3 });
    this.widgets.queues.push(
      new GraphWidget({
        title: `${queueName} queue`,
        left: [queue.metricApproximateNumberOfMessagesVisible({ label: 'visible' }), deadLetter.metricApproximateNumberOfMessagesVisible({ label: 'dead letters' })],
        right: [age.with({ label: 'oldest (s)' })],
        width: 6,
      }),
    );
  }

  function(id: string, fn: IFunction): void {
    this.add(`${id}Errors`, `${id}: invocation errors`, fn.metricErrors({ period: PERIOD, statistic: 'Sum' }));
    this.add(`${id}Throttles`, `${id}: throttled invocations`, fn.metricThrottles({ period: PERIOD, statistic: 'Sum' }));
    this.widgets.functions.push(
      new GraphWidget({
        title: id,
        left: [fn.metricInvocations({ statistic: 'Sum' }), fn.metricErrors({ statistic: 'Sum' }), fn.metricThrottles({ statistic: 'Sum' })],
        right: [fn.metricDuration({ statistic: 'p99', label: 'duration p99 (ms)' })],
        width: 6,
      }),
    );
  }

  httpApi(api: IHttpApi): void {
    this.add('HttpApi5xx', 'HTTP API: 5xx responses', api.metricServerError({ period: PERIOD, statistic: 'Sum' }));
    this.widgets.api.push(
      new GraphWidget({
        title: 'HTTP API',
        left: [api.metricCount({ statistic: 'Sum' }), api.metricClientError({ statistic: 'Sum' }), api.metricServerError({ statistic: 'Sum' })],
        right: [api.metricLatency({ statistic: 'p99', label: 'latency p99 (ms)' })],
        width: 12,
      }),
    );
  }

  /** Lays the dashboard out once every part has been added: the API, then queues, then functions. */
  finishDashboard(): void {
    this.dashboard.addWidgets(new TextWidget({ markdown: `# ${this.namePrefix}\nAlarms: ${this.alarms.length} (queue age, dead letters, errors, throttles, 5xx)`, width: 12, height: 2 }));
    for (const row of [this.widgets.api, this.widgets.queues, this.widgets.functions]) if (row.length) this.dashboard.addWidgets(...row);
  }

  private add(id: string, description: string, metric: IMetric, options: { threshold?: number; evaluationPeriods?: number } = {}): void {
    const alarm = new Alarm(this, id, {
      alarmName: `${this.namePrefix}-${id}`,
      alarmDescription: description,
      metric,
      threshold: options.threshold ?? 0,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: options.evaluationPeriods ?? 1,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    if (this.alarmTopic) alarm.addAlarmAction(new SnsAction(this.alarmTopic));
    this.alarms.push(alarm);
  }
}
