import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { logger } from './logger.ts';

/**
 * An SQS consumer that reports partial batch failures (Powertools batch): a record whose handler
 * throws is retried on its own (and reaches the DLQ after maxReceiveCount); the others commit.
 */
export function sqsConsumer(consumerId: string, handleRecord: (record: SQSRecord) => Promise<void>) {
  const processor = new BatchProcessor(EventType.SQS);
  return async (event: SQSEvent, context: Context): Promise<SQSBatchResponse> => {
    logger.addContext(context);
    logger.appendKeys({ consumer: consumerId });
    return processPartialResponse(event, handleRecord, processor, { context, throwOnFullBatchFailure: false });
  };
}
