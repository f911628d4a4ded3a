import { TIME_ZONE } from '../config/catalogues';

/**
 * Local mode's stand-in for the EventBridge Scheduler schedule: the sweeper once at start and then
 * daily at 06:00 Europe/Copenhagen, across daylight-saving changes.
 */

const SWEEP_HOUR = 6;

const partsIn = (instant: Date) => {
  const parts = new Intl.DateTimeFormat('en-GB', {
    timeZone: TIME_ZONE,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(instant);
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  return {
    year: get('year'),
    month: get('month'),
    day: get('day'),
    hour: get('hour'),
    minute: get('minute'),
  };
};

/** The next instant after `from` at which it is 06:00 in Copenhagen. */
export const nextSweepAt = (from: Date): Date => {
  const local = partsIn(from);
  for (let dayOffset = 0; dayOffset < 3; dayOffset++) {
    const day = new Date(Date.UTC(local.year, local.month - 1, local.day + dayOffset));
    // Copenhagen is UTC+1 or UTC+2: 06:00 there is 04:00 or 05:00 UTC; take the one that reads 06:00.
    for (const utcHour of [SWEEP_HOUR - 2, SWEEP_HOUR - 1]) {
      const candidate = new Date(day.getTime() + utcHour * 3_600_000);
      const parts = partsIn(candidate);
      if (parts.hour === SWEEP_HOUR && parts.minute === 0 && candidate > from) return candidate;
    }
  }
  throw new Error('No 06:00 in the next three days');
};

export const startDailySweeps = (
  sweep: () => Promise<void>,
  log: (line: string) => void,
  clock: () => Date = () => new Date(),
): { stop(): Promise<void> } => {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();
  let stopped = false;
  const run = () => {
    running = sweep().catch((error) => log(`sweep failed: ${(error as Error).message}`));
    return running;
  };
  const scheduleNext = () => {
    if (stopped) return;
    const at = nextSweepAt(clock());
    // Timers are capped at ~24.8 days; a day is well inside that.
    timer = setTimeout(async () => {
      await run();
      scheduleNext();
    }, at.getTime() - clock().getTime());
    timer.unref();
  };
  void run().then(scheduleNext);
  return {
    stop: async () => {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running;
    },
  };
};

// ---- The weekly digest ----

/** Local mode's stand-in for the digest's Scheduler schedule: Mondays at 07:00 Europe/Copenhagen. */
const DIGEST_HOUR = 7;
const MONDAY = 1;

const weekdayIn = (instant: Date): number => {
  const { year, month, day } = partsIn(instant);
  return new Date(Date.UTC(year, month - 1, day)).getUTCDay();
};

/** The next instant after `from` at which it is Monday 07:00 in Copenhagen. */
export const nextDigestAt = (from: Date): Date => {
  const local = partsIn(from);
  for (let dayOffset = 0; dayOffset < 9; dayOffset++) {
    const day = new Date(Date.UTC(local.year, local.month - 1, local.day + dayOffset));
    for (const utcHour of [DIGEST_HOUR - 2, DIGEST_HOUR - 1]) {
      const candidate = new Date(day.getTime() + utcHour * 3_600_000);
      const parts = partsIn(candidate);
      if (
        parts.hour === DIGEST_HOUR &&
        parts.minute === 0 &&
        weekdayIn(candidate) === MONDAY &&
        candidate > from
      )
        return candidate;
    }
  }
  throw new Error('No Monday 07:00 in the next nine days');
};

/**
 * Runs the digest every Monday at 07:00 Copenhagen time. Unlike the sweep it does not run at start:
 * a stack started on a Wednesday sends that week's digest only when someone runs `npm run digest`.
 */
export const startWeeklyDigests = (
  digest: () => Promise<void>,
  log: (line: string) => void,
  clock: () => Date = () => new Date(),
): { stop(): Promise<void> } => {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();
  let stopped = false;
  const scheduleNext = () => {
    if (stopped) return;
    // Timers are capped at ~24.8 days; a week is well inside that.
    const wait = nextDigestAt(clock()).getTime() - clock().getTime();
    timer = setTimeout(async () => {
      running = digest().catch((error) => log(`digest failed: ${(error as Error).message}`));
      await running;
      scheduleNext();
    }, wait);
    timer.unref();
  };
  scheduleNext();
  return {
    stop: async () => {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running;
    },
  };
};
