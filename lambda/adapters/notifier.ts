import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';

/** Publishes notifications for people to a topic (the alerts topic: e-mail, chat, pager). */
export class TopicNotifier {
  constructor(
    private readonly client: SNSClient,
    private readonly topicArn: string,
  ) {}

  /** Publishes one notification. */
  async publish(subject: string, message: string): Promise<void> {
    await this.client.send(
      new PublishCommand({ TopicArn: this.topicArn, Subject: subject, Message: message }),
    );
  }
}
