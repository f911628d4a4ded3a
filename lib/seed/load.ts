import { createHash } from 'node:crypto';
import { encodeTime } from 'ulid';
import * as grants from '../use-cases/grants';
import type { Caller, GrantPorts } from '../use-cases/ports';
import type { SeedGrant } from './portfolio';

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/**
 * ULIDs derived from a name: the same seed grant gets the same ids on every start, so loading the
 * portfolio twice (say, after a crash halfway) writes nothing the second time.
 */
export const seededIds = (name: string, at: Date): (() => string) => {
  let counter = 0;
  return () => {
    const digest = createHash('sha256').update(`${name}#${counter++}`).digest();
    let random = '';
    for (let i = 0; i < 16; i++) random += CROCKFORD[(digest[i] ?? 0) % 32];
    return `${encodeTime(at.getTime(), 10)}${random}`;
  };
};

const SEED_CALLER: Caller = { email: 'lear@kk.dk', roles: ['lear-admin'] };

export interface SeedResult {
  readonly created: number;
  readonly alreadyThere: number;
}

/**
 * Registers each seed grant with its payments and deadlines through the same use cases as the API.
 * Every id is derived from the grant's name, so a load that stopped halfway resumes where it was:
 * what exists is kept, what is missing is added, nothing is written twice.
 */
export const loadPortfolio = async (
  ports: GrantPorts,
  portfolio: readonly SeedGrant[],
  log: (line: string) => void = () => undefined,
): Promise<SeedResult> => {
  let created = 0;
  let alreadyThere = 0;
  for (const [index, seed] of portfolio.entries()) {
    // Ids sort in portfolio order, as if registered one after the other.
    const at = new Date(Date.UTC(2020, 0, 1) + index * 60_000);
    const name = `${seed.input.forvaltning}/${seed.input.acronym}/${seed.input.startDate}`;
    const idsFor = (part: string) => ({ ...ports, newId: seededIds(`${name}#${part}`, at) });
    // Each use case draws the id of what it creates first, then its events' ids.
    const grantId = seededIds(`${name}#grant`, at)();
    const existing = await ports.ledger.findGrant(grantId);
    if (!existing) await grants.registerGrant(idsFor('grant'), seed.input, SEED_CALLER);
    const { payments, deadlines } = await ports.ledger.getGrant(grantId);
    const have = new Set([...payments.map((p) => p.paymentId), ...deadlines.map((d) => d.deadlineId)]);
    for (const [i, payment] of seed.payments.entries()) {
      const part = `payment#${i}`;
      if (!have.has(seededIds(`${name}#${part}`, at)())) {
        await grants.recordPayment(idsFor(part), grantId, payment, SEED_CALLER);
      }
    }
    for (const [i, deadline] of (seed.deadlines ?? []).entries()) {
      const part = `deadline#${i}`;
      if (!have.has(seededIds(`${name}#${part}`, at)())) {
        await grants.addDeadline(idsFor(part), grantId, deadline, SEED_CALLER);
      }
    }
    if (existing) alreadyThere++;
    else {
      created++;
      log(`  ${seed.input.forvaltning}  ${seed.input.acronym}`);
    }
  }
  return { created, alreadyThere };
};
