import { Controller, Get, Req } from '@nestjs/common';
import { principalOf } from '../auth/http-auth';
import { durableBasePath } from './routes';

export interface WhoAmI {
  readonly authenticated: boolean;
  readonly roles: readonly string[];
}

/** Who the caller is, for the dashboard to show what it may do (auth off: an unauthenticated admin). */
@Controller(`${durableBasePath}/auth`)
export class WhoAmIController {
  @Get('whoami')
  whoami(@Req() req: unknown): WhoAmI {
    const principal = principalOf(req);
    return { authenticated: principal.authenticated, roles: principal.roles };
  }
}
