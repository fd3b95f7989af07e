import { LOCAL_PSEUDONYM_SECRET } from '../../local/socialmessaging-simulator';

/**
 * The environment a shipped function needs on the local parts beyond its template's: its table,
 * DynamoDB Local and the simulator through the SDK's standard endpoint variables, and the local
 * pseudonym secret.
 */
export function localPartsEnvironment(tableName: string, simulatorEndpoint: string): Record<string, string> {
  return {
    CONVERSATION_TABLE_NAME: tableName,
    AWS_ENDPOINT_URL_DYNAMODB: String(process.env.AWS_ENDPOINT_URL_DYNAMODB),
    AWS_ENDPOINT_URL_SOCIALMESSAGING: simulatorEndpoint,
    AWS_ENDPOINT_URL_SECRETS_MANAGER: simulatorEndpoint,
    PSEUDONYM_SECRET_ARN: LOCAL_PSEUDONYM_SECRET.arn,
  };
}
