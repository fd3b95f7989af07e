import { isSupportedMediaMimeType } from '../../../lambda/domain/media';

describe('isSupportedMediaMimeType', () => {
  test.each(['image/jpeg', 'audio/ogg; codecs=opus', 'Application/PDF', 'image/webp'])(
    '%s is supported',
    (type) => {
      expect(isSupportedMediaMimeType(type)).toBe(true);
    },
  );

  test.each(['application/x-msdownload', 'image/gif', '', 'audio'])('"%s" is not', (type) => {
    expect(isSupportedMediaMimeType(type)).toBe(false);
  });
});
