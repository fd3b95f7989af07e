import { javaProblem } from '../../local/dynamodb-local';

describe('the Java check of DynamoDB Local', () => {
  test('without Java on the PATH, says what to install, in one line', () => {
    expect(javaProblem({ PATH: '/nonexistent' })).toBe(
      'install Java 17 or newer (DynamoDB Local needs it), then run again',
    );
  });
});
