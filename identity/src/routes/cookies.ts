import type { Response } from 'express';

const MAX_AGE = 604_800;

/** The browser session cookie of §1.5. */
export function setTokenCookie(res: Response, token: string, secure: boolean): void {
  res.append('Set-Cookie', `token=${token}; HttpOnly; Path=/; SameSite=Lax; Max-Age=${MAX_AGE}${secure ? '; Secure' : ''}`);
}

export function clearTokenCookie(res: Response, secure: boolean): void {
  res.append('Set-Cookie', `token=; HttpOnly; Path=/; SameSite=Lax; Max-Age=0${secure ? '; Secure' : ''}`);
}
