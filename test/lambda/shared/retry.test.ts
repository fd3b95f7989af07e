import {
  AccessDeniedException,
  InternalServiceException,
  InvalidParametersException,
  ThrottledRequestException,
} from '@aws-sdk/client-socialmessaging';
import { classifyCallError } from '../../../lambda/shared/retry';

const meta = (httpStatusCode: number) => ({ $metadata: { httpStatusCode } });

describe('classifyCallError', () => {
  test.each([
    ['ThrottledRequestException', new ThrottledRequestException({ message: 'slow down', ...meta(429) })],
    ['InternalServiceException', new InternalServiceException({ message: 'oops', ...meta(500) })],
    ['an unnamed 503', Object.assign(new Error('unavailable'), meta(503))],
    ['an unnamed 429', Object.assign(new Error('too many'), meta(429))],
    [
      'a network error without HTTP status',
      Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }),
    ],
    ['a request timeout', Object.assign(new Error('timed out'), { name: 'TimeoutError' })],
    ['something that is not an Error', 'weird'],
  ])('%s is transient', (_name, error) => {
    expect(classifyCallError(error).kind).toBe('transient');
  });

  test.each([
    ['InvalidParametersException', new InvalidParametersException({ message: 'bad', ...meta(400) })],
    ['AccessDeniedException', new AccessDeniedException({ message: 'no', ...meta(403) })],
    ['an unnamed 404', Object.assign(new Error('not found'), meta(404))],
    ['ValidationException', Object.assign(new Error('invalid'), { name: 'ValidationException' }, meta(400))],
  ])('%s is permanent', (_name, error) => {
    expect(classifyCallError(error).kind).toBe('permanent');
  });
});
