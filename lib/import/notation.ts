import { type Evidence, NO_EVIDENCE, type Notation, type NotationChoice, notationOf } from './numbers';

/**
 * Notation by evidence: which notation the ambiguous numbers of a file are written in ("350.000" is
 * 350000 in Danish and 350 in plain notation), decided from the cells that can be read only one way.
 * A column that proves one notation decides for its own cells; a column that proves none takes the
 * file's (every column's evidence, plus what the file itself says, such as a `;` delimiter). Where
 * the deciding evidence holds both notations, ambiguous cells are refused and the evidence named.
 * Columns are decided apart because machine exports mix them: CORDIS writes `ecContribution` with
 * a decimal point and `totalCost` with a decimal comma in the same row.
 */

export interface NumberCell {
  /** The column as the user named it: "awarded". */
  readonly column: string;
  /** Where the cell is: "line 7". */
  readonly where: string;
  readonly text: string;
}

export interface NotationScope {
  /** How to read the ambiguous cells of a column. */
  choiceFor(column: string): NotationChoice;
  /** What the file as a whole shows, for the report. */
  readonly file: NotationChoice;
}

const choiceOf = (evidence: readonly Evidence[]): NotationChoice => {
  const danish = evidence.filter((e) => e.notation === 'danish');
  const plain = evidence.filter((e) => e.notation === 'plain');
  const notation: Notation | undefined =
    danish.length && !plain.length ? 'danish' : plain.length && !danish.length ? 'plain' : undefined;
  return notation ? { notation, danish, plain } : { danish, plain };
};

/** The evidence a CSV's delimiter gives: Excel writes `;` where `,` is the decimal separator. */
export const delimiterEvidence = (delimiter: string): Evidence[] =>
  delimiter === ';' ? [{ notation: 'danish', source: "the ';' delimiter" }] : [];

export const notationScope = (
  cells: Iterable<NumberCell>,
  fileEvidence: readonly Evidence[] = [],
): NotationScope => {
  const byColumn = new Map<string, Evidence[]>();
  const all: Evidence[] = [...fileEvidence];
  for (const cell of cells) {
    const notation = notationOf(cell.text);
    if (!notation) continue;
    const evidence: Evidence = { notation, source: `${cell.where} ${cell.column}`, text: cell.text.trim() };
    all.push(evidence);
    const column = byColumn.get(cell.column) ?? [];
    column.push(evidence);
    byColumn.set(cell.column, column);
  }
  const file = all.length ? choiceOf(all) : NO_EVIDENCE;
  const choices = new Map<string, NotationChoice>();
  return {
    file,
    choiceFor: (column) => {
      let choice = choices.get(column);
      if (!choice) {
        const own = byColumn.get(column);
        choice = own?.length ? choiceOf(own) : file;
        choices.set(column, choice);
      }
      return choice;
    },
  };
};

/** "Danish (line 2 awarded "665.462,5", the ';' delimiter)", or undefined when nothing shows it. */
export const describeNotation = (choice: NotationChoice): string | undefined => {
  if (choice.notation === 'danish') return 'numbers in Danish notation';
  if (choice.notation === 'plain') return 'numbers in plain notation';
  if (choice.danish.length && choice.plain.length) return 'numbers in both notations';
  return undefined;
};
