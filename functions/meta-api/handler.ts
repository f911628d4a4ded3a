import { createMetaApi } from './app';
import { sideEffects } from './sideEffects';

export const handler = createMetaApi(sideEffects());
