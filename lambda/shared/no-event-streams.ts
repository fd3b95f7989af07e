/**
 * What the shipped bundles put in place of the AWS SDK's event-stream support
 * (`@smithy/core/event-streams`), which none of the functions' operations use.
 *
 * The SDK's protocols load that module with `await import()` on the first event-stream operation.
 * A module loaded that way cannot be hoisted by esbuild, nor can anything it shares with the rest
 * of the bundle: most of the SDK became lazily initialized wrappers, compiled twice, and the
 * processor's cold init was about 6 ms longer (docs/benchmarks.md). With this stub there is nothing
 * to load lazily, and an operation that does stream events fails with the message below.
 *
 * A function whose clients need event streams (S3's client loads them when it is built; so do
 * Lambda's, Bedrock Runtime's and Transcribe Streaming's) sets `sdkEventStreams: true` on its
 * PipelineFunction (lib/constructs/pipeline-function.ts). Without it, its build fails on an import
 * this module does not have, such as `resolveEventStreamSerdeConfig`.
 */
const MESSAGE =
  "This bundle leaves out the AWS SDK's event-stream support: set sdkEventStreams on the function's PipelineFunction.";

function unavailable(): never {
  throw new Error(MESSAGE);
}

/** Stands in for the SDK's event-stream serializer; building it throws. */
export class EventStreamSerde {
  constructor() {
    unavailable();
  }
}

/** Stands in for the SDK's event-stream marshaller provider; calling it throws. */
export const eventStreamSerdeProvider = unavailable;
