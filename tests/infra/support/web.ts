import { logicalId, type SynthesizedStack } from './template';

/** CloudFront's managed policies by id (the same in every account). */
export const MANAGED_CACHE_POLICY = { cachingDisabled: '4135ea2d-6df8-44a3-9df3-4b5a84be39ad' } as const;
export const MANAGED_ORIGIN_REQUEST_POLICY = {
  allViewerExceptHostHeader: 'b689b0a8-53d0-40ab-baf2-68738e2966ac',
} as const;

export type Behaviour = Record<string, unknown> & { PathPattern?: string; TargetOriginId?: string };

export const distributionConfig = (s: SynthesizedStack): Record<string, unknown> =>
  s.resource(logicalId(s.stack.web.distribution)).Properties.DistributionConfig as Record<string, unknown>;

/** The additional cache behaviours, in the order CloudFront evaluates them. */
export const behaviours = (s: SynthesizedStack): Behaviour[] =>
  (distributionConfig(s).CacheBehaviors as Behaviour[] | undefined) ?? [];

/** A CloudFront path pattern as a regular expression: `*` any characters, `?` one; the leading slash optional. */
const patternRegExp = (pattern: string) =>
  new RegExp(
    `^${pattern
      .replace(/^\//, '')
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.')}$`,
  );

/** The behaviour CloudFront picks for a path: the first pattern that matches, else the default. */
export const cloudFrontMatch = (s: SynthesizedStack, path: string): Behaviour => {
  const relative = path.replace(/^\//, '');
  const found = behaviours(s).find((b) => patternRegExp(String(b.PathPattern)).test(relative));
  return found ?? (distributionConfig(s).DefaultCacheBehavior as Behaviour);
};

/** Every logical id a resource's properties refer to (Ref, Fn::GetAtt). */
export const referencedIds = (resource: { Properties: unknown; DependsOn?: unknown }): Set<string> => {
  const ids = new Set<string>();
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) {
      for (const item of value) visit(item);
      return;
    }
    if (!value || typeof value !== 'object') return;
    for (const [key, inner] of Object.entries(value)) {
      if (key === 'Ref' && typeof inner === 'string' && !inner.startsWith('AWS::')) ids.add(inner);
      else if (key === 'Fn::GetAtt' && Array.isArray(inner)) ids.add(String(inner[0]));
      else visit(inner);
    }
  };
  visit(resource.Properties);
  for (const id of [resource.DependsOn ?? []].flat()) ids.add(String(id));
  return ids;
};

/** Runs the CloudFront Function's code as CloudFront would, on a viewer request for `uri`. */
export const runViewerRequest = (code: string, uri: string): unknown => {
  const handler = new Function(`${code}\nreturn handler;`)() as (event: unknown) => unknown;
  return handler({
    version: '1.0',
    context: { eventType: 'viewer-request' },
    viewer: { ip: '192.0.2.1' },
    request: { method: 'GET', uri, querystring: {}, headers: {}, cookies: {} },
  });
};
