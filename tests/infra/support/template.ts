import { type CfnElement, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import type { FunctionName } from '../../../infra/functions';
import type { FundingTrackerStack } from '../../../infra/stack';
import { buildTestApp, type TestAppOptions } from './app';

export type Resource = { Type: string; Properties: Record<string, unknown>; [key: string]: unknown };

/** The logical id CloudFormation knows a construct's resource by. */
export const logicalId = (construct: IConstruct): string => {
  const element = (construct.node.defaultChild ?? construct) as CfnElement;
  return Stack.of(construct).getLogicalId(element);
};

/**
 * A synthesized stack with names a reader understands: `Ledger/index/byDue` instead of a
 * Fn::Join over a logical id, `logs(sweeper)` instead of the sweeper's log group's id.
 */
export class SynthesizedStack {
  readonly template: Template;
  readonly resources: Readonly<Record<string, Resource>>;
  private readonly labels = new Map<string, string>();

  constructor(
    readonly stack: FundingTrackerStack,
    readonly stubbed: readonly FunctionName[],
  ) {
    this.template = Template.fromStack(stack);
    this.resources = this.template.toJSON().Resources as Record<string, Resource>;
    const { stateful, stateless } = stack;
    for (const bound of stateful.tables) this.labels.set(logicalId(bound.table), bound.def.id);
    this.labels.set(logicalId(stateful.bus), 'Bus');
    this.labels.set(logicalId(stateful.alertSender), 'AlertSender');
    this.labels.set(logicalId(stateful.auditLog), 'AuditLog');
    for (const [key, queue] of Object.entries(stateful.deadLetterQueues))
      this.labels.set(logicalId(queue), `dlq(${key})`);
    for (const [name, fn] of Object.entries(stateless.functions)) {
      this.labels.set(logicalId(fn), `fn(${name})`);
      const logGroup = fn.node.scope?.node.tryFindChild(`${fn.node.id}Logs`);
      if (logGroup) this.labels.set(logicalId(logGroup), `logs(${name})`);
    }
  }

  label(id: string): string {
    return this.labels.get(id) ?? id;
  }

  /** A resource ARN or name as text, intrinsic functions replaced by labels. */
  describe(value: unknown): string {
    if (typeof value === 'string') return value;
    if (Array.isArray(value)) return value.map((v) => this.describe(v)).join('');
    if (value && typeof value === 'object') {
      const intrinsic = value as Record<string, unknown>;
      if ('Ref' in intrinsic) {
        const ref = String(intrinsic.Ref);
        return ref.startsWith('AWS::') ? `{${ref.slice(5)}}` : this.label(ref);
      }
      if ('Fn::GetAtt' in intrinsic) {
        const [id, attribute] = intrinsic['Fn::GetAtt'] as [string, string];
        if (attribute === 'Arn') return this.label(id);
        if (attribute === 'StreamArn') return `${this.label(id)}/stream`;
        return `${this.label(id)}.${attribute}`;
      }
      if ('Fn::Join' in intrinsic) {
        const [separator, parts] = intrinsic['Fn::Join'] as [string, unknown[]];
        return parts.map((part) => this.describe(part)).join(separator);
      }
    }
    return JSON.stringify(value);
  }

  ofType(type: string): [string, Resource][] {
    return Object.entries(this.resources).filter(([, resource]) => resource.Type === type);
  }

  /** The one resource of a type (its logical id and itself); anything but exactly one is an error. */
  single(type: string): [string, Resource] {
    const [first, ...others] = this.ofType(type);
    if (!first || others.length > 0)
      throw new Error(`expected one ${type}, found ${others.length + (first ? 1 : 0)}`);
    return first;
  }

  /** A resource by logical id; missing is an error. */
  resource(id: string): Resource {
    const found = this.resources[id];
    if (!found) throw new Error(`no resource ${id}`);
    return found;
  }

  /** Every allowed `action resource` pair of a role, from its inline and attached policies, sorted. */
  permissionsOf(roleLogicalId: string): string[] {
    const statements: Record<string, unknown>[] = [];
    const role = this.resources[roleLogicalId];
    for (const inline of (role?.Properties.Policies as { PolicyDocument: { Statement: [] } }[] | undefined) ??
      []) {
      statements.push(...inline.PolicyDocument.Statement);
    }
    for (const [, policy] of this.ofType('AWS::IAM::Policy')) {
      const roles = (policy.Properties.Roles as { Ref: string }[] | undefined) ?? [];
      if (!roles.some((r) => r.Ref === roleLogicalId)) continue;
      statements.push(
        ...(policy.Properties.PolicyDocument as { Statement: Record<string, unknown>[] }).Statement,
      );
    }
    const pairs: string[] = [];
    for (const statement of statements) {
      if (statement.Effect !== 'Allow') continue;
      const actions = [statement.Action].flat() as string[];
      const resources = [statement.Resource].flat();
      for (const action of actions)
        for (const resource of resources) pairs.push(`${action} ${this.describe(resource)}`);
    }
    return [...new Set(pairs)].sort();
  }

  /** The execution role's permissions of one function. */
  functionPermissions(name: FunctionName): string[] {
    return this.permissionsOf(logicalId(this.stack.stateless.functions[name].executionRole));
  }

  functionResource(name: FunctionName): Resource {
    const resource = this.resources[logicalId(this.stack.stateless.functions[name])];
    if (!resource) throw new Error(`No resource for the function ${name}`);
    return resource;
  }
}

/** Builds and synthesizes the stack once; call it in beforeAll. */
export const synthesize = (options: TestAppOptions = {}) => {
  const { app, stack, stubbed } = buildTestApp(options);
  return { app, synthesized: new SynthesizedStack(stack, stubbed) };
};
