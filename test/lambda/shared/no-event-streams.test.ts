import { EventStreamSerde, eventStreamSerdeProvider } from '../../../lambda/shared/no-event-streams';

describe('the event-stream stub of the shipped bundles', () => {
  test('building the serializer throws, saying how to keep event streams', () => {
    expect(() => new EventStreamSerde()).toThrow(/set sdkEventStreams on the function's PipelineFunction/);
  });

  test('the marshaller provider throws the same', () => {
    expect(() => eventStreamSerdeProvider()).toThrow(/sdkEventStreams/);
  });
});
