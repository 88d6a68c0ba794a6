import { createHash, randomUUID } from 'node:crypto';
import type { Message } from '@aws-sdk/client-sqs';
import { EMULATOR_REGION } from '../aws/call';

/**
 * The Lambda event of one SNS message on `topicArn`, as SNS delivers it to a subscribed function
 * (https://docs.aws.amazon.com/lambda/latest/dg/with-sns.html): the message as a JSON string, the subscription's
 * ARN; Signature and certificate URL are placeholders (nothing checks them on delivery to Lambda).
 */
export function snsDelivery(
  subscriptionArn: string,
  topicArn: string,
  subject: string,
  message: unknown,
): { Records: unknown[] } {
  const region = topicArn.split(':')[3];
  return {
    Records: [
      {
        EventVersion: '1.0',
        EventSubscriptionArn: subscriptionArn,
        EventSource: 'aws:sns',
        Sns: {
          SignatureVersion: '1',
          Timestamp: new Date().toISOString(),
          Signature: 'EXAMPLE',
          SigningCertUrl: `https://sns.${region}.amazonaws.com/SimpleNotificationService-EXAMPLE.pem`,
          MessageId: randomUUID(),
          Message: JSON.stringify(message),
          MessageAttributes: {},
          Type: 'Notification',
          UnsubscribeUrl: `https://sns.${region}.amazonaws.com/?Action=Unsubscribe&SubscriptionArn=${subscriptionArn}`,
          TopicArn: topicArn,
          Subject: subject,
        },
      },
    ],
  };
}

/**
 * The Lambda event of messages received from a queue, as an SQS event source mapping delivers them
 * (https://docs.aws.amazon.com/lambda/latest/dg/with-sqs.html): received with every system attribute.
 */
export function sqsDelivery(
  queueArn: string,
  messages: readonly Message[],
): { Records: unknown[] } {
  return {
    Records: messages.map((m) => ({
      messageId: m.MessageId,
      receiptHandle: m.ReceiptHandle,
      body: m.Body ?? '',
      attributes: m.Attributes ?? {},
      messageAttributes: {},
      md5OfBody:
        m.MD5OfBody ??
        createHash('md5')
          .update(m.Body ?? '')
          .digest('hex'),
      eventSource: 'aws:sqs',
      eventSourceARN: queueArn,
      awsRegion: EMULATOR_REGION,
    })),
  };
}
