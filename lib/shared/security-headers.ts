/**
 * The security headers of the web application and the API, defined once: CloudFront's response
 * headers policy in AWS (infra/web.ts) and the local server send the same values, so the browser
 * tests run the app under the policy it has in production.
 */

export interface ContentSecurityPolicyOptions {
  /**
   * Origins the app may call besides its own: in AWS the Cognito endpoints oidc-client-ts talks to
   * (the issuer's discovery document and the managed login domain's token endpoint).
   */
  readonly connectSources?: readonly string[];
  /** Ask the browser to load every subresource over https; only where the app is served over https. */
  readonly upgradeInsecureRequests?: boolean;
}

/**
 * No inline or evaluated script and no inline style anywhere: every script and style sheet is a file
 * the build emitted under /assets/. Only the API's own origin is called, plus the sign-in endpoints.
 */
export const contentSecurityPolicy = (options: ContentSecurityPolicyOptions = {}): string => {
  const directives: [string, ...string[]][] = [
    ['default-src', "'self'"],
    ['script-src', "'self'"],
    ['style-src', "'self'"],
    ['img-src', "'self'", 'data:'],
    ['font-src', "'self'"],
    ['connect-src', "'self'", ...(options.connectSources ?? [])],
    ['frame-ancestors', "'none'"],
    ['base-uri', "'self'"],
    ['form-action', "'self'"],
    ['object-src', "'none'"],
  ];
  if (options.upgradeInsecureRequests) directives.push(['upgrade-insecure-requests']);
  return directives.map((parts) => parts.join(' ')).join('; ');
};

/** Two years: the value HSTS preload lists ask for. */
export const HSTS_MAX_AGE_SECONDS = 63_072_000;

/** The headers besides the CSP, as CloudFront's response headers policy models them. */
export const SECURITY_HEADERS = {
  strictTransportSecurity: { maxAgeSeconds: HSTS_MAX_AGE_SECONDS, includeSubDomains: true },
  /** Never guess a content type: a JSON or CSV answer is never run as script. */
  contentTypeOptions: 'nosniff',
  /** Other sites learn at most the origin, never a grant's path or a list's filters. */
  referrerPolicy: 'strict-origin-when-cross-origin',
  /** For browsers that predate frame-ancestors. */
  frameOptions: 'DENY',
  /** Headers CloudFront has no dedicated setting for. */
  custom: {
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Permissions-Policy': 'camera=(), microphone=(), geolocation=(), payment=(), usb=()',
  },
} as const;

/** Every header with its value, for a server that sets them itself (the local server). */
export const securityHeaders = (options: ContentSecurityPolicyOptions = {}): Record<string, string> => {
  const hsts = SECURITY_HEADERS.strictTransportSecurity;
  return {
    'Content-Security-Policy': contentSecurityPolicy(options),
    'Strict-Transport-Security': `max-age=${hsts.maxAgeSeconds}${hsts.includeSubDomains ? '; includeSubDomains' : ''}`,
    'X-Content-Type-Options': SECURITY_HEADERS.contentTypeOptions,
    'Referrer-Policy': SECURITY_HEADERS.referrerPolicy,
    'X-Frame-Options': SECURITY_HEADERS.frameOptions,
    ...SECURITY_HEADERS.custom,
  };
};
