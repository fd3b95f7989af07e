/** A placeholder topic ARN for events that no real topic delivered (local runs, replays). */
export const PLACEHOLDER_TOPIC_ARN = 'arn:aws:sns:us-east-1:123456789012:WhatsAppPipeline-InboundTopic';

/**
 * The Lambda SNS event that delivers one message of a topic, as Lambda passes it to a subscriber.
 * Keeping the SNS MessageId keeps a redelivery recognizable as such.
 */
export function snsEventOf(
  message: string,
  snsMessageId: string,
  options: { topicArn?: string; timestamp?: string; subject?: string | null } = {},
) {
  const topicArn = options.topicArn ?? PLACEHOLDER_TOPIC_ARN;
  return {
    Records: [
      {
        EventSource: 'aws:sns',
        EventVersion: '1.0',
        EventSubscriptionArn: `${topicArn}:subscription`,
        Sns: {
          Type: 'Notification',
          MessageId: snsMessageId,
          TopicArn: topicArn,
          Subject: options.subject ?? null,
          Message: message,
          Timestamp: options.timestamp ?? new Date().toISOString(),
          MessageAttributes: {},
        },
      },
    ],
  };
}
