import { createGrantsApi } from './app';
import { sideEffects } from './sideEffects';

export const handler = createGrantsApi(sideEffects());
