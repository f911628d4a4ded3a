import { createDigestApi } from './app';
import { sideEffects } from './sideEffects';

export const handler = createDigestApi(sideEffects());
