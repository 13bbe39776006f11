export interface ServiceTokenProviderOptions {
  identityUrl: string;
  serviceId: string;
  secret: string;
  fetchImpl?: typeof fetch;
  /** Refresh this long before expiry so a token never expires mid-request. */
  refreshMarginMs?: number;
}

/**
 * Obtains and caches this service's own token (`POST /api/auth/service/token`), refreshing it
 * before it expires. Concurrent callers share one request.
 */
export function createServiceTokenProvider(options: ServiceTokenProviderOptions): () => Promise<string> {
  const doFetch = options.fetchImpl ?? fetch;
  const margin = options.refreshMarginMs ?? 60_000;
  let token: string | undefined;
  let expiresAt = 0;
  let pending: Promise<string> | undefined;

  async function fetchToken(): Promise<string> {
    const res = await doFetch(`${options.identityUrl.replace(/\/+$/, '')}/api/auth/service/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ serviceId: options.serviceId, secret: options.secret }),
      signal: AbortSignal.timeout(5_000),
    });
    if (res.status !== 200) throw new Error(`service token request failed with status ${res.status}`);
    const body = (await res.json()) as { token: string; expiresAt: string };
    token = body.token;
    expiresAt = Date.parse(body.expiresAt);
    return token;
  }

  return async () => {
    if (token && Date.now() < expiresAt - margin) return token;
    pending ??= fetchToken().finally(() => {
      pending = undefined;
    });
    return pending;
  };
}
