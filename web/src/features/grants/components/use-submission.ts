import { useRef, useState } from 'react';
import { newIdempotencyKey } from '../../../lib/api-client';
import { ApiError, type FormProblems, formProblems } from '../../../lib/problem';

/**
 * One submission at a time, each distinct body with its own Idempotency-Key: a double click (or a
 * retry after a lost answer) sends the same key with the same body, which the API answers once.
 */
export const useSubmission = () => {
  const inFlight = useRef(false);
  const last = useRef<{ body: string; key: string } | undefined>(undefined);
  const [problems, setProblems] = useState<FormProblems | undefined>(undefined);

  const keyFor = (body: unknown): string => {
    const text = JSON.stringify(body);
    if (last.current?.body !== text) last.current = { body: text, key: newIdempotencyKey() };
    return last.current.key;
  };

  /** Runs `send` unless a submission is under way; a refusal becomes the form's problems. */
  const run = async <T>(form: HTMLFormElement, send: () => Promise<T>): Promise<T | undefined> => {
    if (inFlight.current) return undefined;
    inFlight.current = true;
    try {
      const result = await send();
      setProblems(undefined);
      return result;
    } catch (error) {
      const names = [...form.elements].map((el) => (el as HTMLInputElement).name).filter(Boolean);
      setProblems(
        error instanceof ApiError
          ? formProblems(error.problem, names)
          : { fields: {}, general: [(error as Error).message] },
      );
      throw error;
    } finally {
      inFlight.current = false;
    }
  };

  return { problems, setProblems, keyFor, run };
};
