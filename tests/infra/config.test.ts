import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../../infra/config';
import { CDK_CONTEXT } from './support/app';

const valid = {
  stage: 'prod',
  alertSender: 'no-reply@kk.dk',
  operatorEmail: 'drift@kk.dk',
  allowedOrigins: ['https://tilskud.kk.dk'],
  deadlineAlertDays: [30, 14, 7, 1],
  fundingAlertDays: [90, 30],
};

const problemsOf = (context: Record<string, unknown>): string[] => {
  try {
    parseConfig(context);
  } catch (error) {
    if (error instanceof ConfigError) return [...error.problems];
    throw error;
  }
  return [];
};

describe('CDK context → deployment configuration', () => {
  it('accepts the context in cdk.json', () => {
    // arrange / act
    const config = parseConfig(CDK_CONTEXT);
    // assert
    expect(config.stage).toBe('dev');
    expect(config.deadlineAlertDays).toEqual([30, 14, 7, 1]);
    expect(config.fundingAlertDays).toEqual([90, 30]);
  });

  it('accepts the string forms -c gives on the command line', () => {
    const config = parseConfig({
      ...valid,
      allowedOrigins: 'https://tilskud.kk.dk,https://admin.tilskud.kk.dk',
      deadlineAlertDays: '1,7,14,30',
      fundingAlertDays: '["90","30"]',
    });
    expect(config.allowedOrigins).toEqual(['https://tilskud.kk.dk', 'https://admin.tilskud.kk.dk']);
    // Tightest last, whatever order they were given in.
    expect(config.deadlineAlertDays).toEqual([30, 14, 7, 1]);
    expect(config.fundingAlertDays).toEqual([90, 30]);
  });

  it('names every missing key at once', () => {
    const problems = problemsOf({});
    for (const key of [
      'stage',
      'alertSender',
      'operatorEmail',
      'allowedOrigins',
      'deadlineAlertDays',
      'fundingAlertDays',
    ]) {
      expect(problems.some((p) => p.startsWith(`${key}:`) && p.includes('not set'))).toBe(true);
    }
  });

  it.each([
    ['stage', 'Prod!', 'stage:'],
    ['alertSender', 'not-an-address', 'alertSender: must be an e-mail address'],
    ['operatorEmail', 'drift', 'operatorEmail: must be an e-mail address'],
    ['allowedOrigins', [], 'allowedOrigins: needs at least one origin'],
    ['allowedOrigins', ['http://tilskud.kk.dk'], 'must use https'],
    ['allowedOrigins', ['https://tilskud.kk.dk/app'], 'is not a bare origin'],
    ['deadlineAlertDays', [30, 30], 'must not repeat a threshold'],
    ['deadlineAlertDays', [0], 'must be at least 1 day'],
    ['deadlineAlertDays', '30,soon', 'deadlineAlertDays.1'],
    ['fundingAlertDays', [], 'fundingAlertDays: needs at least one threshold'],
  ])('refuses %s = %j with a message that names it', (key, value, expected) => {
    const problems = problemsOf({ ...valid, [key]: value });
    expect(problems.join('\n')).toContain(expected);
  });

  it('refuses a localhost origin for the prod stage', () => {
    const problems = problemsOf({
      ...valid,
      allowedOrigins: ['https://tilskud.kk.dk', 'http://localhost:3000'],
    });
    expect(problems.join('\n')).toContain('the prod stage must not allow http://localhost:3000');
  });

  it('allows a localhost origin outside prod', () => {
    expect(problemsOf({ ...valid, stage: 'dev', allowedOrigins: ['http://localhost:3000'] })).toEqual([]);
  });

  it('tells how to set the keys', () => {
    expect(() => parseConfig({})).toThrow(/cdk\.json.*-c/s);
  });
});
