import { LOCAL_AWS_ENV } from '../../local/aws-env';

// Every suite runs with fixed fake credentials and region, so no SDK client in a test can ever
// reach a real account, and suites need no set-up of their own to talk to local parts.
Object.assign(process.env, LOCAL_AWS_ENV);
