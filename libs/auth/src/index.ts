export {
  allows,
  grpcAccess,
  grpcAccessOf,
  httpAccess,
  HttpAccessTable,
  isRole,
  roles,
  type Access,
  type Role,
} from './access';
export { isKnownApiKey, parseApiKeys, rolesOfApiKey, sha256, type ApiKeyEntry } from './api-keys';
export { anonymousAdmin, Authenticator, type AuthenticatorOptions, type Principal } from './authenticator';
export {
  authenticatorFromEnv,
  checkListenAddress,
  dashboardOidcFromEnv,
  isLoopback,
  roleMapFromEnv,
  type DashboardOidc,
} from './config';
export { holdsIn, parseGrant, type Grant } from './grant';
export { AuthConfigError, PermissionDeniedError, UnauthenticatedError } from './errors';
export { JwtVerifier, type JwtIdentity, type JwtSettings } from './jwt';
