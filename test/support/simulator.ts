import { SocialMessagingClient } from '@aws-sdk/client-socialmessaging';
import { type SimulatorOptions, SocialMessagingSimulator } from '../../local/socialmessaging-simulator';

/**
 * Starts a SocialMessaging simulator for one test file and points the SDK at it the standard way,
 * through AWS_ENDPOINT_URL_SOCIALMESSAGING, as the Lambda code is pointed at it.
 */
export async function startSimulator(options: SimulatorOptions = {}): Promise<SocialMessagingSimulator> {
  const simulator = await SocialMessagingSimulator.start(options);
  process.env.AWS_ENDPOINT_URL_SOCIALMESSAGING = simulator.endpoint;
  return simulator;
}

/** A client configured only by the environment, without SDK retries, as the handler builds it. */
export function socialMessagingClient(): SocialMessagingClient {
  return new SocialMessagingClient({ maxAttempts: 1 });
}
