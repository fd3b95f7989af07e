import { SocialMessagingClient } from '@aws-sdk/client-socialmessaging';
import * as z from 'zod/mini';
import { ENV } from '../../contracts';
import { requireEnv } from '../shared/env';
import { logger } from '../shared/observability';
import { scrub } from '../shared/privacy';
import { customResourceHandler } from './custom-resource';
import { WabaLinker } from './link';

// Retries are the linker's, bounded by the invocation's time budget. What it may touch comes from
// the stack (its environment), never from a request.
const linker = new WabaLinker(new SocialMessagingClient({ maxAttempts: 1 }), {
  topicArn: requireEnv(ENV.linkerTopicArn),
  wabas: z.array(z.string()).parse(JSON.parse(requireEnv(ENV.linkerWabas))),
});

/** Custom resource: points a WhatsApp Business Account's event destination at the inbound topic. */
export const handler = customResourceHandler(
  (request, deadline, controls) => linker.handle(request, deadline, controls),
  {
    log: (message, details) =>
      logger.error(message, {
        ...details,
        ...(typeof details.reason === 'string' ? { reason: scrub(details.reason) } : {}),
      }),
  },
);
