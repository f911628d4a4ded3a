import { describe, expect, it } from 'vitest';
import { contentSecurityPolicy, securityHeaders } from '../../lib/shared/security-headers';

const directives = (csp: string) =>
  new Map(
    csp.split(';').map((part) => {
      const [name = '', ...values] = part.trim().split(/\s+/);
      return [name, values] as const;
    }),
  );

describe('the Content-Security-Policy', () => {
  it('allows no inline or evaluated script, no inline style, no plugins and no framing', () => {
    const csp = directives(contentSecurityPolicy());
    expect(csp.get('script-src')).toEqual(["'self'"]);
    expect(csp.get('style-src')).toEqual(["'self'"]);
    expect(csp.get('object-src')).toEqual(["'none'"]);
    expect(csp.get('frame-ancestors')).toEqual(["'none'"]);
    expect(contentSecurityPolicy()).not.toMatch(/unsafe-inline|unsafe-eval|\*/);
  });

  it('lets the app call only its own origin and the sign-in endpoints it is given', () => {
    const csp = directives(
      contentSecurityPolicy({
        connectSources: [
          'https://cognito-idp.eu-central-1.amazonaws.com',
          'https://x.auth.eu-central-1.amazoncognito.com',
        ],
      }),
    );
    expect(csp.get('connect-src')).toEqual([
      "'self'",
      'https://cognito-idp.eu-central-1.amazonaws.com',
      'https://x.auth.eu-central-1.amazoncognito.com',
    ]);
    expect(directives(contentSecurityPolicy()).get('connect-src')).toEqual(["'self'"]);
  });

  it('upgrades insecure requests only where asked (https in AWS, never on local http)', () => {
    expect(
      directives(contentSecurityPolicy({ upgradeInsecureRequests: true })).has('upgrade-insecure-requests'),
    ).toBe(true);
    expect(directives(contentSecurityPolicy()).has('upgrade-insecure-requests')).toBe(false);
  });
});

describe('the headers for a server that sets them itself', () => {
  it('are the CSP and the same values CloudFront’s policy gets', () => {
    const headers = securityHeaders();
    expect(headers['Content-Security-Policy']).toBe(contentSecurityPolicy());
    expect(headers['Strict-Transport-Security']).toBe('max-age=63072000; includeSubDomains');
    expect(headers['X-Content-Type-Options']).toBe('nosniff');
    expect(headers['Referrer-Policy']).toBe('strict-origin-when-cross-origin');
    expect(headers['X-Frame-Options']).toBe('DENY');
    expect(headers['Cross-Origin-Opener-Policy']).toBe('same-origin');
  });
});
