export type { EndpointDoc, JsonSchema, ProblemCodeDoc, ResponseDoc, ServiceDoc, SocketDoc, SocketEventDoc } from './types.js';
export { schemaFieldLines, summarizeSchema } from './json-schema.js';
export { renderLlmsFullTxt, renderLlmsTxt } from './llms.js';
