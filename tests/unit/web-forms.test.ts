import { describe, expect, it } from 'vitest';
import { groupDeadlines } from '../../web/src/features/deadlines/group';
import { searchFromView, viewFromSearch } from '../../web/src/features/grants/view';
import {
  bodyFromEntries,
  changedFields,
  linesOf,
  normaliseAmount,
  numberListOf,
} from '../../web/src/lib/form-body';
import { controlForPath, errorIdFor, formProblems } from '../../web/src/lib/problem';
import { safeReturnTo } from '../../web/src/lib/return-to';
import { sessionFromToken } from '../../web/src/lib/session';

const CONTROLS = [
  'acronym',
  'awarded.amount',
  'awarded.currency',
  'reportingPeriods.0.endsOn',
  'alertLeadDays',
  'partners',
];

describe("problem documents on the form's controls", () => {
  it('puts each error on the control named by its path, or the nearest one above it', () => {
    const controls = new Set(CONTROLS);
    expect(controlForPath('awarded.amount', controls)).toBe('awarded.amount');
    expect(controlForPath('alertLeadDays.2', controls)).toBe('alertLeadDays');
    expect(controlForPath('partners.0', controls)).toBe('partners');
    expect(controlForPath('projectLead.email', controls)).toBeUndefined();
  });

  it('keeps messages for no control in the summary, after the detail', () => {
    const problems = formProblems(
      {
        title: 'Invalid request',
        status: 400,
        detail: 'The body is not a valid grant.',
        errors: [
          { path: 'awarded.amount', message: 'must be a decimal string' },
          { path: 'awarded.amount', message: 'must be ≥ 0' },
          { path: 'reportingPeriods.0.endsOn', message: 'must be on or after startDate' },
          { path: 'projectLead.email', message: 'must be an e-mail address' },
          { path: '', message: 'name at least one field to change' },
        ],
      },
      CONTROLS,
    );
    expect(problems.fields).toEqual({
      'awarded.amount': ['must be a decimal string', 'must be ≥ 0'],
      'reportingPeriods.0.endsOn': ['must be on or after startDate'],
    });
    expect(problems.general).toEqual([
      'The body is not a valid grant.',
      'projectLead.email: must be an e-mail address',
      'name at least one field to change',
    ]);
  });

  it('shows the detail of a problem without field errors (409, 412, 422)', () => {
    const problems = formProblems(
      { title: 'Conflict', status: 409, detail: 'APPLIED → CLOSED is not allowed' },
      CONTROLS,
    );
    expect(problems).toEqual({ fields: {}, general: ['APPLIED → CLOSED is not allowed'] });
  });

  it('gives every control an id for its message that is a valid id', () => {
    expect(errorIdFor('f1', 'reportingPeriods.0.endsOn')).toBe('f1-reportingPeriods-0-endsOn-error');
  });
});

describe('form bodies in the API’s shape', () => {
  it('nests dotted names, makes arrays of numeric segments and leaves empty fields out', () => {
    expect(
      bodyFromEntries([
        ['acronym', ' CLEVER '],
        ['awarded.amount', '665462.50'],
        ['awarded.currency', 'EUR'],
        ['unit', ''],
        ['reportingPeriods.0.endsOn', '2021-04-30'],
        ['reportingPeriods.2.endsOn', '2022-04-30'],
        ['watchers.0', 'a@kk.dk'],
        ['alertLeadDays', [30, 14]],
      ]),
    ).toEqual({
      acronym: 'CLEVER',
      awarded: { amount: '665462.50', currency: 'EUR' },
      reportingPeriods: [{ endsOn: '2021-04-30' }, { endsOn: '2022-04-30' }],
      watchers: ['a@kk.dk'],
      alertLeadDays: [30, 14],
    });
  });

  it('reads lists typed as lines or numbers, passing on what is not a number for the API to name', () => {
    expect(linesOf('Lund University\n\n  Malmö stad \r\n')).toEqual(['Lund University', 'Malmö stad']);
    expect(numberListOf('30, 14;7 1')).toEqual([30, 14, 7, 1]);
    expect(numberListOf('30, fjorten')).toEqual([30, 'fjorten']);
  });

  it('reads amounts as people type them in Danish or English', () => {
    expect(normaliseAmount('665.462,50')).toBe('665462.50');
    expect(normaliseAmount('665462,5')).toBe('665462.5');
    expect(normaliseAmount('1 988 400')).toBe('1988400');
    expect(normaliseAmount('1,988,400.00')).toBe('1988400.00');
    expect(normaliseAmount('7.46038')).toBe('7.46038');
    expect(normaliseAmount('abc')).toBe('abc');
  });

  it('patches only what changed, with null for a cleared field, whatever the key order', () => {
    const before = { title: 'A', unit: 'KEI', awarded: { amount: '1.00', currency: 'DKK' }, partners: [] };
    const after = { title: 'B', awarded: { currency: 'DKK', amount: '1.00' } };
    expect(changedFields(before, after, ['title', 'unit', 'awarded', 'partners'])).toEqual({
      title: 'B',
      unit: null,
    });
  });
});

describe('the grants view in the URL', () => {
  it('keeps the API’s own parameters, drops what the API would refuse, and writes it back', () => {
    const view = viewFromSearch(
      new URLSearchParams(
        'forvaltning=TMF&programme=NOPE&status=ACTIVE&funderType=EU&q=%20metro%20&sort=acronym&cursor=s25&x=1',
      ),
    );
    expect(view).toEqual({
      forvaltning: 'TMF',
      status: 'ACTIVE',
      funderType: 'EU',
      q: 'metro',
      sort: 'acronym',
      cursor: 's25',
    });
    expect(searchFromView(view)).toBe(
      '?q=metro&forvaltning=TMF&funderType=EU&status=ACTIVE&sort=acronym&cursor=s25',
    );
    expect(searchFromView({})).toBe('');
  });
});

describe('my deadlines', () => {
  it('groups by overdue, the next 30 days and the 60 after, by due date', () => {
    const groups = groupDeadlines(
      [
        { dueOn: '2026-12-31', id: 'c' },
        { dueOn: '2026-11-30', id: 'a' },
        { dueOn: '2026-12-01', id: 'b' },
        { dueOn: '2027-01-01', id: 'd' },
        { dueOn: '2027-03-01', id: 'e' },
        { dueOn: '2027-03-02', id: 'f' },
      ],
      '2026-12-01',
    );
    expect(groups.overdue.map((d) => d.id)).toEqual(['a']);
    expect(groups.next30.map((d) => d.id)).toEqual(['b', 'c']);
    expect(groups.next90.map((d) => d.id)).toEqual(['d', 'e']);
  });
});

describe('sign-in', () => {
  const token = (claims: Record<string, unknown>) =>
    `h.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.s`;

  it('reads who is signed in from the ID token, and refuses an expired or nameless one', () => {
    const exp = Math.floor(Date.now() / 1000) + 3600;
    const session = sessionFromToken(
      token({ email: 'Line@KK.dk', 'cognito:groups': ['project-lead', 'other'], exp }),
    );
    expect(session).toMatchObject({ email: 'line@kk.dk', roles: ['project-lead'], expiresAt: exp * 1000 });
    expect(sessionFromToken(token({ email: 'a@kk.dk', exp: 1 }))).toBeUndefined();
    expect(sessionFromToken(token({ exp }))).toBeUndefined();
    expect(sessionFromToken('not a token')).toBeUndefined();
  });

  it('returns only to paths of the app after signing in', () => {
    expect(safeReturnTo('/app/grants?status=ACTIVE')).toBe('/app/grants?status=ACTIVE');
    expect(safeReturnTo('https://evil.example/app/')).toBe('/app/');
    expect(safeReturnTo('//evil.example/app/')).toBe('/app/');
    expect(safeReturnTo('/grants')).toBe('/app/');
    expect(safeReturnTo(null)).toBe('/app/');
  });
});
