import type { TokenCredential } from '@azure/identity';
import type { CosmosAuth, KafkaConnection } from './config';

let shared: Promise<TokenCredential> | undefined;

/**
 * The process's Entra ID credential: DefaultAzureCredential, which on Azure is the managed identity
 * (IDENTITY_ENDPOINT / IMDS; AZURE_CLIENT_ID picks a user-assigned one) and elsewhere workload
 * identity, environment or Azure CLI credentials. One per process, as it caches tokens; loaded only
 * when a setting asks for it.
 */
export function azureCredential(): Promise<TokenCredential> {
  shared ??= import('@azure/identity').then(({ DefaultAzureCredential }) => new DefaultAzureCredential());
  return shared;
}

/** What the Cosmos DB adapter signs in with: the key, or the Entra ID credential. */
export async function cosmosSignIn(
  auth: CosmosAuth,
): Promise<{ readonly key: string } | { readonly credential: TokenCredential }> {
  return auth.kind === 'key' ? { key: auth.key } : { credential: await azureCredential() };
}

/** SASL as kafkajs takes it; OAUTHBEARER asks the credential for a token on each authentication. */
export interface KafkaClientSettings {
  readonly ssl?: boolean;
  readonly sasl?:
    | Exclude<KafkaConnection['sasl'], { mechanism: 'oauthbearer' }>
    | { readonly mechanism: 'oauthbearer'; readonly oauthBearerProvider: () => Promise<{ value: string }> };
}

export function kafkaClientSettings(connection: KafkaConnection): KafkaClientSettings {
  const sasl = connection.sasl;
  if (sasl?.mechanism !== 'oauthbearer') return connection as KafkaClientSettings;
  return {
    ...connection,
    sasl: {
      mechanism: 'oauthbearer',
      oauthBearerProvider: async () => {
        const token = await (await azureCredential()).getToken(sasl.scope);
        if (token === null) throw new Error(`no Entra ID token for ${sasl.scope}`);
        return { value: token.token };
      },
    },
  };
}
