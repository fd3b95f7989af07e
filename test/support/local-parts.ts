import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { SocialMessagingClient } from '@aws-sdk/client-socialmessaging';
import type { SocialMessagingSimulator } from '../../local/socialmessaging-simulator';
import { localDynamoDbClient } from './assembly';
import { socialMessagingClient, startSimulator } from './simulator';

/** The real parts a test file talks to: DynamoDB Local, a simulator of its own, and the SDK clients. */
export interface LocalParts {
  readonly dynamo: DynamoDBClient;
  readonly simulator: SocialMessagingSimulator;
  /** A SocialMessaging client without SDK retries, as the handlers build it. */
  readonly messaging: SocialMessagingClient;
}

/**
 * Starts the parts before the file's tests, resets the simulator after each test, and stops
 * everything after the file. Read the parts inside tests (they exist once `beforeAll` ran).
 */
export function useLocalParts(): LocalParts {
  let parts: LocalParts | undefined;
  const get = (): LocalParts => {
    if (parts === undefined) throw new Error('Local parts are used before beforeAll');
    return parts;
  };
  beforeAll(async () => {
    parts = {
      dynamo: localDynamoDbClient(),
      simulator: await startSimulator(),
      messaging: socialMessagingClient(),
    };
  });
  afterEach(() => parts?.simulator.reset());
  afterAll(async () => {
    parts?.dynamo.destroy();
    parts?.messaging.destroy();
    await parts?.simulator.stop();
  });
  return {
    get dynamo() {
      return get().dynamo;
    },
    get simulator() {
      return get().simulator;
    },
    get messaging() {
      return get().messaging;
    },
  };
}
