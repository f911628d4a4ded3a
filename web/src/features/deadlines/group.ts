/** "Mine frister": overdue, the next 30 days, and the 60 after, by due date (pure, for testing). */

export interface Dated {
  readonly dueOn: string;
}

export interface DeadlineGroups<T extends Dated> {
  readonly overdue: T[];
  readonly next30: T[];
  readonly next90: T[];
}

const plusDays = (isoDate: string, days: number): string => {
  const [y, m, d] = isoDate.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10);
};

export const groupDeadlines = <T extends Dated>(items: readonly T[], today: string): DeadlineGroups<T> => {
  const in30 = plusDays(today, 30);
  const in90 = plusDays(today, 90);
  const sorted = [...items].sort((a, b) => a.dueOn.localeCompare(b.dueOn));
  return {
    overdue: sorted.filter((d) => d.dueOn < today),
    next30: sorted.filter((d) => d.dueOn >= today && d.dueOn <= in30),
    next90: sorted.filter((d) => d.dueOn > in30 && d.dueOn <= in90),
  };
};
