import { createNotifier } from './app';
import { sideEffects } from './sideEffects';

export const handler = createNotifier(sideEffects());
