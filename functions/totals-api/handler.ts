import { createTotalsApi } from './app';
import { sideEffects } from './sideEffects';

export const handler = createTotalsApi(sideEffects());
