import { createSweeper } from './app';
import { sideEffects } from './sideEffects';

export const handler = createSweeper(sideEffects());
