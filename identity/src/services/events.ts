import type { Logger } from 'pino';

export type IdentityEventType =
  | 'identity.token.revoked'
  | 'identity.user.sessionsRevoked'
  | 'identity.key.revoked'
  | 'identity.agent.deactivated'
  | 'identity.membership.changed'
  | 'identity.org.deleted';

/**
 * Where identity's mesh events go (§2.11). Until the relay package exists this logs each event and
 * notifies in-process listeners (identity's own auth cache); the network issue plugs in the relay.
 */
export interface EventPublisher {
  publish(type: IdentityEventType, payload: Record<string, unknown>): void;
}

export function createLoggingPublisher(logger: Logger, listeners: Array<(type: string, payload: Record<string, unknown>) => void> = []): EventPublisher {
  return {
    publish(type, payload) {
      logger.info({ event: type, payload }, 'identity event');
      for (const listener of listeners) listener(type, payload);
    },
  };
}
