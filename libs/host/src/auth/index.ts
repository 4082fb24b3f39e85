export { httpAuthMiddleware, principalOf, type AuthenticatedRequest } from './http-auth';
export { securityFromEnv, tlsFromEnv, type Security, type TlsFiles } from './security';
