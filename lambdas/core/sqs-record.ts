import type { SQSRecord } from 'aws-lambda';

/** Whether SQS delivered this record before (a retry: the earlier attempt may have failed midway). */
export function isRedelivery(record: SQSRecord): boolean {
  return Number(record.attributes?.ApproximateReceiveCount ?? 1) > 1;
}
