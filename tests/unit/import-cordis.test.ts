import { describe, expect, it } from 'vitest';
import { mapCordis } from '../../lib/import/cordis';
import { formatRowError } from '../../lib/import/rows';

const PROJECT_HEADER =
  'id;acronym;status;title;startDate;endDate;totalCost;ecMaxContribution;legalBasis;topics;ecSignatureDate;frameworkProgramme;masterCall;subCall;fundingScheme;nature;objective;contentUpdateDate;rcn;grantDoi';
const ORGANIZATION_HEADER =
  'projectID;projectAcronym;organisationID;vatNumber;name;shortName;SME;activityType;street;postCode;city;country;nutsCode;geolocation;organizationURL;contactForm;contentUpdateDate;rcn;order;role;ecContribution;netEcContribution;totalCost;endOfParticipation;active';

const quoted = (...cells: string[]) => cells.map((c) => `"${c.replaceAll('"', '""')}"`).join(';');

const project = (
  id: string,
  acronym: string,
  start: string,
  end: string,
  framework: string,
  title = `${acronym} title`,
) =>
  quoted(
    id,
    acronym,
    'SIGNED',
    title,
    start,
    end,
    '1',
    '1',
    'LB',
    'TOPIC',
    start,
    framework,
    'CALL',
    '',
    'RIA',
    '',
    'An objective; with "quotes"\nand a line break',
    '2024-01-01',
    '1',
    '',
  );

const participant = (projectId: string, pic: string, role: string, contribution: string) =>
  quoted(
    projectId,
    'X',
    pic,
    '',
    'Name',
    '',
    'false',
    'PUB',
    '',
    '',
    'City',
    'DK',
    '',
    '',
    '',
    '',
    '',
    '',
    '1',
    role,
    contribution,
    contribution,
    '',
    'false',
    'true',
  );

const KK = '999999999';
const options = {
  pic: KK,
  forvaltning: 'TMF',
  defaultLead: { name: 'import@kk.dk', email: 'import@kk.dk' },
  today: '2026-06-01',
};

const files = (projects: string[], organizations: string[]) => [
  { name: 'project.csv', bytes: new TextEncoder().encode([PROJECT_HEADER, ...projects].join('\n')) },
  {
    name: 'organization.csv',
    bytes: new TextEncoder().encode([ORGANIZATION_HEADER, ...organizations].join('\r\n')),
  },
];

describe('CORDIS bulk download → grants', () => {
  it('registers the projects in which the PIC takes part, with its own contribution, role and dates', () => {
    // arrange: two KK projects among other organisations' rows
    const input = files(
      [
        project('864374', 'ATELIER', '2019-11-01', '2024-10-31', 'H2020'),
        project('777777', 'OTHER', '2019-01-01', '2021-12-31', 'H2020'),
        project('101096789', 'COPCAT', '2023-01-01', '2027-12-31', 'HORIZON'),
      ],
      [
        participant('864374', '888888888', 'coordinator', '1000000'),
        participant('864374', KK, 'participant', '665462.5'),
        participant('777777', '888888888', 'coordinator', '5'),
        participant('101096789', KK, 'coordinator', '1.2345E6'),
      ],
    );
    // act
    const { rows, errors } = mapCordis(input, options);
    // assert
    expect(errors).toEqual([]);
    expect(rows.map((r) => [r.where, r.grant])).toEqual([
      [
        'organization.csv line 3',
        {
          acronym: 'ATELIER',
          title: 'ATELIER title',
          programme: 'H2020',
          forvaltning: 'TMF',
          role: 'PARTNER',
          status: 'CLOSED',
          grantAgreementNumber: '864374',
          pic: KK,
          startDate: '2019-11-01',
          endDate: '2024-10-31',
          awarded: { amount: '665462.50', currency: 'EUR' },
          projectLead: { name: 'import@kk.dk', email: 'import@kk.dk' },
        },
      ],
      [
        'organization.csv line 5',
        expect.objectContaining({
          programme: 'HORIZON_EUROPE',
          role: 'COORDINATOR',
          status: 'ACTIVE',
          grantAgreementNumber: '101096789',
          awarded: { amount: '1234500.00', currency: 'EUR' },
        }),
      ],
    ]);
    expect(rows[0]?.soft).toEqual({ status: true, projectLead: true, awarded: false });
  });

  it('uses the lead given on the command line, and then for existing grants too', () => {
    const input = files(
      [project('864374', 'ATELIER', '2019-11-01', '2024-10-31', 'H2020')],
      [participant('864374', KK, 'coordinator', '10')],
    );
    const { rows } = mapCordis(input, { ...options, lead: { name: 'Søren Ærø', email: 'soren@kk.dk' } });
    expect(rows[0]?.grant.projectLead).toEqual({ name: 'Søren Ærø', email: 'soren@kk.dk' });
    expect(rows[0]?.soft).toEqual({ status: true, projectLead: false, awarded: false });
  });

  it('names the file, line and CORDIS column of what it cannot import', () => {
    const input = files(
      [
        project('100001', 'FP6ISH', '2005-01-01', '2007-12-31', 'FP6'),
        project('100002', 'BADDATE', '2019-13-01', '2020-12-31', 'H2020'),
        project('12345', 'SHORTID', '2019-01-01', '2020-12-31', 'H2020'),
        project('100004', 'A'.repeat(41), '2019-01-01', '2020-12-31', 'H2020'),
      ],
      [
        participant('100001', KK, 'participant', '10'),
        participant('100002', KK, 'participant', '10'),
        participant('12345', KK, 'participant', '10'),
        participant('100004', KK, 'participant', '10.123'),
        participant('100005', KK, 'participant', '10'),
        participant('100001', KK, 'thirdParty', '10'),
      ],
    );
    expect(mapCordis(input, options).errors.map(formatRowError)).toEqual([
      'organization.csv line 7: organisationID: PIC 999999999 takes part in project 100001 a second time (also organization.csv line 2); import it by hand',
      'project.csv line 2: frameworkProgramme: is "FP6"; only FP7, H2020 and HORIZON projects can be imported',
      'project.csv line 3: startDate: is not a calendar date ("2019-13-01")',
      'project.csv line 4: id: an H2020 grant agreement number has 6 digits',
      'organization.csv line 5: ecContribution: has more than 2 decimals ("10.123"); the importer never rounds',
      'organization.csv line 6: projectID: project 100005 is not in project.csv',
    ]);
  });

  it('says which column of which file is missing', () => {
    const input = [
      { name: 'project.csv', bytes: new TextEncoder().encode('id;acronym;title\n1;A;T\n') },
      { name: 'organization.csv', bytes: new TextEncoder().encode(`${ORGANIZATION_HEADER}\n`) },
    ];
    expect(mapCordis(input, options).errors.map(formatRowError)).toEqual([
      'project.csv line 1: startDate: column is missing',
      'project.csv line 1: endDate: column is missing',
      'project.csv line 1: frameworkProgramme: column is missing',
    ]);
  });
});
