/**
 * The platform's service table: ids, default ports and start tiers. Every other package and the
 * start script read service facts from here so a port never has to be written twice.
 */
export const SERVICE_IDS = [
  'network',
  'identity',
  'logging',
  'catalog',
  'messaging',
  'integrations',
  'runtime',
  'assistants',
] as const;

export type ServiceId = (typeof SERVICE_IDS)[number];

export interface ServiceInfo {
  id: ServiceId;
  name: string;
  defaultPort: number;
  /** Start tier: a service only needs services of lower tiers (ARCHITECTURE.md §1). */
  tier: 1 | 2 | 3;
  description: string;
}

export const SERVICES: Readonly<Record<ServiceId, ServiceInfo>> = {
  network: { id: 'network', name: 'Network', defaultPort: 5054, tier: 1, description: 'Socket.IO event mesh, contracts, policies and traces (SoftSDN)' },
  identity: { id: 'identity', name: 'Identity', defaultPort: 5001, tier: 1, description: 'Users, agents, orgs, API keys, credentials vault and token introspection' },
  logging: { id: 'logging', name: 'Logging', defaultPort: 5002, tier: 1, description: 'Logs, metrics, traces, retention and AI analysis' },
  catalog: { id: 'catalog', name: 'Catalog', defaultPort: 5003, tier: 2, description: 'Versioned resources, artifacts and access policies' },
  messaging: { id: 'messaging', name: 'Messaging', defaultPort: 5005, tier: 2, description: 'Conversations, messages, control events, typing and presence' },
  integrations: { id: 'integrations', name: 'Integrations', defaultPort: 5007, tier: 2, description: 'LLM provider gateway with normalized responses and usage ledger' },
  runtime: { id: 'runtime', name: 'Runtime', defaultPort: 5006, tier: 3, description: 'Dataflow execution of component graphs with live monitoring' },
  assistants: { id: 'assistants', name: 'Assistants', defaultPort: 5004, tier: 3, description: 'Prompt graphs, rule engine, conversation state and handoff' },
};

export function isServiceId(value: string): value is ServiceId {
  return (SERVICE_IDS as readonly string[]).includes(value);
}

/** Services in dependency order: tier by tier, keeping the table's order inside a tier. */
export function servicesInStartOrder(ids: readonly ServiceId[] = SERVICE_IDS): ServiceId[] {
  return [...ids].sort((a, b) => SERVICES[a].tier - SERVICES[b].tier || SERVICE_IDS.indexOf(a) - SERVICE_IDS.indexOf(b));
}
