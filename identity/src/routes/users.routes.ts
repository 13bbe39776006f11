import { defineRoute, noStore, type AnyRouteSpec } from '@symbia/http';
import { z } from 'zod';
import type { IdentityServices } from '../services/container.js';
import { actingUserId, boundOrgId, callerOf, userJwt, userOrKey } from './guards.js';
import { email, loginPassword, password, personName } from './schemas.js';

const userDetail = z.looseObject({ id: z.uuid(), email: z.string(), name: z.string(), isSuperAdmin: z.boolean(), isActive: z.boolean() });

export function createUsersRoutes(svc: IdentityServices): AnyRouteSpec[] {
  return [
    defineRoute({
      method: 'get', path: '/api/users/me', operationId: 'users.me.get', summary: 'The calling user with orgs and grants',
      tags: ['users'], auth: 'user', guards: [userOrKey],
      responses: { 200: { description: 'User', schema: userDetail } }, errors: ['AUTH_REQUIRED', 'IDENTITY_USER_TOKEN_REQUIRED'],
      handler: ({ req }) => svc.users.me(actingUserId(req), boundOrgId(req)),
    }),
    defineRoute({
      method: 'patch', path: '/api/users/me', operationId: 'users.me.update', summary: 'Change name or email (email needs the current password)',
      tags: ['users'], auth: 'user-jwt', guards: [userJwt],
      body: z.strictObject({ name: personName.optional(), email: email.optional(), currentPassword: loginPassword.optional() }),
      responses: { 200: { description: 'User', schema: userDetail } },
      errors: ['VALIDATION_FAILED', 'IDENTITY_CURRENT_PASSWORD_INVALID', 'IDENTITY_EMAIL_TAKEN'],
      handler: ({ body, req }) => svc.users.updateMe(callerOf(req), actingUserId(req), body),
    }),
    defineRoute({
      method: 'post', path: '/api/users/me/password', operationId: 'users.me.password', summary: 'Change the password; every other token is revoked',
      tags: ['users'], auth: 'user-jwt', guards: [userJwt],
      body: z.strictObject({ currentPassword: loginPassword, newPassword: password }),
      responses: { 200: { description: 'A fresh token', schema: z.object({ token: z.string(), expiresAt: z.string() }) } },
      errors: ['VALIDATION_FAILED', 'IDENTITY_CURRENT_PASSWORD_INVALID', 'IDENTITY_PASSWORD_WEAK'],
      handler: async ({ body, req, res }) => {
        noStore(res);
        return svc.users.changePassword(callerOf(req), actingUserId(req), body);
      },
    }),
    defineRoute({
      method: 'post', path: '/api/users/me/sessions/revoke', operationId: 'users.me.sessions.revoke', summary: 'Revoke every token of the caller, this one included',
      tags: ['users'], auth: 'user-jwt', guards: [userJwt],
      responses: { 204: { description: 'Revoked' } }, errors: ['AUTH_REQUIRED'],
      handler: async ({ req, res }) => {
        await svc.users.revokeSessions(callerOf(req), actingUserId(req));
        res.status(204).end();
      },
    }),
    defineRoute({
      method: 'get', path: '/api/dashboard', operationId: 'users.dashboard', summary: "The caller's orgs and recent activity",
      tags: ['users'], auth: 'user', guards: [userOrKey],
      responses: { 200: { description: 'Dashboard', schema: z.object({ organizations: z.array(z.looseObject({ id: z.uuid() })), recentActivity: z.array(z.looseObject({ id: z.uuid() })) }) } },
      errors: ['AUTH_REQUIRED'],
      handler: ({ req }) => svc.users.dashboard(actingUserId(req), boundOrgId(req)),
    }),
  ];
}
