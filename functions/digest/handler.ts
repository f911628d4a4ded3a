import { createDigest } from './app';
import { sideEffects } from './sideEffects';

export const handler = createDigest(sideEffects());
